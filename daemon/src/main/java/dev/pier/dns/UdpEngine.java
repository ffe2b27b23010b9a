package dev.pier.dns;

import dev.pier.linux.UdpPoller;
import dev.pier.linux.UdpSocket;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The few platform threads that serve every container's UDP sockets, each running a batch poller:
 * the thread count stays the same for one container or a thousand, and a query is answered on the
 * thread the kernel woke, with no hand-off (a virtual thread per socket halved the throughput).
 * Each wake-up takes up to {@link UdpPoller#BATCH} queries in one system call and sends their
 * answers in another.
 */
final class UdpEngine implements AutoCloseable {
    private final List<UdpPoller> pollers = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    UdpEngine(int threads) {
        for (int i = 0; i < threads; i++) {
            UdpPoller poller = new UdpPoller();
            pollers.add(poller);
            Thread.ofPlatform().daemon().name("pier-dns-" + i).start(poller::run);
        }
    }

    /** Serves {@code socket} until it is closed; successive sockets go to successive threads. */
    void register(UdpSocket socket, UdpPoller.Receiver receiver) {
        pollers.get(Math.floorMod(next.getAndIncrement(), pollers.size())).register(socket, receiver);
    }

    @Override
    public void close() {
        for (UdpPoller p : pollers) p.close();
    }
}
