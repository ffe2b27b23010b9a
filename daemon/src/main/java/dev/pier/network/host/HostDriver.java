package dev.pier.network.host;

import dev.pier.network.EndpointSpec;
import dev.pier.network.NetworkDriver;
import dev.pier.network.NetworkPlan;
import dev.pier.network.Sandbox;

/** The host's own namespace: nothing to create, nothing to plug. */
public final class HostDriver implements NetworkDriver {
    @Override public String name() { return "host"; }
    @Override public void createNetwork(NetworkPlan network) {}
    @Override public void deleteNetwork(NetworkPlan network) {}
    @Override public void join(NetworkPlan network, EndpointSpec endpoint, Sandbox sandbox) {}
    @Override public void leave(NetworkPlan network, EndpointSpec endpoint, Sandbox sandbox) {}
}
