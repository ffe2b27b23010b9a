package dev.pier.linux;

import dev.pier.linux.internal.MessageWriter;
import dev.pier.linux.internal.NetlinkSocket;
import dev.pier.linux.internal.Rtnl;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The connection tracking table of the calling thread's namespace, through ctnetlink: what NAT
 * decided for a flow stays in its entry, so a removed DNAT mapping goes on steering UDP "flows"
 * (no close ends them) until their entries are deleted.
 */
public final class Conntrack {
    private static final int NETLINK_NETFILTER = 12;
    private static final int NFNL_SUBSYS_CTNETLINK = 1;
    private static final int IPCTNL_MSG_CT_GET = 1, IPCTNL_MSG_CT_DELETE = 2;
    private static final int CTA_TUPLE_ORIG = 1, CTA_TUPLE_REPLY = 2;
    private static final int CTA_TUPLE_IP = 1, CTA_TUPLE_PROTO = 2;
    private static final int CTA_IP_V4_SRC = 1, CTA_IP_V6_SRC = 3, CTA_PROTO_NUM = 1, CTA_PROTO_SRC_PORT = 2, CTA_PROTO_DST_PORT = 3;
    private static final int AF_INET = 2, AF_INET6 = 10;
    private static final int NFGENMSG_LEN = 4;

    private Conntrack() {}

    /**
     * Deletes the entries of flows to {@code hostPort} that were DNATed to {@code target}:{@code targetPort}
     * (their answer comes from there), for one IP protocol (17 for UDP). Returns how many were deleted.
     */
    public static int deleteNatted(int ipProtocol, int hostPort, InetAddress target, int targetPort) {
        byte[] targetBytes = target.getAddress();
        int family = target instanceof Inet6Address ? AF_INET6 : AF_INET;
        List<byte[]> doomed = new ArrayList<>();
        try (NetlinkSocket socket = new NetlinkSocket(NETLINK_NETFILTER)) {
            MessageWriter w = new MessageWriter(64);
            w.begin(NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP, 1);
            w.nfgenmsg(family);
            w.end();
            socket.send(w.buffer(), "conntrack table");
            dump:
            while (true) {
                ByteBuffer data = socket.receive("conntrack table");
                int pos = 0;
                while (pos + Rtnl.NLMSG_HDRLEN <= data.limit()) {
                    int len = data.getInt(pos);
                    int type = data.getShort(pos + 4) & 0xFFFF;
                    if (len < Rtnl.NLMSG_HDRLEN) break dump;
                    if (type == Rtnl.NLMSG_DONE) break dump;
                    if (type == Rtnl.NLMSG_ERROR) {
                        int error = -data.getInt(pos + Rtnl.NLMSG_HDRLEN);
                        if (error != 0) throw new KernelException(error, "list", "conntrack table", "");
                        break dump;
                    }
                    byte[] orig = matching(data, pos + Rtnl.NLMSG_HDRLEN + NFGENMSG_LEN, pos + len, ipProtocol, hostPort,
                            targetBytes, targetPort);
                    if (orig != null) doomed.add(orig);
                    pos += align(len);
                }
            }
            int deleted = 0;
            int seq = 2;
            for (byte[] tuple : doomed) {
                w.reset();
                w.begin(NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, seq++);
                w.nfgenmsg(family);
                w.attr(CTA_TUPLE_ORIG, tuple);
                w.end();
                socket.send(w.buffer(), "conntrack entry");
                ByteBuffer ack = socket.receive("conntrack entry");
                int error = ack.limit() >= Rtnl.NLMSG_HDRLEN + 4 ? -ack.getInt(Rtnl.NLMSG_HDRLEN) : 0;
                // ENOENT: the entry expired meanwhile.
                if (error == 0) deleted++;
                else if (error != KernelException.ENOENT) throw new KernelException(error, "delete", "conntrack entry", "");
            }
            return deleted;
        }
    }

    /** The original tuple's payload when the entry is one to delete, else null. */
    private static byte[] matching(ByteBuffer data, int from, int end, int ipProtocol, int hostPort, byte[] target, int targetPort) {
        int[] orig = find(data, from, end, CTA_TUPLE_ORIG), reply = find(data, from, end, CTA_TUPLE_REPLY);
        if (orig == null || reply == null) return null;
        int[] origProto = find(data, orig[0], orig[1], CTA_TUPLE_PROTO);
        int[] replyProto = find(data, reply[0], reply[1], CTA_TUPLE_PROTO), replyIp = find(data, reply[0], reply[1], CTA_TUPLE_IP);
        if (origProto == null || replyProto == null || replyIp == null) return null;
        int[] num = find(data, origProto[0], origProto[1], CTA_PROTO_NUM);
        int[] dport = find(data, origProto[0], origProto[1], CTA_PROTO_DST_PORT);
        int[] rsport = find(data, replyProto[0], replyProto[1], CTA_PROTO_SRC_PORT);
        int[] rsrc = find(data, replyIp[0], replyIp[1], target.length == 16 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC);
        if (num == null || dport == null || rsport == null || rsrc == null || rsrc[1] - rsrc[0] != target.length) return null;
        if ((data.get(num[0]) & 0xFF) != ipProtocol) return null;
        if (bigEndianShort(data, dport[0]) != hostPort || bigEndianShort(data, rsport[0]) != targetPort) return null;
        for (int i = 0; i < target.length; i++) if (data.get(rsrc[0] + i) != target[i]) return null;
        byte[] tuple = new byte[orig[1] - orig[0]];
        data.get(orig[0], tuple);
        return tuple;
    }

    /** {payload start, payload end} of the first attribute of that type in [from, end), or null. */
    private static int[] find(ByteBuffer data, int from, int end, int wanted) {
        int offset = from;
        while (offset + 4 <= end) {
            int len = data.getShort(offset) & 0xFFFF;
            int type = data.getShort(offset + 2) & 0x3FFF;
            if (len < 4 || offset + len > end) return null;
            if (type == wanted) return new int[] {offset + 4, offset + len};
            offset += align(len);
        }
        return null;
    }

    private static int bigEndianShort(ByteBuffer data, int at) {
        return ((data.get(at) & 0xFF) << 8) | (data.get(at + 1) & 0xFF);
    }

    private static int align(int len) {
        return (len + 3) & ~3;
    }
}
