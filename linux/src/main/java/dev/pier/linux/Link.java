package dev.pier.linux;

/**
 * A network interface as the kernel reports it.
 *
 * @param kind         the rtnetlink kind ("bridge", "veth", "macvlan", "vxlan"), or "" for devices without one (lo, physical)
 * @param masterIndex  the ifindex of the bridge this link is enslaved to, 0 if none
 * @param linkIndex    for veth/macvlan/vxlan: the peer's or parent's ifindex (possibly in another namespace), 0 if none
 */
public record Link(int index, String name, String kind, int flags, int mtu, MacAddress mac, int masterIndex,
                   int linkIndex, int group, int operState) {
    public boolean isUp() {
        return (flags & 1) != 0;
    }
}
