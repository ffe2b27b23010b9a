package dev.pier.linux;

import java.net.InetAddress;

/** The kinds of link Pier creates, with what each needs at creation. */
public sealed interface LinkKind {
    String kindName();

    record Bridge() implements LinkKind {
        public String kindName() { return "bridge"; }
    }

    /**
     * A veth pair. The peer is created directly inside {@code peerNamespace} (null: the same
     * namespace), so it never appears in the host namespace and needs no move.
     */
    record Veth(Peer peer) implements LinkKind {
        public String kindName() { return "veth"; }
    }

    /**
     * The far end of a veth pair: its name, namespace and state at creation. The kernel cannot
     * bring a peer up in the creating request; {@code bringUp} is honoured by a second request,
     * so it is only allowed when the peer stays in the creating socket's namespace.
     */
    record Peer(String name, NetNamespace namespace, int mtu, MacAddress mac, boolean bringUp) {
        public static Peer named(String name) { return new Peer(name, null, 0, null, false); }
        public Peer in(NetNamespace ns) { return new Peer(name, ns, mtu, mac, bringUp); }
        public Peer mtu(int value) { return new Peer(name, namespace, value, mac, bringUp); }
        public Peer mac(MacAddress value) { return new Peer(name, namespace, mtu, value, bringUp); }
        public Peer up() { return new Peer(name, namespace, mtu, mac, true); }
    }

    enum MacvlanMode {
        PRIVATE(1), VEPA(2), BRIDGE(4), PASSTHRU(8);
        public final int value;
        MacvlanMode(int value) { this.value = value; }
    }

    record Macvlan(int parentIndex, MacvlanMode mode) implements LinkKind {
        public String kindName() { return "macvlan"; }
    }

    /**
     * A VXLAN device. {@code group} is a multicast group or, for point to point, the remote
     * address; null for none (forwarding entries added later). Port 0 means the IANA 4789.
     */
    record Vxlan(int vni, int parentIndex, InetAddress local, InetAddress group, int port, boolean learning)
            implements LinkKind {
        public String kindName() { return "vxlan"; }
    }
}
