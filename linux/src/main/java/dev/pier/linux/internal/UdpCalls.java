package dev.pier.linux.internal;

import dev.pier.linux.KernelException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * epoll, eventfd and the batched datagram calls (recvmmsg, sendmmsg) behind {@code UdpPoller}. Same
 * discipline as {@link Libc}: errno captured at the call. The non-blocking datagram calls are
 * critical downcalls (no thread-state transition): they never wait, and they run for every batch.
 */
public final class UdpCalls {
    private UdpCalls() {}

    public static final int EPOLLIN = 1, EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2;
    public static final int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;
    public static final int MSG_DONTWAIT = 0x40, MSG_TRUNC = 0x20;
    /** struct epoll_event is packed on x86_64: u32 events, then u64 data at offset 4. */
    public static final long EPOLL_EVENT_SIZE = 12;
    /** struct mmsghdr: a struct msghdr (56 bytes) and the u32 msg_len, padded to 64. */
    public static final long MMSGHDR_SIZE = 64, MSG_NAME = 0, MSG_NAMELEN = 8, MSG_IOV = 16, MSG_IOVLEN = 24,
            MSG_CONTROL = 32, MSG_CONTROLLEN = 40, MSG_FLAGS = 48, MSG_LEN = 56;
    public static final long IOVEC_SIZE = 16;

    private static final MethodHandle EPOLL_CREATE1 = Libc.downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = Libc.downcall("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = Libc.downcall("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_PWAIT2 = Libc.downcall("epoll_pwait2",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle EVENTFD = Libc.downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle WRITE = Libc.downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READ = Libc.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle RECVMMSG = critical("recvmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SENDMMSG = critical("sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDTO = critical("sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    private static MethodHandle critical(String name, FunctionDescriptor descriptor) {
        return Libc.LINKER.downcallHandle(Libc.LIBC.find(name).orElseThrow(), descriptor, Libc.CAPTURE_ERRNO,
                Linker.Option.critical(false));
    }

    public static int epollCreate() {
        MemorySegment st = Libc.state();
        try {
            return Libc.check((int) EPOLL_CREATE1.invokeExact(st, Libc.O_CLOEXEC), st, "epoll_create1", "udp poller");
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** epoll_ctl with EPOLLIN and the fd itself as the event's data; {@code event} is 12 bytes of scratch. */
    public static void epollCtl(int epfd, int op, int fd, MemorySegment event) {
        event.set(JAVA_INT, 0, EPOLLIN);
        event.set(JAVA_INT, 4, fd);
        event.set(JAVA_INT, 8, 0);
        MemorySegment st = Libc.state();
        try {
            Libc.check((int) EPOLL_CTL.invokeExact(st, epfd, op, fd, event), st, "epoll_ctl", "fd " + fd);
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** The number of events, 0 on EINTR. */
    public static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) {
        MemorySegment st = Libc.state();
        try {
            int n = (int) EPOLL_WAIT.invokeExact(st, epfd, events, max, timeoutMillis);
            if (n >= 0) return n;
            int e = Libc.errno(st);
            if (e == Errno.EINTR) return 0;
            throw new KernelException(e, "epoll_wait", "udp poller");
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /**
     * epoll_wait with a timeout in nanoseconds ({@code timeout}: 16 bytes of scratch; a negative
     * timeout waits without limit). The number of events, 0 on EINTR.
     */
    public static int epollWaitNanos(int epfd, MemorySegment events, int max, long timeoutNanos, MemorySegment timeout) {
        MemorySegment ts = MemorySegment.NULL;
        if (timeoutNanos >= 0) {
            timeout.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            timeout.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            ts = timeout;
        }
        MemorySegment st = Libc.state();
        try {
            int n = (int) EPOLL_PWAIT2.invokeExact(st, epfd, events, max, ts, MemorySegment.NULL, 0L);
            if (n >= 0) return n;
            int e = Libc.errno(st);
            if (e == Errno.EINTR) return 0;
            throw new KernelException(e, "epoll_pwait2", "udp sockets");
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    public static int eventfd() {
        MemorySegment st = Libc.state();
        try {
            return Libc.check((int) EVENTFD.invokeExact(st, 0, EFD_NONBLOCK | EFD_CLOEXEC), st, "eventfd", "udp poller");
        } catch (KernelException e) { throw e; } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** Adds 1 to the eventfd's counter (8 bytes of scratch in {@code buf}); a full counter already wakes. */
    public static void eventfdSignal(int fd, MemorySegment buf) {
        buf.set(JAVA_LONG, 0, 1L);
        try {
            long ignored = (long) WRITE.invokeExact(Libc.state(), fd, buf, 8L);
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** Resets the eventfd's counter. */
    public static void eventfdDrain(int fd, MemorySegment buf) {
        try {
            long ignored = (long) READ.invokeExact(Libc.state(), fd, buf, 8L);
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** Datagrams received without waiting; 0 when none is queued (or the socket reports an error: dropped). */
    public static int recvmmsg(int fd, MemorySegment msgvec, int vlen) {
        MemorySegment st = Libc.state();
        try {
            int n = (int) RECVMMSG.invokeExact(st, fd, msgvec, vlen, MSG_DONTWAIT, MemorySegment.NULL);
            return Math.max(n, 0);
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** Datagrams sent without waiting; a full buffer drops the rest, as UDP may. */
    public static int sendmmsg(int fd, MemorySegment msgvec, int vlen) {
        MemorySegment st = Libc.state();
        try {
            int n = (int) SENDMMSG.invokeExact(st, fd, msgvec, vlen, MSG_DONTWAIT);
            return Math.max(n, 0);
        } catch (Throwable t) { throw new AssertionError(t); }
    }

    /** One datagram sent without waiting; false when the kernel refused it. */
    public static boolean sendto(int fd, MemorySegment data, MemorySegment address, int addressLength) {
        try {
            return (long) SENDTO.invokeExact(Libc.state(), fd, data, data.byteSize(), MSG_DONTWAIT, address, addressLength) >= 0;
        } catch (Throwable t) { throw new AssertionError(t); }
    }
}
