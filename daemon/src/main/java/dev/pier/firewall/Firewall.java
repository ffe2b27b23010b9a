package dev.pier.firewall;

import dev.pier.network.NetworkPlan;

import java.util.List;

/** Packet policy for Pier's networks: masquerade, isolation, and later published ports. */
public interface Firewall {
    /** Makes the kernel's rules exactly match these networks, in one atomic change. */
    void apply(List<NetworkPlan> networks);

    /** Removes every rule this firewall owns. */
    void removeAll();
}
