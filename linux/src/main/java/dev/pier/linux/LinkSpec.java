package dev.pier.linux;

/**
 * What a new link should be, complete, so it can be created configured and up in one request.
 *
 * @param masterIndex bridge to enslave to (0: none)
 * @param bringUp     create the link administratively up
 * @param group       interface group (0: default); Pier tags its links so they can be removed in one request
 */
public record LinkSpec(String name, LinkKind kind, int mtu, MacAddress mac, int masterIndex, int group, boolean bringUp,
                       NetNamespace namespace) {
    public static final int MAX_NAME_BYTES = 15;

    public LinkSpec {
        checkName(name);
        if (kind instanceof LinkKind.Veth(LinkKind.Peer peer)) checkName(peer.name());
        if (mtu < 0) throw new IllegalArgumentException("invalid MTU " + mtu + " for " + name);
    }

    /** Linux interface names: 1-15 bytes, no '/', no whitespace, not "." or "..". */
    public static void checkName(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("interface name is empty");
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES)
            throw new IllegalArgumentException("interface name too long (max " + MAX_NAME_BYTES + " bytes): " + name);
        if (name.equals(".") || name.equals("..") || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c)))
            throw new IllegalArgumentException("invalid interface name: " + name);
    }

    public static LinkSpec of(String name, LinkKind kind) {
        return new LinkSpec(name, kind, 0, null, 0, 0, false, null);
    }

    public static LinkSpec bridge(String name) { return of(name, new LinkKind.Bridge()); }

    public static LinkSpec veth(String name, LinkKind.Peer peer) { return of(name, new LinkKind.Veth(peer)); }

    public LinkSpec mtu(int value) { return new LinkSpec(name, kind, value, mac, masterIndex, group, bringUp, namespace); }
    public LinkSpec mac(MacAddress value) { return new LinkSpec(name, kind, mtu, value, masterIndex, group, bringUp, namespace); }
    public LinkSpec master(int bridgeIndex) { return new LinkSpec(name, kind, mtu, mac, bridgeIndex, group, bringUp, namespace); }
    public LinkSpec group(int value) { return new LinkSpec(name, kind, mtu, mac, masterIndex, value, bringUp, namespace); }
    public LinkSpec up() { return new LinkSpec(name, kind, mtu, mac, masterIndex, group, true, namespace); }
    /** Creates the link directly in another namespace. */
    public LinkSpec in(NetNamespace ns) { return new LinkSpec(name, kind, mtu, mac, masterIndex, group, bringUp, ns); }
}
