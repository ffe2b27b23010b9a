package dev.pier.dns;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The few platform threads that serve every container's UDP sockets, each looping on a selector:
 * the thread count stays the same for one container or a thousand, and a query is answered on the
 * thread the kernel woke, with no hand-off (a virtual thread per socket halved the throughput).
 */
final class UdpEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UdpEngine.class.getName());
    /** A busy socket yields to the others after this many datagrams. */
    private static final int BURST = 64;

    /** Called on an engine thread with one datagram; must not block (hand slow work to another thread). */
    interface Handler {
        void datagram(DatagramChannel channel, byte[] packet, SocketAddress from);
    }

    private final List<Loop> loops = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    UdpEngine(int threads) {
        for (int i = 0; i < threads; i++) loops.add(new Loop(i));
    }

    /** Serves {@code channel} (made non-blocking here) until it is closed; successive channels go to successive threads. */
    void register(DatagramChannel channel, Handler handler) throws IOException {
        channel.configureBlocking(false);
        loops.get(Math.floorMod(next.getAndIncrement(), loops.size())).add(channel, handler);
    }

    /** Makes every thread process closed channels now (their sockets are released at the next select). */
    void flush() {
        for (Loop l : loops) l.selector.wakeup();
    }

    @Override
    public void close() {
        for (Loop l : loops) l.close();
    }

    private static final class Loop implements Runnable {
        private final Selector selector;
        private final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
        private final Thread thread;
        private volatile boolean closed;

        Loop(int n) {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new IllegalStateException("dns: cannot open a selector: " + e.getMessage(), e);
            }
            thread = Thread.ofPlatform().daemon().name("pier-dns-" + n).start(this);
        }

        void add(DatagramChannel channel, Handler handler) {
            pending.add(() -> {
                try {
                    channel.register(selector, SelectionKey.OP_READ, handler);
                } catch (ClosedChannelException e) {
                    // detached before it was ever served
                }
            });
            selector.wakeup();
        }

        @Override
        public void run() {
            ByteBuffer buf = ByteBuffer.allocate(65535);
            while (!closed) {
                try {
                    selector.select();
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "dns select", e);
                    continue;
                } catch (java.nio.channels.ClosedSelectorException e) {
                    return;
                }
                for (Runnable r; (r = pending.poll()) != null; ) r.run();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) continue;
                    DatagramChannel ch = (DatagramChannel) key.channel();
                    Handler handler = (Handler) key.attachment();
                    for (int i = 0; i < BURST; i++) {
                        SocketAddress from;
                        try {
                            buf.clear();
                            from = ch.receive(buf);
                        } catch (IOException e) {
                            break; // closed meanwhile, or an ICMP error queued on the socket
                        }
                        if (from == null) break;
                        try {
                            handler.datagram(ch, java.util.Arrays.copyOf(buf.array(), buf.position()), from);
                        } catch (RuntimeException e) {
                            LOG.log(Level.FINE, "dns query", e);
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        }

        void close() {
            closed = true;
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
