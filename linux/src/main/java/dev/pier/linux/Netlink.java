package dev.pier.linux;

import dev.pier.linux.internal.MessageWriter;
import dev.pier.linux.internal.NetlinkSocket;
import dev.pier.linux.internal.Rtnl;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static dev.pier.linux.internal.Rtnl.*;

/**
 * Pier's rtnetlink client: links, addresses and routes of one network namespace, fixed when the
 * socket is opened. Every change is acknowledged by the kernel; a refusal becomes a
 * {@link KernelException} naming the errno and the object. Several changes can go in one
 * {@link Batch}: one sendmsg, one ack each, read back together.
 *
 * <p>Instances are thread-safe; requests on one instance are serialized.
 */
public final class Netlink implements AutoCloseable {
    private final NetlinkSocket socket;
    private final MessageWriter writer = new MessageWriter(16 * 1024);
    private final String namespaceName;
    private int sequence;

    private Netlink(String namespaceName) {
        this.socket = new NetlinkSocket();
        this.namespaceName = namespaceName;
    }

    /** A socket in the calling thread's network namespace. */
    public static Netlink open() {
        return new Netlink("host");
    }

    /** A socket bound for its whole life to {@code ns}, whatever thread uses it later. */
    public static Netlink openIn(NetNamespace ns) {
        return ns.run(() -> new Netlink(ns.name()));
    }

    @Override
    public void close() {
        socket.close();
    }

    // ---------------------------------------------------------------- batches

    public Batch batch() {
        return new Batch();
    }

    /**
     * Requests collected here go to the kernel in one sendmsg on {@link #commit()}. The kernel
     * runs them in order and does not stop at a failure, so commit reads every ack and then
     * throws the first refusal; undoing the ones that succeeded is the caller's business.
     */
    public final class Batch {
        private final List<Request> requests = new ArrayList<>();

        private record Request(String operation, String object, Consumer<MessageWriter> body, int type, int flags) {}

        private Batch add(String operation, String object, int type, int flags, Consumer<MessageWriter> body) {
            requests.add(new Request(operation, object, body, type, flags));
            return this;
        }

        public Batch addLink(LinkSpec spec) {
            add("create link", spec.name(), RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, w -> writeNewLink(w, spec));
            // The kernel cannot open a veth peer while creating it (ENOTCONN): a second request does.
            if (spec.kind() instanceof LinkKind.Veth(LinkKind.Peer peer) && peer.bringUp()) {
                if (peer.namespace() != null && peer.namespace() != spec.namespace())
                    throw new IllegalArgumentException("veth peer " + peer.name() + " in another namespace must be set up through a socket in that namespace");
                setUp(peer.name(), true);
            }
            return this;
        }

        public Batch deleteLink(String name) {
            return add("delete link", name, RTM_DELLINK, 0, w -> {
                w.ifinfomsg(AF_UNSPEC, 0, 0, 0);
                w.attrString(IFLA_IFNAME, name);
            });
        }

        public Batch deleteLink(int index) {
            return add("delete link", "#" + index, RTM_DELLINK, 0, w -> w.ifinfomsg(AF_UNSPEC, index, 0, 0));
        }

        /** Deletes every link of an interface group in one request (far faster than one by one). */
        public Batch deleteLinksInGroup(int group) {
            if (group <= 0) throw new IllegalArgumentException("refusing to delete interface group " + group + " (the default group holds the host's own links)");
            return add("delete links of group", String.valueOf(group), RTM_DELLINK, 0, w -> {
                w.ifinfomsg(AF_UNSPEC, 0, 0, 0);
                w.attrInt(IFLA_GROUP, group);
            });
        }

        public Batch setUp(String name, boolean up) {
            return setLink(name, up ? "set up" : "set down", w -> {
                w.ifinfomsg(AF_UNSPEC, 0, up ? IFF_UP : 0, IFF_UP);
                w.attrString(IFLA_IFNAME, name);
            });
        }

        public Batch setUp(int index, boolean up) {
            return add(up ? "set up" : "set down", "#" + index, RTM_SETLINK, 0,
                    w -> w.ifinfomsg(AF_UNSPEC, index, up ? IFF_UP : 0, IFF_UP));
        }

        /**
         * No IPv6 link-local address for this link (addrgenmode none), so bringing it up sends no
         * duplicate address detection, router solicitation or MLD packets. Must come before the
         * link goes up: the kernel generates the address at that moment. A bridge port or an
         * IPv4-only container interface never uses one, and every other port of the bridge would
         * receive that traffic: the cost of one endpoint would grow with the number of endpoints.
         */
        public Batch withoutIpv6LinkLocal(String name) {
            return setLink(name, "set addrgenmode none", w -> {
                w.ifinfomsg(AF_UNSPEC, 0, 0, 0);
                w.attrString(IFLA_IFNAME, name);
                writeNoLinkLocal(w);
            });
        }

        public Batch withoutIpv6LinkLocal(int index) {
            return add("set addrgenmode none", "#" + index, RTM_SETLINK, 0, w -> {
                w.ifinfomsg(AF_UNSPEC, index, 0, 0);
                writeNoLinkLocal(w);
            });
        }

        private static void writeNoLinkLocal(MessageWriter w) {
            int spec = w.beginNest(IFLA_AF_SPEC);
            int inet6 = w.beginNest(AF_INET6);
            w.attrByte(IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
            w.endNest(inet6);
            w.endNest(spec);
        }

        public Batch setMtu(String name, int mtu) {
            return setLink(name, "set mtu " + mtu, w -> {
                w.ifinfomsg(AF_UNSPEC, 0, 0, 0);
                w.attrString(IFLA_IFNAME, name);
                w.attrInt(IFLA_MTU, mtu);
            });
        }

        public Batch setMac(String name, MacAddress mac) {
            return setLink(name, "set address " + mac, w -> {
                w.ifinfomsg(AF_UNSPEC, 0, 0, 0);
                w.attrString(IFLA_IFNAME, name);
                w.attr(IFLA_ADDRESS, mac.bytes());
            });
        }

        /** Enslaves to the bridge with ifindex {@code masterIndex}; 0 releases. */
        public Batch setMaster(String name, int masterIndex) {
            return setLink(name, masterIndex == 0 ? "release from master" : "set master #" + masterIndex, w -> {
                w.ifinfomsg(AF_UNSPEC, 0, 0, 0);
                w.attrString(IFLA_IFNAME, name);
                w.attrInt(IFLA_MASTER, masterIndex);
            });
        }

        public Batch setGroup(String name, int group) {
            return setLink(name, "set group " + group, w -> {
                w.ifinfomsg(AF_UNSPEC, 0, 0, 0);
                w.attrString(IFLA_IFNAME, name);
                w.attrInt(IFLA_GROUP, group);
            });
        }

        public Batch rename(int index, String newName) {
            LinkSpec.checkName(newName);
            return add("rename link to " + newName, "#" + index, RTM_SETLINK, 0, w -> {
                w.ifinfomsg(AF_UNSPEC, index, 0, 0);
                w.attrString(IFLA_IFNAME, newName);
            });
        }

        /** Moves a link into another namespace (it loses its addresses and comes down). */
        public Batch moveTo(String name, NetNamespace ns) {
            return setLink(name, "move to namespace " + ns.name(), w -> {
                w.ifinfomsg(AF_UNSPEC, 0, 0, 0);
                w.attrString(IFLA_IFNAME, name);
                w.attrInt(IFLA_NET_NS_FD, ns.fd());
            });
        }

        private Batch setLink(String name, String operation, Consumer<MessageWriter> body) {
            return add(operation, name, RTM_SETLINK, 0, body);
        }

        public Batch addAddress(int ifindex, IpPrefix prefix) {
            return add("add address " + prefix, "#" + ifindex, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
                    w -> writeAddress(w, ifindex, prefix));
        }

        public Batch deleteAddress(int ifindex, IpPrefix prefix) {
            return add("delete address " + prefix, "#" + ifindex, RTM_DELADDR, 0, w -> writeAddress(w, ifindex, prefix));
        }

        public Batch addRoute(Route route) {
            return add("add route", describe(route), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, w -> writeRoute(w, route, false));
        }

        /** Adds or replaces a route with the same destination, table and metric. */
        public Batch replaceRoute(Route route) {
            return add("replace route", describe(route), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, w -> writeRoute(w, route, false));
        }

        public Batch deleteRoute(Route route) {
            return add("delete route", describe(route), RTM_DELROUTE, 0, w -> writeRoute(w, route, true));
        }

        public int size() {
            return requests.size();
        }

        /** Sends everything in one sendmsg and checks every ack. */
        public void commit() {
            if (requests.isEmpty()) return;
            synchronized (Netlink.this) {
                writer.reset();
                int first = sequence + 1;
                for (Request r : requests) {
                    writer.begin(r.type, NLM_F_REQUEST | NLM_F_ACK | r.flags, ++sequence);
                    r.body.accept(writer);
                    writer.end();
                }
                socket.send(writer.buffer(), "rtnetlink in " + namespaceName);
                KernelException firstError = awaitAcks(first, requests);
                if (firstError != null) throw firstError;
            }
        }
    }

    // ---------------------------------------------------------------- single changes

    public void addLink(LinkSpec spec) { batch().addLink(spec).commit(); }
    public void deleteLink(String name) { batch().deleteLink(name).commit(); }
    public void deleteLink(int index) { batch().deleteLink(index).commit(); }
    public void deleteLinksInGroup(int group) { batch().deleteLinksInGroup(group).commit(); }
    public void setUp(String name) { batch().setUp(name, true).commit(); }
    public void setDown(String name) { batch().setUp(name, false).commit(); }
    public void setMtu(String name, int mtu) { batch().setMtu(name, mtu).commit(); }
    public void setMac(String name, MacAddress mac) { batch().setMac(name, mac).commit(); }
    public void setMaster(String name, int masterIndex) { batch().setMaster(name, masterIndex).commit(); }
    public void setGroup(String name, int group) { batch().setGroup(name, group).commit(); }
    public void moveTo(String name, NetNamespace ns) { batch().moveTo(name, ns).commit(); }
    public void addAddress(int ifindex, IpPrefix prefix) { batch().addAddress(ifindex, prefix).commit(); }
    public void deleteAddress(int ifindex, IpPrefix prefix) { batch().deleteAddress(ifindex, prefix).commit(); }
    public void addRoute(Route route) { batch().addRoute(route).commit(); }
    public void replaceRoute(Route route) { batch().replaceRoute(route).commit(); }
    public void deleteRoute(Route route) { batch().deleteRoute(route).commit(); }

    public void rename(String name, String newName) {
        batch().rename(requireLink(name).index(), newName).commit();
    }

    public void addAddress(String ifname, IpPrefix prefix) {
        addAddress(requireLink(ifname).index(), prefix);
    }

    // ---------------------------------------------------------------- queries

    public List<Link> links() {
        List<Link> links = new ArrayList<>();
        dump(RTM_GETLINK, w -> w.ifinfomsg(AF_UNSPEC, 0, 0, 0), "links", m -> links.add(parseLink(m)));
        return links;
    }

    public Optional<Link> link(String name) {
        LinkSpec.checkName(name);
        return getLink(name, w -> {
            w.ifinfomsg(AF_UNSPEC, 0, 0, 0);
            w.attrString(IFLA_IFNAME, name);
        });
    }

    public Optional<Link> link(int index) {
        return getLink("#" + index, w -> w.ifinfomsg(AF_UNSPEC, index, 0, 0));
    }

    public Link requireLink(String name) {
        return link(name).orElseThrow(() -> new KernelException(KernelException.ENODEV, "find link", name));
    }

    /** Addresses of every interface; {@code family} 4, 6, or 0 for both. */
    public List<Address> addresses(int family) {
        List<Address> out = new ArrayList<>();
        dump(RTM_GETADDR, w -> w.ifaddrmsg(toAf(family), 0, 0, 0, 0), "addresses", m -> {
            Address a = parseAddress(m);
            if (a != null) out.add(a);
        });
        return out;
    }

    public List<Address> addresses(int family, int ifindex) {
        return addresses(family).stream().filter(a -> a.ifindex() == ifindex).toList();
    }

    /** Routes of every table; {@code family} 4, 6, or 0 for both. */
    public List<Route> routes(int family) {
        List<Route> out = new ArrayList<>();
        dump(RTM_GETROUTE, w -> w.rtmsg(toAf(family), 0, 0, 0, 0, 0, 0), "routes", m -> {
            Route r = parseRoute(m);
            if (r != null) out.add(r);
        });
        return out;
    }

    // ---------------------------------------------------------------- encoding

    private static int toAf(int family) {
        return switch (family) {
            case 0 -> AF_UNSPEC;
            case 4 -> AF_INET;
            case 6 -> AF_INET6;
            default -> throw new IllegalArgumentException("address family must be 0, 4 or 6: " + family);
        };
    }

    private static void writeNewLink(MessageWriter w, LinkSpec spec) {
        w.ifinfomsg(AF_UNSPEC, 0, spec.bringUp() ? IFF_UP : 0, spec.bringUp() ? IFF_UP : 0);
        w.attrString(IFLA_IFNAME, spec.name());
        if (spec.mtu() > 0) w.attrInt(IFLA_MTU, spec.mtu());
        if (spec.mac() != null) w.attr(IFLA_ADDRESS, spec.mac().bytes());
        if (spec.masterIndex() > 0) w.attrInt(IFLA_MASTER, spec.masterIndex());
        if (spec.group() > 0) w.attrInt(IFLA_GROUP, spec.group());
        if (spec.namespace() != null) w.attrInt(IFLA_NET_NS_FD, spec.namespace().fd());
        switch (spec.kind()) {
            case LinkKind.Macvlan m -> w.attrInt(IFLA_LINK, m.parentIndex());
            default -> {}
        }
        int info = w.beginNest(IFLA_LINKINFO);
        w.attrString(IFLA_INFO_KIND, spec.kind().kindName());
        switch (spec.kind()) {
            case LinkKind.Bridge b -> {}
            case LinkKind.Veth(LinkKind.Peer peer) -> {
                int data = w.beginNest(IFLA_INFO_DATA);
                int peerNest = w.beginNest(VETH_INFO_PEER);
                w.ifinfomsg(AF_UNSPEC, 0, 0, 0);
                w.attrString(IFLA_IFNAME, peer.name());
                if (peer.mtu() > 0) w.attrInt(IFLA_MTU, peer.mtu());
                if (peer.mac() != null) w.attr(IFLA_ADDRESS, peer.mac().bytes());
                if (peer.namespace() != null) w.attrInt(IFLA_NET_NS_FD, peer.namespace().fd());
                w.endNest(peerNest);
                w.endNest(data);
            }
            case LinkKind.Macvlan m -> {
                int data = w.beginNest(IFLA_INFO_DATA);
                w.attrInt(IFLA_MACVLAN_MODE, m.mode().value);
                w.endNest(data);
            }
            case LinkKind.Vxlan v -> {
                int data = w.beginNest(IFLA_INFO_DATA);
                w.attrInt(IFLA_VXLAN_ID, v.vni());
                if (v.parentIndex() > 0) w.attrInt(IFLA_VXLAN_LINK, v.parentIndex());
                if (v.local() != null)
                    w.attr(v.local() instanceof Inet4Address ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, v.local().getAddress());
                if (v.group() != null)
                    w.attr(v.group() instanceof Inet4Address ? IFLA_VXLAN_GROUP : IFLA_VXLAN_GROUP6, v.group().getAddress());
                w.attrShortBigEndian(IFLA_VXLAN_PORT, v.port() == 0 ? 4789 : v.port());
                w.attrByte(IFLA_VXLAN_LEARNING, v.learning() ? 1 : 0);
                w.endNest(data);
            }
        }
        w.endNest(info);
    }

    private static void writeAddress(MessageWriter w, int ifindex, IpPrefix prefix) {
        boolean v4 = prefix.address() instanceof Inet4Address;
        // Containers and bridges get their IPv6 addresses usable at once: no duplicate address detection wait.
        w.ifaddrmsg(v4 ? AF_INET : AF_INET6, prefix.prefixLength(), v4 ? 0 : IFA_F_NODAD, RT_SCOPE_UNIVERSE, ifindex);
        byte[] addr = prefix.address().getAddress();
        w.attr(IFA_LOCAL, addr);
        w.attr(IFA_ADDRESS, addr);
        if (v4 && prefix.prefixLength() < 31) w.attr(IFA_BROADCAST, broadcast(addr, prefix.prefixLength()));
        if (!v4) w.attrInt(IFA_FLAGS, IFA_F_NODAD);
    }

    private static byte[] broadcast(byte[] addr, int prefixLength) {
        int a = ((addr[0] & 0xFF) << 24) | ((addr[1] & 0xFF) << 16) | ((addr[2] & 0xFF) << 8) | (addr[3] & 0xFF);
        int b = a | (prefixLength == 0 ? -1 : (-1 >>> prefixLength));
        return new byte[]{(byte) (b >>> 24), (byte) (b >>> 16), (byte) (b >>> 8), (byte) b};
    }

    private static void writeRoute(MessageWriter w, Route r, boolean delete) {
        int af = r.family() == 4 ? AF_INET : AF_INET6;
        int dstLen = r.destination() == null ? 0 : r.destination().prefixLength();
        int table = r.table() == 0 ? RT_TABLE_MAIN : r.table();
        int scope = delete ? 255 : (r.scope() != 0 ? r.scope() : (r.gateway() == null && r.destination() != null && r.outIndex() > 0 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE));
        w.rtmsg(af, dstLen, table < 256 ? table : 0, delete ? 0 : r.protocol(), scope, delete ? 0 : RTN_UNICAST, r.gatewayOnLink() ? RTNH_F_ONLINK : 0);
        if (r.destination() != null) w.attr(RTA_DST, r.destination().address().getAddress());
        if (r.gateway() != null) w.attr(RTA_GATEWAY, r.gateway().getAddress());
        if (r.outIndex() > 0) w.attrInt(RTA_OIF, r.outIndex());
        if (r.priority() > 0) w.attrInt(RTA_PRIORITY, r.priority());
        if (r.preferredSource() != null) w.attr(RTA_PREFSRC, r.preferredSource().getAddress());
        w.attrInt(RTA_TABLE, table);
    }

    private static String describe(Route r) {
        StringBuilder sb = new StringBuilder(r.destination() == null ? "default" : r.destination().toString());
        if (r.gateway() != null) sb.append(" via ").append(r.gateway().getHostAddress());
        if (r.outIndex() > 0) sb.append(" dev #").append(r.outIndex());
        if (r.table() != 0 && r.table() != RT_TABLE_MAIN) sb.append(" table ").append(r.table());
        return sb.toString();
    }

    // ---------------------------------------------------------------- receiving

    /** Reads acks for sequence numbers first..first+n-1; returns the first refusal, if any. */
    private KernelException awaitAcks(int first, List<Batch.Request> requests) {
        int pending = requests.size();
        KernelException firstError = null;
        int firstErrorSeq = Integer.MAX_VALUE;
        while (pending > 0) {
            ByteBuffer data = socket.receive("rtnetlink acks in " + namespaceName);
            int pos = 0;
            while (pos + NLMSG_HDRLEN <= data.limit()) {
                int len = data.getInt(pos);
                int type = data.getShort(pos + 4) & 0xFFFF;
                int seq = data.getInt(pos + 8);
                if (len < NLMSG_HDRLEN || pos + len > data.limit()) break;
                int index = seq - first;
                if (type == NLMSG_ERROR && index >= 0 && index < requests.size()) {
                    pending--;
                    int error = -data.getInt(pos + NLMSG_HDRLEN);
                    if (error != 0 && seq < firstErrorSeq) {
                        Batch.Request r = requests.get(index);
                        firstError = new KernelException(error, r.operation(), r.object() + inNamespace(), extendedAckMessage(data, pos, len));
                        firstErrorSeq = seq;
                    }
                }
                pos += align(len);
            }
        }
        return firstError;
    }

    private String inNamespace() {
        return "host".equals(namespaceName) ? "" : " (netns " + namespaceName + ")";
    }

    /** The kernel's own explanation (NLMSGERR_ATTR_MSG), if it sent one. */
    private static String extendedAckMessage(ByteBuffer data, int pos, int len) {
        int flags = data.getShort(pos + 6) & 0xFFFF;
        if ((flags & NLM_F_ACK_TLVS) == 0) return null;
        int offset = pos + NLMSG_HDRLEN + 4;
        int originalLen = data.getInt(offset);
        offset += (flags & NLM_F_CAPPED) != 0 ? NLMSG_HDRLEN : align(originalLen);
        int end = pos + len;
        while (offset + 4 <= end) {
            int alen = data.getShort(offset) & 0xFFFF;
            int atype = data.getShort(offset + 2) & 0x7FFF;
            if (alen < 4) break;
            if (atype == NLMSGERR_ATTR_MSG) return string(data, offset + 4, alen - 4);
            offset += align(alen);
        }
        return null;
    }

    private record Message(ByteBuffer data, int payload, int end) {}

    private synchronized Optional<Link> getLink(String object, Consumer<MessageWriter> body) {
        writer.reset();
        int seq = ++sequence;
        writer.begin(RTM_GETLINK, NLM_F_REQUEST, seq);
        body.accept(writer);
        writer.end();
        socket.send(writer.buffer(), object);
        while (true) {
            ByteBuffer data = socket.receive(object);
            int pos = 0;
            while (pos + NLMSG_HDRLEN <= data.limit()) {
                int len = data.getInt(pos);
                int type = data.getShort(pos + 4) & 0xFFFF;
                if (len < NLMSG_HDRLEN) break;
                if (data.getInt(pos + 8) == seq) {
                    if (type == NLMSG_ERROR) {
                        int error = -data.getInt(pos + NLMSG_HDRLEN);
                        if (error == KernelException.ENODEV) return Optional.empty();
                        throw new KernelException(error, "get link", object + inNamespace(), extendedAckMessage(data, pos, len));
                    }
                    if (type == RTM_NEWLINK) return Optional.of(parseLink(new Message(data, pos + NLMSG_HDRLEN, pos + len)));
                }
                pos += align(len);
            }
        }
    }

    private synchronized void dump(int type, Consumer<MessageWriter> body, String what, Consumer<Message> sink) {
        writer.reset();
        int seq = ++sequence;
        writer.begin(type, NLM_F_REQUEST | NLM_F_DUMP, seq);
        body.accept(writer);
        writer.end();
        socket.send(writer.buffer(), what);
        while (true) {
            ByteBuffer data = socket.receive(what);
            int pos = 0;
            while (pos + NLMSG_HDRLEN <= data.limit()) {
                int len = data.getInt(pos);
                int mtype = data.getShort(pos + 4) & 0xFFFF;
                if (len < NLMSG_HDRLEN) break;
                if (data.getInt(pos + 8) == seq) {
                    if (mtype == NLMSG_DONE) return;
                    if (mtype == NLMSG_ERROR) {
                        int error = -data.getInt(pos + NLMSG_HDRLEN);
                        if (error != 0) throw new KernelException(error, "list", what + inNamespace(), extendedAckMessage(data, pos, len));
                        return;
                    }
                    sink.accept(new Message(data, pos + NLMSG_HDRLEN, pos + len));
                }
                pos += align(len);
            }
        }
    }

    private interface AttributeVisitor {
        void visit(int type, int offset, int length);
    }

    private static void attributes(ByteBuffer data, int from, int end, AttributeVisitor visitor) {
        int offset = from;
        while (offset + 4 <= end) {
            int len = data.getShort(offset) & 0xFFFF;
            int type = data.getShort(offset + 2) & 0x3FFF;
            if (len < 4 || offset + len > end) break;
            visitor.visit(type, offset + 4, len - 4);
            offset += align(len);
        }
    }

    private static String string(ByteBuffer data, int offset, int length) {
        int n = 0;
        while (n < length && data.get(offset + n) != 0) n++;
        byte[] b = new byte[n];
        data.get(offset, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer data, int offset, int length) {
        byte[] b = new byte[length];
        data.get(offset, b);
        return b;
    }

    private static InetAddress address(ByteBuffer data, int offset, int length) {
        try {
            return InetAddress.getByAddress(bytes(data, offset, length));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("kernel sent an address of " + length + " bytes");
        }
    }

    private static Link parseLink(Message m) {
        ByteBuffer d = m.data();
        int index = d.getInt(m.payload() + 4);
        int flags = d.getInt(m.payload() + 8);
        var a = new Object() {
            String name = "", kind = "";
            int mtu, master, link, group, operState;
            MacAddress mac;
        };
        attributes(d, m.payload() + IFINFOMSG_LEN, m.end(), (type, off, len) -> {
            switch (type) {
                case IFLA_IFNAME -> a.name = string(d, off, len);
                case IFLA_MTU -> a.mtu = d.getInt(off);
                case IFLA_ADDRESS -> { if (len == 6) a.mac = MacAddress.of(bytes(d, off, 6)); }
                case IFLA_MASTER -> a.master = d.getInt(off);
                case IFLA_LINK -> a.link = d.getInt(off);
                case IFLA_GROUP -> a.group = d.getInt(off);
                case IFLA_OPERSTATE -> a.operState = d.get(off) & 0xFF;
                case IFLA_LINKINFO -> attributes(d, off, off + len, (t, o, l) -> {
                    if (t == IFLA_INFO_KIND) a.kind = string(d, o, l);
                });
                default -> {}
            }
        });
        return new Link(index, a.name, a.kind, flags, a.mtu, a.mac, a.master, a.link, a.group, a.operState);
    }

    private static Address parseAddress(Message m) {
        ByteBuffer d = m.data();
        int p = m.payload();
        int family = d.get(p) & 0xFF;
        int prefixLength = d.get(p + 1) & 0xFF;
        int flags = d.get(p + 2) & 0xFF;
        int scope = d.get(p + 3) & 0xFF;
        int index = d.getInt(p + 4);
        var a = new Object() { InetAddress local, address; int flags32 = -1; };
        attributes(d, p + IFADDRMSG_LEN, m.end(), (type, off, len) -> {
            switch (type) {
                case IFA_LOCAL -> a.local = address(d, off, len);
                case IFA_ADDRESS -> a.address = address(d, off, len);
                case IFA_FLAGS -> a.flags32 = d.getInt(off);
                default -> {}
            }
        });
        InetAddress addr = family == AF_INET && a.local != null ? a.local : a.address;
        if (addr == null) return null;
        return new Address(index, new IpPrefix(addr, prefixLength), scope, a.flags32 >= 0 ? a.flags32 : flags);
    }

    private static Route parseRoute(Message m) {
        ByteBuffer d = m.data();
        int p = m.payload();
        int family = d.get(p) & 0xFF;
        if (family != AF_INET && family != AF_INET6) return null;
        int dstLen = d.get(p + 1) & 0xFF;
        int tableByte = d.get(p + 4) & 0xFF;
        int protocol = d.get(p + 5) & 0xFF;
        int scope = d.get(p + 6) & 0xFF;
        int rflags = d.getInt(p + 8);
        var a = new Object() { InetAddress dst, gateway, prefsrc; int oif, table = tableByte, priority; };
        attributes(d, p + RTMSG_LEN, m.end(), (type, off, len) -> {
            switch (type) {
                case RTA_DST -> a.dst = address(d, off, len);
                case RTA_GATEWAY -> a.gateway = address(d, off, len);
                case RTA_PREFSRC -> a.prefsrc = address(d, off, len);
                case RTA_OIF -> a.oif = d.getInt(off);
                case RTA_TABLE -> a.table = d.getInt(off);
                case RTA_PRIORITY -> a.priority = d.getInt(off);
                default -> {}
            }
        });
        int fam = family == AF_INET ? 4 : 6;
        IpPrefix dst = a.dst == null ? null : new IpPrefix(a.dst, dstLen);
        return new Route(fam, dst, a.gateway, a.oif, a.table, scope, protocol, (rflags & RTNH_F_ONLINK) != 0, a.priority, a.prefsrc);
    }
}
