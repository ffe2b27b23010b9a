package dev.pier.linux;

import dev.pier.linux.internal.Libc;
import dev.pier.linux.internal.Sockaddr;

import java.io.Closeable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A host port held by a bound socket of the calling thread's namespace, so that no other program can
 * bind it: TCP, UDP or SCTP, IPv4 or IPv6. Made here rather than with the JDK's channels because an
 * IPv6 wildcard must hold IPv6 alone ({@code IPV6_V6ONLY}, which the JDK cannot set: without it
 * {@code [::]} also takes the IPv4 port), and SCTP needs no libsctp this way.
 */
public final class BoundPort implements Closeable {
    public enum Transport {
        TCP(1 /* SOCK_STREAM */, 6), UDP(2 /* SOCK_DGRAM */, 17), SCTP(1 /* SOCK_STREAM */, 132);

        final int type, protocol;

        Transport(int type, int protocol) {
            this.type = type;
            this.protocol = protocol;
        }
    }

    private static final int IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26;
    private static final int SOCK_CLOEXEC = 0x80000;

    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private BoundPort(int fd) {
        this.fd = fd;
    }

    /**
     * Binds {@code address:port}; with {@code listen}, a TCP socket also listens (backlog 1, never
     * accepted), so the port shows in {@code ss -ltn}.
     *
     * @throws KernelException EADDRINUSE when another socket has the port, EPROTONOSUPPORT when the
     *                         kernel lacks the protocol (SCTP), EADDRNOTAVAIL when the address is not the host's
     */
    public static BoundPort bind(Transport transport, InetAddress address, int port, boolean listen) {
        boolean v6 = address instanceof Inet6Address;
        String object = transport.name().toLowerCase(java.util.Locale.ROOT) + " port " + (v6 ? "[" + address.getHostAddress() + "]" : address.getHostAddress()) + ":" + port;
        int fd = Libc.socket(v6 ? Sockaddr.AF_INET6 : Sockaddr.AF_INET, transport.type | SOCK_CLOEXEC, transport.protocol, object);
        try {
            if (v6) Libc.setsockoptInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sa = Sockaddr.of(arena, address, port);
                Libc.bind(fd, sa, (int) sa.byteSize(), object);
            }
            if (listen && transport == Transport.TCP) Libc.listen(fd, 1, object);
            return new BoundPort(fd);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) Libc.close(fd);
    }
}
