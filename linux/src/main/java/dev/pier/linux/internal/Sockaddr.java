package dev.pier.linux.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteOrder;

/** struct sockaddr_in and sockaddr_in6, as bind, sendto and recvmmsg take and give them. */
public final class Sockaddr {
    private Sockaddr() {}

    public static final int AF_INET = 2, AF_INET6 = 10;
    public static final int IN_SIZE = 16, IN6_SIZE = 28;
    /** The port and address are in network order. */
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);

    /** A sockaddr_in or (for an IPv6 address, with its scope) a sockaddr_in6; its byteSize is its length. */
    public static MemorySegment of(Arena arena, InetAddress address, int port) {
        boolean v6 = address instanceof Inet6Address;
        MemorySegment sa = arena.allocate(v6 ? IN6_SIZE : IN_SIZE, 4);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) (v6 ? AF_INET6 : AF_INET));
        sa.set(NET_SHORT, 2, (short) port);
        byte[] ip = address.getAddress();
        MemorySegment.copy(ip, 0, sa, ValueLayout.JAVA_BYTE, v6 ? 8 : 4, ip.length);
        if (v6 && ((Inet6Address) address).getScopeId() != 0) sa.set(ValueLayout.JAVA_INT, 24, ((Inet6Address) address).getScopeId());
        return sa;
    }

    /** Fills {@code sin} (IN_SIZE bytes) with an IPv4 address given as a 32-bit number. */
    public static void writeIpv4(MemorySegment sin, int address, int port) {
        sin.fill((byte) 0);
        sin.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
        sin.set(NET_SHORT, 2, (short) port);
        sin.set(NET_INT, 4, address);
    }

    /** The IPv4 address of a sockaddr_in at {@code offset}, as a 32-bit number. */
    public static int ipv4Address(MemorySegment segment, long offset) {
        return segment.get(NET_INT, offset + 4);
    }

    public static int port(MemorySegment segment, long offset) {
        return Short.toUnsignedInt(segment.get(NET_SHORT, offset + 2));
    }
}
