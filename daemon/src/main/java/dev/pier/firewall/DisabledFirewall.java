package dev.pier.firewall;

import dev.pier.network.NetworkPlan;

import java.util.List;

/** `--iptables=false`: Pier leaves the host's packet filter alone. */
public final class DisabledFirewall implements Firewall {
    @Override public void apply(List<NetworkPlan> networks) {}
    @Override public void removeAll() {}
}
