package dev.pier.firewall;

import dev.pier.ports.Protocol;

import java.util.List;

/**
 * A legacy link ({@code --link}) across ICC off, as Docker opens it: the linking container's
 * host-side bridge port reaches the linked container's on the linked one's exposed ports, and the
 * answers come back from those ports. Keyed by interfaces, not addresses, so no neighbour on the
 * bridge can borrow it by spoofing the linker's address.
 */
public record Link(String linkerInterface, String linkedInterface, List<Service> services) {
    public Link {
        services = List.copyOf(services);
    }

    /** An exposed port: 80/tcp. */
    public record Service(Protocol protocol, int port) {}
}
