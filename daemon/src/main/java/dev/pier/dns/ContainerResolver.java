package dev.pier.dns;

import dev.pier.linux.NetNamespace;
import dev.pier.linux.ReusePort;
import dev.pier.linux.UdpPeer;
import dev.pier.linux.UdpPoller;
import dev.pier.linux.UdpSocket;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The resolver's sockets for one container: UDP and TCP at 127.0.0.11:53 inside the container's
 * namespace, and a UDP socket for forwarding on each side that has servers to ask: inside the
 * namespace for the container's --dns servers (the queries leave through its own interfaces), in
 * pierd's namespace for the host's (a loopback server there is only reachable from the host).
 */
final class ContainerResolver implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ContainerResolver.class.getName());
    static final int PORT = 53;
    static final long UDP_TIMEOUT_MS = 2_000, TCP_TIMEOUT_MS = 4_000;
    /** A TCP connection that sends nothing for this long is closed (a slow client holds only its own thread). */
    static final int TCP_IDLE_MS = 10_000;
    static final int MAX_TCP_CONNECTIONS = 64;
    /** UDP sockets per container and engine threads: one per core, at most 4 (-Dpier.dns.threads=N to experiment). */
    static final int UDP_SOCKETS = Integer.getInteger("pier.dns.threads", Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4));
    /** How long a server that did not answer goes to the back of the line. */
    static final long FAILED_PENALTY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final String containerId;
    private final NetNamespace namespace;
    private final Supplier<NameTable> names;
    private final AnswerCache cache;
    private final List<InetSocketAddress> upstreams;
    /** The servers asked from pierd's namespace rather than the container's. */
    private final java.util.Set<InetSocketAddress> fromHost;
    private final String upstreamKey;
    private final Map<InetSocketAddress, Long> failedAt = new ConcurrentHashMap<>();
    /** Several UDP sockets on one port (SO_REUSEPORT): the kernel spreads askers over them, each with its own buffer. */
    private final List<UdpSocket> udp;
    private final ServerSocketChannel tcp;
    /** Forwarding sockets: in the container's namespace and in pierd's; null when no server is asked from that side. */
    private final DatagramChannel outbound, hostOutbound;
    private final UdpEngine engine;
    /** Upstream query id → the waiting forward. */
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    /** Cache key → the forward under way: a retried or repeated question waits for it rather than asking again. */
    private final Map<String, CompletableFuture<byte[]>> inFlight = new ConcurrentHashMap<>();
    private final Semaphore tcpSlots = new Semaphore(MAX_TCP_CONNECTIONS);
    /** Answers replayed while the name table stays the same (see {@link #answer}). */
    private volatile Replay replay = new Replay(null, new ConcurrentHashMap<>());
    /** Bounds what a container can make pierd keep: past this many answers, it starts over. */
    static final int REPLAY_MAX = 256, REPLAY_MAX_QUERY = 512;
    private final List<Thread> loops = new ArrayList<>();
    private volatile boolean closed;

    private record Pending(InetSocketAddress server, CompletableFuture<byte[]> reply) {}

    /** The wire answers to this container's questions (keyed by the query without its id) under one name table. */
    private record Replay(NameTable table, Map<String, byte[]> answers) {}

    /** What is opened inside the namespace. */
    private record Sockets(List<UdpSocket> udp, ServerSocketChannel tcp, DatagramChannel outbound) {}

    /** Nothing from the host's side is asked over TCP here: that socket is opened per question. */
    private static DatagramChannel openHostOutbound(List<EmbeddedResolver.Upstream> upstreams) throws IOException {
        // This thread is in pierd's namespace (only NetNamespace.run's own threads ever leave it).
        return upstreams.stream().anyMatch(EmbeddedResolver.Upstream::fromHost) ? DatagramChannel.open().bind(null) : null;
    }

    /** Opens and binds every socket inside {@code namespace} (which this object then owns), then starts serving. */
    ContainerResolver(String containerId, NetNamespace namespace, InetAddress listen, List<EmbeddedResolver.Upstream> upstreams,
                      Supplier<NameTable> names, AnswerCache cache, UdpEngine engine) {
        this.containerId = containerId;
        this.namespace = namespace;
        this.names = names;
        this.cache = cache;
        this.upstreams = upstreams.stream().map(u -> new InetSocketAddress(u.address(), PORT)).toList();
        this.fromHost = upstreams.stream().filter(EmbeddedResolver.Upstream::fromHost)
                .map(u -> new InetSocketAddress(u.address(), PORT)).collect(java.util.stream.Collectors.toUnmodifiableSet());
        // The same server asked from another side is another cache entry: a container's 127.0.0.1 is not the host's.
        this.upstreamKey = upstreams.toString();
        boolean fromContainer = upstreams.stream().anyMatch(u -> !u.fromHost());
        Sockets opened;
        try {
            InetSocketAddress at = new InetSocketAddress(listen, PORT);
            opened = namespace.run(() -> {
                List<UdpSocket> listenUdp = new ArrayList<>();
                ServerSocketChannel listenTcp = null;
                DatagramChannel out = null;
                try {
                    for (int i = 0; i < UDP_SOCKETS; i++) {
                        // IPv4 only: a dual-stack socket sends every answer through the IPv6 code path first.
                        // 127.0.0.11 needs no address of its own: lo's local route covers 127.0.0.0/8.
                        // The receive buffer is capped by net.core.rmem_max.
                        listenUdp.add(UdpSocket.bind(at, true, 1 << 20));
                    }
                    if (UDP_SOCKETS > 1) {
                        // By a hash of the sender, an asker with one or two ports would keep one socket
                        // (and one engine thread) busy while the others idle.
                        try {
                            ReusePort.spreadAtRandom(at, UDP_SOCKETS);
                        } catch (RuntimeException e) {
                            LOG.log(Level.FINE, "dns: queries spread by the kernel's hash for " + containerId, e);
                        }
                    }
                    listenTcp = ServerSocketChannel.open();
                    listenTcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    listenTcp.bind(at, 128);
                    if (fromContainer) out = DatagramChannel.open().bind(null);
                    return new Sockets(List.copyOf(listenUdp), listenTcp, out);
                } catch (IOException | RuntimeException e) {
                    for (UdpSocket s : listenUdp) s.close();
                    if (listenTcp != null) listenTcp.close();
                    if (out != null) out.close();
                    throw e;
                }
            });
        } catch (RuntimeException e) {
            namespace.close();
            throw e;
        } catch (Exception e) {
            namespace.close();
            throw new IllegalStateException("resolver for " + containerId + ": " + e.getMessage(), e);
        }
        this.udp = opened.udp();
        this.tcp = opened.tcp();
        this.outbound = opened.outbound();
        this.engine = engine;
        DatagramChannel host = null;
        try {
            host = openHostOutbound(upstreams);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "dns: no socket for the host's servers (" + containerId + ")", e);
        }
        this.hostOutbound = host;
        try {
            for (UdpSocket s : udp) engine.register(s, this::received);
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("resolver for " + containerId + ": " + e.getMessage(), e);
        }
        String tag = containerId.substring(0, Math.min(12, containerId.length()));
        loops.add(Thread.ofVirtual().name("pier-dns-tcp-" + tag).start(this::serveTcp));
        if (outbound != null) loops.add(Thread.ofVirtual().name("pier-dns-up-" + tag).start(() -> receiveUpstream(outbound)));
        if (hostOutbound != null) loops.add(Thread.ofVirtual().name("pier-dns-hostup-" + tag).start(() -> receiveUpstream(hostOutbound)));
    }

    // ------------------------------------------------------------------ the asker's side

    /**
     * On an engine thread: answer at once, or forward on a thread of its own (forwarding waits on the
     * network). A question asked before under the same name table gets the same answer with its own
     * id, without parsing or encoding: askers repeat the same few names, and the table changes only
     * when a container does.
     */
    private void received(UdpSocket socket, UdpPoller.Batch batch) {
        NameTable table = names.get();
        Replay r = replay;
        if (r.table() != table) replay = r = new Replay(table, new ConcurrentHashMap<>());
        for (int i = 0; i < batch.size(); i++) {
            // Longer than any question answered here: dropped, as a malformed one is.
            if (batch.truncated(i)) continue;
            if (r.answers().size() >= REPLAY_MAX) replay = r = new Replay(table, new ConcurrentHashMap<>());
            try {
                answer(socket, batch, i, batch.packet(i), table, r);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "dns query", e);
            }
        }
    }

    /** Answers go out with the batch's (UDP: a full socket buffer drops them, and the asker retries). */
    private void answer(UdpSocket socket, UdpPoller.Batch batch, int i, byte[] packet, NameTable table, Replay r) {
        String key = packet.length > 12 && packet.length <= REPLAY_MAX_QUERY ? new String(packet, 2, packet.length - 2, java.nio.charset.StandardCharsets.ISO_8859_1) : null;
        byte[] known = key == null ? null : r.answers().get(key);
        if (known != null) {
            batch.reply(i, withId(known, ((packet[0] & 0xff) << 8) | (packet[1] & 0xff)));
            return;
        }
        switch (Responder.respond(packet, packet.length, containerId, table, true)) {
            case Responder.Reply.Answer a -> {
                if (a.stable() && key != null) r.answers().put(key, a.wire());
                batch.reply(i, a.wire());
            }
            case Responder.Reply.Drop d -> { }
            case Responder.Reply.Forward f -> {
                UdpPeer from = batch.sender(i);
                Thread.ofVirtual().start(() -> socket.send(forward(f.query(), packet, false), from));
            }
        }
    }

    private void serveTcp() {
        while (!closed) {
            SocketChannel client;
            try {
                client = tcp.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) return;
                continue;
            }
            if (!tcpSlots.tryAcquire()) {
                closeQuietly(client);
                continue;
            }
            Thread.ofVirtual().start(() -> {
                try (client) {
                    serveConnection(client);
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.FINE, "dns tcp connection", e);
                } finally {
                    tcpSlots.release();
                }
            });
        }
    }

    /** RFC 7766: length-prefixed messages, several per connection, closed when idle. */
    private void serveConnection(SocketChannel client) throws IOException {
        client.socket().setSoTimeout(TCP_IDLE_MS);
        DataInputStream in = new DataInputStream(client.socket().getInputStream());
        while (!closed) {
            int length;
            byte[] packet;
            try {
                length = in.readUnsignedShort();
                packet = new byte[length];
                in.readFully(packet);
            } catch (SocketTimeoutException | java.io.EOFException e) {
                return;
            }
            byte[] reply = switch (Responder.respond(packet, length, containerId, names.get(), false)) {
                case Responder.Reply.Answer a -> a.wire();
                case Responder.Reply.Drop d -> null;
                case Responder.Reply.Forward f -> forward(f.query(), packet, true);
            };
            if (reply == null) return; // nothing sensible to say: hang up
            ByteBuffer out = ByteBuffer.allocate(2 + reply.length).putShort((short) reply.length).put(reply).flip();
            while (out.hasRemaining()) client.write(out);
        }
    }

    // ------------------------------------------------------------------ the upstream side

    /** The upstream's answer with the asker's id, from the cache when it can; SERVFAIL when nobody answers. */
    private byte[] forward(org.xbill.DNS.Message query, byte[] packet, boolean overTcp) {
        int askerId = query.getHeader().getID();
        if (upstreams.isEmpty()) return Responder.serverFailure(query);
        String key = AnswerCache.key(upstreamKey, query, overTcp);
        byte[] cached = cache.get(key, askerId);
        if (cached != null) return cached;
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> under = inFlight.putIfAbsent(key, mine);
        if (under != null) {
            try {
                return withId(under.get(upstreams.size() * (overTcp ? TCP_TIMEOUT_MS : UDP_TIMEOUT_MS) + 1000,
                        TimeUnit.MILLISECONDS), askerId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Responder.serverFailure(query);
            } catch (ExecutionException | TimeoutException e) {
                return Responder.serverFailure(query);
            }
        }
        byte[] reply = null;
        try {
            reply = ask(packet, overTcp);
            if (reply != null) cache.put(key, reply);
            return reply == null ? Responder.serverFailure(query) : withId(reply, askerId);
        } finally {
            mine.complete(reply == null ? Responder.serverFailure(query) : reply);
            inFlight.remove(key, mine);
        }
    }

    /** The first answer from the servers in preferred order, or null when none answers. */
    private byte[] ask(byte[] packet, boolean overTcp) {
        for (InetSocketAddress server : inPreferredOrder()) {
            byte[] reply;
            try {
                reply = overTcp ? askTcp(server, packet) : askUdp(server, packet);
            } catch (IOException | TimeoutException | RuntimeException e) {
                failedAt.put(server, System.nanoTime());
                LOG.log(Level.FINE, "upstream " + server + " failed for " + containerId + ": " + e);
                continue;
            }
            if (reply.length < 12) continue;
            failedAt.remove(server);
            return reply;
        }
        return null;
    }

    private static byte[] withId(byte[] wire, int id) {
        byte[] copy = wire.clone();
        copy[0] = (byte) (id >>> 8);
        copy[1] = (byte) id;
        return copy;
    }

    /** Configured order, except that servers which failed lately come last. */
    List<InetSocketAddress> inPreferredOrder() {
        long now = System.nanoTime();
        List<InetSocketAddress> good = new ArrayList<>(), bad = new ArrayList<>();
        for (InetSocketAddress s : upstreams) {
            Long at = failedAt.get(s);
            (at != null && now - at < FAILED_PENALTY_NANOS ? bad : good).add(s);
        }
        good.addAll(bad);
        return good;
    }

    private byte[] askUdp(InetSocketAddress server, byte[] packet) throws IOException, TimeoutException {
        byte[] out = packet.clone();
        Pending p = new Pending(server, new CompletableFuture<>());
        int id;
        // A random id per forward: a spoofed answer has to guess it (and the port).
        do {
            id = ThreadLocalRandom.current().nextInt(0x10000);
        } while (pending.putIfAbsent(id, p) != null);
        try {
            out[0] = (byte) (id >>> 8);
            out[1] = (byte) id;
            DatagramChannel via = fromHost.contains(server) ? hostOutbound : outbound;
            if (via == null) throw new IOException("no socket to ask " + server);
            via.send(ByteBuffer.wrap(out), server);
            return p.reply().get(UDP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        } finally {
            pending.remove(id, p);
        }
    }

    private void receiveUpstream(DatagramChannel outbound) {
        ByteBuffer buf = ByteBuffer.allocate(65535);
        while (!closed) {
            SocketAddress from;
            try {
                buf.clear();
                from = outbound.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) return;
                continue;
            }
            if (buf.position() < 12) continue;
            int id = ((buf.get(0) & 0xff) << 8) | (buf.get(1) & 0xff);
            Pending p = pending.get(id);
            // Only the server asked may answer.
            if (p != null && p.server().equals(from)) p.reply().complete(java.util.Arrays.copyOf(buf.array(), buf.position()));
        }
    }

    private byte[] askTcp(InetSocketAddress server, byte[] packet) throws IOException {
        SocketChannel ch;
        try {
            ch = fromHost.contains(server) ? SocketChannel.open() : namespace.run(() -> SocketChannel.open());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        try (ch) {
            ch.socket().connect(server, (int) UDP_TIMEOUT_MS);
            ch.socket().setSoTimeout((int) TCP_TIMEOUT_MS);
            ByteBuffer out = ByteBuffer.allocate(2 + packet.length).putShort((short) packet.length).put(packet).flip();
            while (out.hasRemaining()) ch.write(out);
            InputStream in = ch.socket().getInputStream();
            DataInputStream data = new DataInputStream(in);
            byte[] reply = new byte[data.readUnsignedShort()];
            data.readFully(reply);
            return reply;
        }
    }

    @Override
    public void close() {
        closed = true;
        for (UdpSocket s : udp) s.close();
        closeQuietly(tcp);
        closeQuietly(outbound);
        closeQuietly(hostOutbound);
        for (Pending p : pending.values()) p.reply().completeExceptionally(new IOException("resolver closed"));
        for (Thread t : loops) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        namespace.close();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) c.close();
        } catch (IOException ignored) {
            // closing: nothing to do about it
        }
    }
}
