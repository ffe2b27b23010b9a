package dev.pier.linux;

import dev.pier.linux.internal.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;

/** How the kernel spreads datagrams over the sockets that share a UDP address (SO_REUSEPORT). */
public final class ReusePort {
    private ReusePort() {}

    private static final int SO_ATTACH_REUSEPORT_CBPF = 51;
    private static final int BPF_LD_W_ABS = 0x20, BPF_ALU_MOD_K = 0x94, BPF_RET_A = 0x16;
    /** SKF_AD_OFF + SKF_AD_RANDOM: a load from there gives a random 32-bit number. */
    private static final int SKF_AD_RANDOM = -0x1000 + 56;

    /**
     * Makes the kernel hand each datagram for {@code address} to one of the first {@code sockets}
     * sockets of its reuseport group at random, instead of by a hash of the sender's address and
     * port: a client that asks from one or two ports then still spreads over every socket (and
     * every thread serving them). Must run in the namespace of the sockets, after they are bound,
     * from the same user. The program stays with the group; the socket used to attach it is
     * closed here.
     */
    public static void spreadAtRandom(InetSocketAddress address, int sockets) {
        if (sockets < 1) throw new IllegalArgumentException("sockets: " + sockets);
        // Joins the group as its last member: the indices 0..sockets-1 stay the callers' sockets.
        try (UdpSocket member = UdpSocket.bind(address, true, 0); Arena arena = Arena.ofConfined()) {
            MemorySegment filter = arena.allocate(8 * 3, 8);   // struct sock_filter[3]: code, jt, jf, k
            instruction(filter, 0, BPF_LD_W_ABS, SKF_AD_RANDOM);
            instruction(filter, 1, BPF_ALU_MOD_K, sockets);
            instruction(filter, 2, BPF_RET_A, 0);
            MemorySegment program = arena.allocate(16, 8);     // struct sock_fprog: length, then a pointer
            program.set(ValueLayout.JAVA_SHORT, 0, (short) 3);
            program.set(ValueLayout.ADDRESS, 8, filter);
            Libc.setsockopt(member.fd, Libc.SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, program, "reuseport group of " + address);
        }
    }

    private static void instruction(MemorySegment filter, int index, int code, int k) {
        filter.set(ValueLayout.JAVA_SHORT, index * 8L, (short) code);
        filter.set(ValueLayout.JAVA_INT, index * 8L + 4, k);
    }
}
