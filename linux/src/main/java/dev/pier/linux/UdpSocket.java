package dev.pier.linux;

import dev.pier.linux.internal.Libc;
import dev.pier.linux.internal.Sockaddr;
import dev.pier.linux.internal.UdpCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An IPv4 UDP socket of the calling thread's namespace, served in batches by a {@link UdpPoller}.
 * Once registered, only the poller's thread uses the descriptor (sends from other threads and the
 * close are handed to it), so a closed descriptor's number can never be reused under a call in flight.
 */
public final class UdpSocket implements AutoCloseable {
    private static final int SOCK_DGRAM = 2, SO_REUSEPORT = 15;

    final int fd;
    private final InetSocketAddress local;
    private volatile UdpPoller poller;
    private final AtomicBoolean closeRequested = new AtomicBoolean(), descriptorClosed = new AtomicBoolean();

    private UdpSocket(int fd, InetSocketAddress local) {
        this.fd = fd;
        this.local = local;
    }

    /**
     * Binds {@code address} (port 0: any free port) in the calling thread's namespace.
     *
     * @param reusePort      join the group of sockets sharing the address (SO_REUSEPORT)
     * @param receiveBuffer  SO_RCVBUF in bytes (capped by net.core.rmem_max), 0 for the default
     */
    public static UdpSocket bind(InetSocketAddress address, boolean reusePort, int receiveBuffer) {
        if (!(address.getAddress() instanceof Inet4Address v4)) throw new IllegalArgumentException("IPv4 only: " + address);
        String object = "udp " + v4.getHostAddress() + ":" + address.getPort();
        int fd = Libc.socket(Sockaddr.AF_INET, SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0, object);
        try (Arena arena = Arena.ofConfined()) {
            if (reusePort) Libc.setsockoptInt(fd, Libc.SOL_SOCKET, SO_REUSEPORT, 1);
            if (receiveBuffer > 0) Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, receiveBuffer);
            Libc.bind(fd, Sockaddr.of(arena, v4, address.getPort()), Sockaddr.IN_SIZE, object);
            MemorySegment bound = arena.allocate(Sockaddr.IN_SIZE, 4);
            Libc.getsockname(fd, bound, object);
            return new UdpSocket(fd, new InetSocketAddress(v4, Sockaddr.port(bound, 0)));
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    /**
     * Sends one datagram, without waiting: from the poller's thread when registered (later, in
     * order), else at once from the caller's. Dropped when the socket is closed or its buffer full.
     */
    public void send(byte[] datagram, UdpPeer to) {
        UdpPoller p = poller;
        if (p != null) {
            p.sendLater(this, datagram, to);
            return;
        }
        if (closeRequested.get()) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sin = arena.allocate(Sockaddr.IN_SIZE, 4);
            Sockaddr.writeIpv4(sin, to.address(), to.port());
            UdpCalls.sendto(fd, arena.allocateFrom(ValueLayout.JAVA_BYTE, datagram), sin, Sockaddr.IN_SIZE);
        }
    }

    void attach(UdpPoller p) {
        synchronized (this) {
            if (poller != null) throw new IllegalStateException("already served by a poller: " + local);
            if (closeRequested.get()) throw new IllegalStateException("closed: " + local);
            poller = p;
        }
    }

    boolean closing() {
        return closeRequested.get();
    }

    /** The one close(2) of the descriptor, by whoever gets here first. */
    void closeDescriptor() {
        if (descriptorClosed.compareAndSet(false, true)) Libc.close(fd);
    }

    @Override
    public void close() {
        UdpPoller p;
        synchronized (this) {
            if (!closeRequested.compareAndSet(false, true)) return;
            p = poller;
        }
        if (p == null || !p.forgetLater(this)) closeDescriptor();
    }

    @Override
    public String toString() {
        return "udp " + local;
    }
}
