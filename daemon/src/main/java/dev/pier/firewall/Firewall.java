package dev.pier.firewall;

import dev.pier.network.NetworkPlan;
import dev.pier.ports.PublishedPort;

import java.util.List;

/** Packet policy for Pier's networks: masquerade, isolation and published ports. */
public interface Firewall {
    /**
     * Makes the kernel's rules exactly match these networks, in one atomic change.
     *
     * @param isolatedPorts host-side interfaces of endpoints on networks without inter-container
     *                      traffic (ICC off): frames between two of them are dropped on the bridge
     */
    void apply(List<NetworkPlan> networks, java.util.Set<String> isolatedPorts);

    /** Adds one port to the isolated set without rewriting the rules. */
    void isolatePort(String hostInterface);

    /** Takes one port out of the isolated set, and out of every link it is a side of. */
    void releasePort(String hostInterface);

    /**
     * Lets two isolated ports talk on the linked one's exposed ports (Docker's legacy links across
     * ICC off): elements only, kept until either port is released.
     */
    void link(Link link);

    /**
     * DNATs the owner's published ports to its container: elements added to maps, never rules.
     * The firewall remembers them per owner, so {@link #apply} keeps them and {@link #unpublish}
     * removes exactly these.
     */
    void publish(String owner, List<PublishedPort> ports);

    /** Removes the owner's published ports, and only them. */
    void unpublish(String owner);

    /** Removes every rule this firewall owns. */
    void removeAll();
}
