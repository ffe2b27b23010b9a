package dev.pier.linux.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One netlink socket (NETLINK_ROUTE unless told). It belongs to the network namespace of the thread that opened it,
 * for its whole life, whichever thread uses it later.
 */
public final class NetlinkSocket implements AutoCloseable {
    /**
     * The kernel caps one datagram at 32 KiB (dump skbs) plus headers; 64 KiB leaves room. A
     * datagram that would not fit is refused loudly rather than cut (see receive).
     */
    private static final int RECEIVE_BUFFER = 64 << 10;

    private final int fd;
    // An automatic arena: closing a shared one costs a handshake with every thread of the JVM, and
    // sockets opened inside a namespace for one endpoint live a few hundred microseconds.
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment msghdr;
    private final MemorySegment iov;
    private final MemorySegment kernelAddress;
    private final ByteBuffer receive;
    private boolean closed;

    public NetlinkSocket() {
        this(Libc.NETLINK_ROUTE);
    }

    public NetlinkSocket(int protocol) {
        fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, protocol);
        try {
            Libc.setsockoptInt(fd, Libc.SOL_NETLINK, Libc.NETLINK_EXT_ACK, 1);
            Libc.setsockoptInt(fd, Libc.SOL_NETLINK, Rtnl.NETLINK_CAP_ACK, 1);
            // Large batches produce one ack per request: make room so none is dropped (ENOBUFS).
            Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, 8 << 20);
            Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUFFORCE, 8 << 20);
            MemorySegment local = arena.allocate(Libc.SOCKADDR_NL);
            local.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_NETLINK);
            Libc.bind(fd, local, (int) Libc.SOCKADDR_NL.byteSize());
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        kernelAddress = arena.allocate(Libc.SOCKADDR_NL);
        kernelAddress.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_NETLINK);
        iov = arena.allocate(Libc.IOVEC);
        msghdr = arena.allocate(Libc.MSGHDR);
        msghdr.set(ValueLayout.ADDRESS, 0, kernelAddress);
        msghdr.set(ValueLayout.JAVA_INT, 8, (int) Libc.SOCKADDR_NL.byteSize());
        msghdr.set(ValueLayout.ADDRESS, 16, iov);
        msghdr.set(ValueLayout.JAVA_LONG, 24, 1L);
        receive = ByteBuffer.allocateDirect(RECEIVE_BUFFER).order(ByteOrder.nativeOrder());
    }

    /** Sends the bytes [0, position) of a direct buffer as one datagram. */
    public void send(ByteBuffer direct, String object) {
        MemorySegment data = MemorySegment.ofBuffer(direct.duplicate().flip());
        iov.set(ValueLayout.ADDRESS, 0, data);
        iov.set(ValueLayout.JAVA_LONG, 8, data.byteSize());
        Libc.sendmsg(fd, msghdr, object);
    }

    /** Receives one datagram (possibly several messages); the returned view is valid until the next call. */
    public ByteBuffer receive(String object) {
        receive.clear();
        long n = Libc.recv(fd, MemorySegment.ofBuffer(receive), Libc.MSG_TRUNC, object);
        if (n > receive.capacity()) {
            throw new IllegalStateException("netlink datagram of " + n + " bytes exceeds the " + receive.capacity() + "-byte buffer (" + object + ")");
        }
        receive.limit((int) n);
        return receive.slice().order(ByteOrder.nativeOrder());
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }
}
