package dev.pier.network.none;

import dev.pier.network.EndpointSpec;
import dev.pier.network.NetworkDriver;
import dev.pier.network.NetworkPlan;
import dev.pier.network.Sandbox;

/** The `none` network: a sandbox with loopback only, which every sandbox already gets. */
public final class NullDriver implements NetworkDriver {
    @Override public String name() { return "null"; }
    @Override public void createNetwork(NetworkPlan network) {}
    @Override public void deleteNetwork(NetworkPlan network) {}
    @Override public void join(NetworkPlan network, EndpointSpec endpoint, Sandbox sandbox) {}
    @Override public void leave(NetworkPlan network, EndpointSpec endpoint, Sandbox sandbox) {}
}
