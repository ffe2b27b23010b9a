package dev.pier.linux;

import dev.pier.linux.internal.Libc;
import dev.pier.linux.internal.Sockaddr;
import dev.pier.linux.internal.UdpCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Serves UDP sockets in batches on one thread: an epoll set, then for each ready socket one
 * {@code recvmmsg} of up to {@link #BATCH} datagrams, the receiver's replies, and one
 * {@code sendmmsg} of them. Three system calls for a batch where a selector and a channel take
 * two per datagram and one per wake-up, and no Java objects per datagram beyond what the receiver
 * asks for. One thread calls {@link #run}; any thread may register, send and close.
 */
public final class UdpPoller implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UdpPoller.class.getName());
    /** Datagrams per system call, each way. */
    public static final int BATCH = 64;
    /** Longer datagrams are received cut short and flagged {@link Batch#truncated}. */
    public static final int MAX_DATAGRAM = 4096;
    private static final int SOCKADDR_IN = Sockaddr.IN_SIZE;

    /** Called on the poller's thread with the datagrams one socket had queued; must not block. */
    public interface Receiver {
        void received(UdpSocket socket, Batch batch);
    }

    private record Registration(UdpSocket socket, Receiver receiver) {}

    private final Arena arena = Arena.ofShared();
    private final int epfd, wakeFd;
    private final MemorySegment events, wakeSignal, wakeDrain, scratchEvent;
    private final MemorySegment inHeaders, inNames, inData, outHeaders, outIovecs, outData;
    private final MemorySegment singleData, singleName;
    private final long inNamesAddress;
    private final Batch batch = new Batch();
    /** By descriptor; only the poller's thread reads or changes it. */
    private final Map<Integer, Registration> registered = new HashMap<>();
    /** Every socket handed to this poller and not yet closed by it: closed at the end if still here. */
    private final Set<UdpSocket> attached = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Object lock = new Object();
    private boolean started, finished;
    private volatile boolean closed;

    public UdpPoller() {
        int ep = UdpCalls.epollCreate(), wake;
        try {
            wake = UdpCalls.eventfd();
        } catch (RuntimeException e) {
            Libc.close(ep);
            arena.close();
            throw e;
        }
        epfd = ep;
        wakeFd = wake;
        events = arena.allocate(UdpCalls.EPOLL_EVENT_SIZE * BATCH, 8);
        wakeSignal = arena.allocate(8, 8);
        wakeDrain = arena.allocate(8, 8);
        scratchEvent = arena.allocate(UdpCalls.EPOLL_EVENT_SIZE, 8);
        inHeaders = arena.allocate(UdpCalls.MMSGHDR_SIZE * BATCH, 8);
        MemorySegment inIovecs = arena.allocate(UdpCalls.IOVEC_SIZE * BATCH, 8);
        inNames = arena.allocate((long) SOCKADDR_IN * BATCH, 8);
        inNamesAddress = inNames.address();
        inData = arena.allocate((long) MAX_DATAGRAM * BATCH, 8);
        outHeaders = arena.allocate(UdpCalls.MMSGHDR_SIZE * BATCH, 8);
        outIovecs = arena.allocate(UdpCalls.IOVEC_SIZE * BATCH, 8);
        outData = arena.allocate((long) MAX_DATAGRAM * BATCH, 8);
        singleData = arena.allocate(65535, 8);
        singleName = arena.allocate(SOCKADDR_IN, 8);
        for (int i = 0; i < BATCH; i++) {
            long h = i * UdpCalls.MMSGHDR_SIZE, v = i * UdpCalls.IOVEC_SIZE;
            inIovecs.set(ADDRESS, v, inData.asSlice((long) i * MAX_DATAGRAM, MAX_DATAGRAM));
            inIovecs.set(JAVA_LONG, v + 8, MAX_DATAGRAM);
            inHeaders.set(ADDRESS, h + UdpCalls.MSG_NAME, inNames.asSlice((long) i * SOCKADDR_IN, SOCKADDR_IN));
            inHeaders.set(JAVA_INT, h + UdpCalls.MSG_NAMELEN, SOCKADDR_IN);
            inHeaders.set(ADDRESS, h + UdpCalls.MSG_IOV, inIovecs.asSlice(v, UdpCalls.IOVEC_SIZE));
            inHeaders.set(JAVA_LONG, h + UdpCalls.MSG_IOVLEN, 1);
            outIovecs.set(ADDRESS, v, outData.asSlice((long) i * MAX_DATAGRAM, MAX_DATAGRAM));
            outHeaders.set(JAVA_INT, h + UdpCalls.MSG_NAMELEN, SOCKADDR_IN);
            outHeaders.set(ADDRESS, h + UdpCalls.MSG_IOV, outIovecs.asSlice(v, UdpCalls.IOVEC_SIZE));
            outHeaders.set(JAVA_LONG, h + UdpCalls.MSG_IOVLEN, 1);
        }
        UdpCalls.epollCtl(epfd, UdpCalls.EPOLL_CTL_ADD, wakeFd, scratchEvent);
    }

    /** Serves {@code socket} from now until it is closed (which then happens on this poller's thread). */
    public void register(UdpSocket socket, Receiver receiver) {
        socket.attach(this);
        attached.add(socket);
        boolean queued = submit(() -> {
            if (socket.closing()) return; // its close is queued behind us
            try {
                UdpCalls.epollCtl(epfd, UdpCalls.EPOLL_CTL_ADD, socket.fd, scratchEvent);
                registered.put(socket.fd, new Registration(socket, receiver));
            } catch (KernelException e) {
                LOG.log(System.Logger.Level.WARNING, "udp poller: cannot serve " + socket, e);
            }
        });
        if (!queued) throw new IllegalStateException("udp poller closed");
    }

    /** Runs the loop on the calling thread until {@link #close}; then closes every socket still registered. */
    public void run() {
        synchronized (lock) {
            if (started) throw new IllegalStateException("udp poller already run");
            if (finished) return; // closed before it ran
            started = true;
        }
        try {
            while (!closed) {
                int n = UdpCalls.epollWait(epfd, events, BATCH, -1);
                // The wake-up is reset before the tasks are taken: a task queued after this still wakes the next wait.
                for (int i = 0; i < n; i++) if (readyDescriptor(i) == wakeFd) UdpCalls.eventfdDrain(wakeFd, wakeDrain);
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "udp poller task", e);
                    }
                }
                for (int i = 0; i < n; i++) {
                    int fd = readyDescriptor(i);
                    if (fd == wakeFd) continue;
                    Registration r = registered.get(fd);
                    if (r != null && !r.socket().closing()) serve(r);
                }
            }
        } finally {
            finish();
        }
    }

    private int readyDescriptor(int i) {
        return events.get(JAVA_INT, i * UdpCalls.EPOLL_EVENT_SIZE + 4);
    }

    private void serve(Registration r) {
        int fd = r.socket().fd;
        int got = UdpCalls.recvmmsg(fd, inHeaders, BATCH);
        if (got == 0) return;
        batch.open(fd, got);
        try {
            r.receiver().received(r.socket(), batch);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "udp receiver", e);
        } finally {
            int replies = batch.replies;
            batch.close(got);
            sendReplies(fd, replies);
        }
    }

    /**
     * One {@code sendmmsg} for the batch's replies, more when the kernel refuses one (a sender that
     * cannot be answered, say): it stops at the refused datagram, which is dropped, and the replies
     * after it still go.
     */
    private void sendReplies(int fd, int replies) {
        for (int sent = 0; sent < replies; ) {
            int n = UdpCalls.sendmmsg(fd, sent == 0 ? outHeaders : outHeaders.asSlice(sent * UdpCalls.MMSGHDR_SIZE), replies - sent);
            sent += Math.max(n, 1);
        }
    }

    /** The datagrams of one {@code recvmmsg}, valid only during {@link Receiver#received}. */
    public final class Batch {
        private int fd, size, replies;
        private boolean open;

        private Batch() {}

        private void open(int fd, int got) {
            this.fd = fd;
            size = got;
            replies = 0;
            open = true;
        }

        private void close(int got) {
            open = false;
            // The kernel wrote each used header's name length; the next call needs the buffer's again.
            for (int i = 0; i < got; i++) inHeaders.set(JAVA_INT, i * UdpCalls.MMSGHDR_SIZE + UdpCalls.MSG_NAMELEN, SOCKADDR_IN);
        }

        public int size() {
            return size;
        }

        private void check(int i) {
            if (!open) throw new IllegalStateException("batch used after its receiver returned");
            if (i < 0 || i >= size) throw new IndexOutOfBoundsException(i);
        }

        /** The datagram's length, cut at {@link #MAX_DATAGRAM} when {@link #truncated}. */
        public int length(int i) {
            check(i);
            return Math.min(inHeaders.get(JAVA_INT, i * UdpCalls.MMSGHDR_SIZE + UdpCalls.MSG_LEN), MAX_DATAGRAM);
        }

        public boolean truncated(int i) {
            check(i);
            return (inHeaders.get(JAVA_INT, i * UdpCalls.MMSGHDR_SIZE + UdpCalls.MSG_FLAGS) & UdpCalls.MSG_TRUNC) != 0;
        }

        /** A copy of the datagram's bytes. */
        public byte[] packet(int i) {
            int length = length(i);
            byte[] copy = new byte[length];
            MemorySegment.copy(inData, JAVA_BYTE, (long) i * MAX_DATAGRAM, copy, 0, length);
            return copy;
        }

        public UdpPeer sender(int i) {
            check(i);
            long at = (long) i * SOCKADDR_IN;
            return new UdpPeer(Sockaddr.ipv4Address(inNames, at), Sockaddr.port(inNames, at));
        }

        /** Queues {@code datagram} for datagram i's sender: sent with the batch's other replies when the receiver returns. */
        public void reply(int i, byte[] datagram) {
            check(i);
            if (datagram.length > MAX_DATAGRAM || replies == BATCH) {
                sendNow(fd, datagram, inNames.asSlice((long) i * SOCKADDR_IN, SOCKADDR_IN));
                return;
            }
            int k = replies++;
            long h = k * UdpCalls.MMSGHDR_SIZE;
            MemorySegment.copy(datagram, 0, outData, JAVA_BYTE, (long) k * MAX_DATAGRAM, datagram.length);
            outIovecs.set(JAVA_LONG, k * UdpCalls.IOVEC_SIZE + 8, datagram.length);
            outHeaders.set(JAVA_LONG, h + UdpCalls.MSG_NAME, inNamesAddress + (long) i * SOCKADDR_IN);
            outHeaders.set(JAVA_INT, h + UdpCalls.MSG_NAMELEN, SOCKADDR_IN);
        }
    }

    /** On this poller's thread: one datagram through the scratch buffers. */
    private void sendNow(int fd, byte[] datagram, MemorySegment name) {
        if (datagram.length > singleData.byteSize()) return;
        MemorySegment.copy(datagram, 0, singleData, JAVA_BYTE, 0, datagram.length);
        UdpCalls.sendto(fd, singleData.asSlice(0, datagram.length), name, SOCKADDR_IN);
    }

    void sendLater(UdpSocket socket, byte[] datagram, UdpPeer to) {
        byte[] copy = datagram.clone();
        submit(() -> {
            if (socket.closing() || !registered.containsKey(socket.fd)) return;
            Sockaddr.writeIpv4(singleName, to.address(), to.port());
            sendNow(socket.fd, copy, singleName);
        });
    }

    /** Queues the socket's removal and close; false when this poller has finished (it closed the socket then). */
    boolean forgetLater(UdpSocket socket) {
        return submit(() -> {
            if (registered.remove(socket.fd) != null) {
                try {
                    UdpCalls.epollCtl(epfd, UdpCalls.EPOLL_CTL_DEL, socket.fd, scratchEvent);
                } catch (KernelException e) {
                    // closing it removes it from the set anyway
                }
            }
            attached.remove(socket);
            socket.closeDescriptor();
        });
    }

    private boolean submit(Runnable task) {
        synchronized (lock) {
            if (finished) return false;
            tasks.add(task);
            // Under the lock: the buffers and the eventfd outlive it only while not finished.
            UdpCalls.eventfdSignal(wakeFd, wakeSignal);
            return true;
        }
    }

    /** Stops the loop; sockets still registered are closed with it. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            closed = true;
            if (started) {
                if (!finished) UdpCalls.eventfdSignal(wakeFd, wakeSignal);
                return;
            }
        }
        finish();
    }

    private void finish() {
        synchronized (lock) {
            if (finished) return;
            finished = true;
        }
        tasks.clear();
        for (UdpSocket s : attached) s.closeDescriptor();
        attached.clear();
        registered.clear();
        Libc.close(epfd);
        Libc.close(wakeFd);
        arena.close();
    }
}
