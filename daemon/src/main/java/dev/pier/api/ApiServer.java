package dev.pier.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The Engine API server: HTTP/1.1 on unix sockets and TCP, Netty on the JDK's own channels.
 *
 * <p>Event loops only move bytes; every request runs on its own virtual thread, so handlers may block.
 */
public final class ApiServer implements AutoCloseable {

    /** Where pierd listens unless told otherwise (Docker's is unix:///var/run/docker.sock). */
    public static final String DEFAULT_HOST = "unix://" + HostAddress.DEFAULT_SOCKET;

    private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());
    /** Docker's: owner and group (docker, here root) may connect, others not. */
    private static final String SOCKET_MODE = "rw-rw----";
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final EventLoopGroup loops;
    private final ChannelGroup connections;
    private final List<Channel> listeners = new ArrayList<>();
    private final List<Path> socketFiles = new ArrayList<>();
    private final List<String> listening = new ArrayList<>();
    private boolean closed;

    private ApiServer(EventLoopGroup loops, ChannelGroup connections) {
        this.loops = loops;
        this.connections = connections;
    }

    /**
     * Listens on every host URI: {@code unix:///run/pier/pier.sock} (parent directories created, a stale
     * socket file replaced, mode 0660) or {@code tcp://127.0.0.1:2375}. Bad URIs, a live server on a socket
     * path, or a path that is not a socket fail before anything is bound; a bind failure undoes the
     * binds before it.
     */
    public static ApiServer start(List<String> hosts, Router router) {
        return start(hosts, router, null);
    }

    /** {@link #start(List, Router)} with TLS on every tcp:// host when {@code tls} is given. */
    public static ApiServer start(List<String> hosts, Router router, TlsContext tls) {
        Objects.requireNonNull(router, "router");
        if (hosts == null || hosts.isEmpty()) {
            throw new IllegalArgumentException("no API host to listen on; use e.g. unix://" + HostAddress.DEFAULT_SOCKET);
        }
        List<HostAddress> addresses = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String host : hosts) {
            HostAddress address = HostAddress.parse(host);
            if (!seen.add(address.uri())) {
                throw new IllegalArgumentException("API host given twice: " + host);
            }
            addresses.add(address);
        }
        for (HostAddress address : addresses) {
            if (address instanceof HostAddress.Unix unix) {
                checkSocketPath(unix.path());
            }
        }
        SslContext ssl = tls == null ? null : tls.ssl;
        router.freeze();

        ThreadFactory ioThreads = new DefaultThreadFactory("pier-api-io", true);
        // Handlers never run on the loops, so few threads suffice.
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(Math.min(2, Runtime.getRuntime().availableProcessors()),
                ioThreads, NioIoHandler.newFactory());
        ApiServer server = new ApiServer(loops, new DefaultChannelGroup("pier-api", GlobalEventExecutor.INSTANCE));
        Dispatcher dispatcher = new Dispatcher(router);
        // One fixed name: numbering each request's thread costs more than it tells in a thread dump.
        ThreadFactory handlerThreads = Thread.ofVirtual().name("pier-api-request").factory();
        try {
            for (HostAddress address : addresses) {
                server.bind(address, dispatcher, handlerThreads, address instanceof HostAddress.Tcp ? ssl : null);
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The URIs listened on, tcp ports as bound (useful with port 0). */
    public List<String> listening() {
        synchronized (this) {
            return List.copyOf(listening);
        }
    }

    private void bind(HostAddress address, Dispatcher dispatcher, ThreadFactory handlerThreads, SslContext ssl) {
        ChannelFactory<ServerChannel> channels = switch (address) {
            case HostAddress.Unix unix -> UnixServerChannel::new;
            case HostAddress.Tcp tcp -> NioServerSocketChannel::new;
        };
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channelFactory(channels)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        // A hijacked client shuts down its sending side at the end of stdin and still reads.
                        ((DuplexChannelConfig) channel.config()).setAllowHalfClosure(true);
                        connections.add(channel);
                        if (ssl != null) channel.pipeline().addLast("tls", ssl.newHandler(channel.alloc()));
                        RequestDecoder decoder = new RequestDecoder();
                        HttpResponseEncoder encoder = new HttpResponseEncoder();
                        channel.pipeline()
                                .addLast("http-decoder", decoder)
                                .addLast("http-encoder", encoder)
                                .addLast("api", new Connection(dispatcher, handlerThreads, decoder, encoder));
                    }
                });
        Channel listener;
        try {
            if (address instanceof HostAddress.Unix unix) {
                prepareSocketPath(unix.path());
            }
            listener = bootstrap.bind(address.socketAddress()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + address.uri(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + address.uri() + ": " + describe(e), e);
        }
        synchronized (this) {
            listeners.add(listener);
            connections.add(listener);
            switch (address) {
                case HostAddress.Unix unix -> {
                    socketFiles.add(unix.path());
                    try {
                        Files.setPosixFilePermissions(unix.path(), PosixFilePermissions.fromString(SOCKET_MODE));
                    } catch (IOException e) {
                        throw new IllegalStateException("cannot set mode 0660 on " + unix.path() + ": " + e.getMessage(), e);
                    }
                    listening.add(address.uri());
                }
                case HostAddress.Tcp tcp -> {
                    InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
                    listening.add(new HostAddress.Tcp(tcp.host(), bound.getPort()).uri());
                }
            }
        }
        LOG.log(System.Logger.Level.INFO, () -> "API listening on " + listening.getLast());
    }

    /** Refuses, before anything is bound, a path that is not a socket or one a live server still answers on. */
    private static void checkSocketPath(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect " + path + ": " + e.getMessage(), e);
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IllegalArgumentException(path + " exists and is not a socket; remove it or choose another path");
        }
        if (isAnswered(path)) {
            throw new IllegalStateException("another server is already listening on " + path);
        }
    }

    /** False for a stale socket, left by a daemon that died: connecting is refused. */
    private static boolean isAnswered(Path socket) {
        SocketChannel probe;
        try {
            probe = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (SocketException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot probe " + socket + ": " + e.getMessage(), e);
        }
        try {
            probe.close();
        } catch (IOException e) {
            // closing a probe that connected changes nothing
        }
        return true;
    }

    private static void prepareSocketPath(Path path) throws IOException {
        Path parent = path.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        checkSocketPath(path);
        Files.deleteIfExists(path);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message != null ? message : e.getClass().getSimpleName();
    }

    /** Stops listening (socket files removed), closes every connection, stops the loops. Idempotent. */
    @Override
    public void close() {
        List<Channel> toClose;
        List<Path> toDelete;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = List.copyOf(listeners);
            toDelete = List.copyOf(socketFiles);
        }
        for (Channel listener : toClose) {
            listener.close().syncUninterruptibly();
        }
        for (Path socket : toDelete) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove socket " + socket + ": " + e.getMessage());
            }
        }
        connections.close().awaitUninterruptibly();
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
