package dev.pier.firewall;

import dev.pier.network.NetworkPlan;

import java.util.List;

/** `--iptables=false`: Pier leaves the host's packet filter alone. */
public final class DisabledFirewall implements Firewall {
    @Override public void apply(List<NetworkPlan> networks, java.util.Set<String> isolatedPorts) {}
    @Override public void isolatePort(String hostInterface) {}
    @Override public void releasePort(String hostInterface) {}
    @Override public void link(Link link) {}
    @Override public void publish(String owner, List<dev.pier.ports.PublishedPort> ports) {}
    @Override public void unpublish(String owner) {}
    @Override public void removeAll() {}
}
