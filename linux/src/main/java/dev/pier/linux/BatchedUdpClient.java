package dev.pier.linux;

import dev.pier.linux.internal.Libc;
import dev.pier.linux.internal.Sockaddr;
import dev.pier.linux.internal.UdpCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * IPv4 UDP sockets of the calling thread's namespace, all connected to one server, that send and
 * receive in batches ({@code sendmmsg}, {@code recvmmsg}) and are waited on together (epoll with a
 * nanosecond timeout). Made for a load tool: it moves many small datagrams in few system calls, so
 * the tool takes little of the CPU it shares with the server it measures. Each datagram received
 * carries the time the kernel took it in (SO_TIMESTAMPNS), so a tool that reads its answers late, in
 * batches, still measures their latency to the microsecond. One thread uses it.
 */
public final class BatchedUdpClient implements AutoCloseable {
    /** Datagrams per system call, each way. */
    public static final int BATCH = 64;
    /** Longer datagrams are received cut short (their {@link #length} is still the whole). */
    public static final int MAX_DATAGRAM = 4096;
    private static final int SOCK_DGRAM = 2, SO_TIMESTAMPNS = 35;
    /** A cmsghdr (length, level, type: 16 bytes) and its struct timespec (16 bytes). */
    private static final long CONTROL_SIZE = 32;

    private final Arena arena = Arena.ofConfined();
    private final int[] fds;
    private final int epfd;
    private final MemorySegment events, timeout, scratchEvent;
    private final MemorySegment outHeaders, outIovecs, outData, inHeaders, inData, inControl;
    private int received;

    private BatchedUdpClient(int[] fds, int epfd) {
        this.fds = fds;
        this.epfd = epfd;
        events = arena.allocate(UdpCalls.EPOLL_EVENT_SIZE * fds.length, 8);
        timeout = arena.allocate(16, 8);
        scratchEvent = arena.allocate(UdpCalls.EPOLL_EVENT_SIZE, 8);
        outHeaders = arena.allocate(UdpCalls.MMSGHDR_SIZE * BATCH, 8);
        outIovecs = arena.allocate(UdpCalls.IOVEC_SIZE * BATCH, 8);
        outData = arena.allocate((long) MAX_DATAGRAM * BATCH, 8);
        inHeaders = arena.allocate(UdpCalls.MMSGHDR_SIZE * BATCH, 8);
        MemorySegment inIovecs = arena.allocate(UdpCalls.IOVEC_SIZE * BATCH, 8);
        inData = arena.allocate((long) MAX_DATAGRAM * BATCH, 8);
        inControl = arena.allocate(CONTROL_SIZE * BATCH, 8);
        for (int i = 0; i < BATCH; i++) {
            long h = i * UdpCalls.MMSGHDR_SIZE, v = i * UdpCalls.IOVEC_SIZE;
            outIovecs.set(ADDRESS, v, outData.asSlice((long) i * MAX_DATAGRAM, MAX_DATAGRAM));
            outHeaders.set(ADDRESS, h + UdpCalls.MSG_IOV, outIovecs.asSlice(v, UdpCalls.IOVEC_SIZE));
            outHeaders.set(JAVA_LONG, h + UdpCalls.MSG_IOVLEN, 1);
            inIovecs.set(ADDRESS, v, inData.asSlice((long) i * MAX_DATAGRAM, MAX_DATAGRAM));
            inIovecs.set(JAVA_LONG, v + 8, MAX_DATAGRAM);
            inHeaders.set(ADDRESS, h + UdpCalls.MSG_IOV, inIovecs.asSlice(v, UdpCalls.IOVEC_SIZE));
            inHeaders.set(JAVA_LONG, h + UdpCalls.MSG_IOVLEN, 1);
            inHeaders.set(ADDRESS, h + UdpCalls.MSG_CONTROL, inControl.asSlice(i * CONTROL_SIZE, CONTROL_SIZE));
        }
    }

    /** {@code sockets} sockets, each bound to a free port and connected to {@code server}. */
    public static BatchedUdpClient connect(InetSocketAddress server, int sockets) {
        if (!(server.getAddress() instanceof Inet4Address v4)) throw new IllegalArgumentException("IPv4 only: " + server);
        if (sockets < 1) throw new IllegalArgumentException("sockets: " + sockets);
        String object = "udp to " + v4.getHostAddress() + ":" + server.getPort();
        int[] fds = new int[sockets];
        int created = 0, epfd = -1;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment to = Sockaddr.of(scratch, v4, server.getPort());
            MemorySegment event = scratch.allocate(UdpCalls.EPOLL_EVENT_SIZE, 8);
            epfd = UdpCalls.epollCreate();
            while (created < sockets) {
                int fd = Libc.socket(Sockaddr.AF_INET, SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0, object);
                fds[created++] = fd;
                Libc.connect(fd, to, Sockaddr.IN_SIZE, object);
                Libc.setsockoptInt(fd, Libc.SOL_SOCKET, SO_TIMESTAMPNS, 1);
                UdpCalls.epollCtl(epfd, UdpCalls.EPOLL_CTL_ADD, fd, event);
            }
            return new BatchedUdpClient(fds, epfd);
        } catch (RuntimeException e) {
            for (int i = 0; i < created; i++) Libc.close(fds[i]);
            if (epfd >= 0) Libc.close(epfd);
            throw e;
        }
    }

    public int sockets() {
        return fds.length;
    }

    /**
     * Sends {@code datagrams[from, from + count)} on socket {@code socket}, in calls of up to
     * {@link #BATCH}, without waiting. Returns how many the kernel took: a full buffer or a refusal
     * stops it there.
     */
    public int send(int socket, byte[][] datagrams, int from, int count) {
        int fd = fds[socket], sent = 0;
        while (sent < count) {
            int n = Math.min(BATCH, count - sent);
            for (int k = 0; k < n; k++) {
                byte[] d = datagrams[from + sent + k];
                if (d.length > MAX_DATAGRAM) throw new IllegalArgumentException("datagram of " + d.length + " bytes");
                MemorySegment.copy(d, 0, outData, JAVA_BYTE, (long) k * MAX_DATAGRAM, d.length);
                outIovecs.set(JAVA_LONG, k * UdpCalls.IOVEC_SIZE + 8, d.length);
            }
            int took = UdpCalls.sendmmsg(fd, outHeaders, n);
            sent += took;
            if (took < n) break;
        }
        return sent;
    }

    /**
     * Waits until a socket has datagrams queued, at most {@code timeoutNanos} (negative: without
     * limit). Writes the ready sockets' indexes into {@code ready}; returns how many.
     */
    public int await(int[] ready, long timeoutNanos) {
        int n = UdpCalls.epollWaitNanos(epfd, events, fds.length, timeoutNanos, timeout);
        for (int i = 0; i < n; i++) ready[i] = indexOf(events.get(JAVA_INT, i * UdpCalls.EPOLL_EVENT_SIZE + 4));
        return n;
    }

    private int indexOf(int fd) {
        for (int i = 0; i < fds.length; i++) if (fds[i] == fd) return i;
        throw new IllegalStateException("not one of ours: fd " + fd);
    }

    /** One {@code recvmmsg} of up to {@link #BATCH} datagrams, without waiting; readable with {@link #read} until the next. */
    public int receive(int socket) {
        // The kernel writes back how much control data it used: each call needs the room again.
        for (int i = 0; i < BATCH; i++) inHeaders.set(JAVA_LONG, i * UdpCalls.MMSGHDR_SIZE + UdpCalls.MSG_CONTROLLEN, CONTROL_SIZE);
        received = UdpCalls.recvmmsg(fds[socket], inHeaders, BATCH);
        return received;
    }

    /**
     * When the kernel took received datagram {@code i} in, as nanoseconds since the epoch (the
     * real-time clock, as {@code Instant.now()} reads it); -1 if it gave no time.
     */
    public long receivedAtEpochNanos(int i) {
        check(i);
        long used = inHeaders.get(JAVA_LONG, i * UdpCalls.MMSGHDR_SIZE + UdpCalls.MSG_CONTROLLEN);
        long c = i * CONTROL_SIZE;
        if (used < CONTROL_SIZE || inControl.get(JAVA_INT, c + 8) != Libc.SOL_SOCKET || inControl.get(JAVA_INT, c + 12) != SO_TIMESTAMPNS) return -1;
        return inControl.get(JAVA_LONG, c + 16) * 1_000_000_000L + inControl.get(JAVA_LONG, c + 24);
    }

    /** The whole length of received datagram {@code i}. */
    public int length(int i) {
        check(i);
        return inHeaders.get(JAVA_INT, i * UdpCalls.MMSGHDR_SIZE + UdpCalls.MSG_LEN);
    }

    /** Copies the start of received datagram {@code i} into {@code into}; returns the bytes copied. */
    public int read(int i, byte[] into) {
        int n = Math.min(Math.min(length(i), MAX_DATAGRAM), into.length);
        MemorySegment.copy(inData, JAVA_BYTE, (long) i * MAX_DATAGRAM, into, 0, n);
        return n;
    }

    private void check(int i) {
        if (i < 0 || i >= received) throw new IndexOutOfBoundsException(i);
    }

    @Override
    public void close() {
        for (int fd : fds) Libc.close(fd);
        Libc.close(epfd);
        arena.close();
    }
}
