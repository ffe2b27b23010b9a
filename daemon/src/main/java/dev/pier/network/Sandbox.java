package dev.pier.network;

import dev.pier.linux.Netlink;
import dev.pier.linux.NetNamespace;

/**
 * A container's network namespace while the engine wires it: the namespace and one rtnetlink
 * socket opened inside it (opening costs a thread hop, so it is done once per start).
 */
public final class Sandbox implements AutoCloseable {
    private final NetNamespace namespace;
    private Netlink inside;

    public Sandbox(NetNamespace namespace) {
        this.namespace = namespace;
    }

    public NetNamespace namespace() {
        return namespace;
    }

    public synchronized Netlink netlink() {
        if (inside == null) inside = Netlink.openIn(namespace);
        return inside;
    }

    @Override
    public synchronized void close() {
        if (inside != null) inside.close();
        inside = null;
        namespace.close();
    }
}
