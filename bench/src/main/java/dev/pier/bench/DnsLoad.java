package dev.pier.bench;

import dev.pier.linux.BatchedUdpClient;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * A DNS load generator of our own, for {@code bench/engine/dns.sh}: one question, asked again and
 * again over a few connected UDP sockets, in {@code sendmmsg}/{@code recvmmsg} batches. On two cores
 * the load tool shares the CPU with the server it measures; dnsperf spends more CPU per query than
 * Pier's resolver does, so it caps what it can show. This one asks the same way (a fixed number of
 * queries in flight, or a fixed rate) at a fraction of the cost, and reports what dnsperf does:
 * queries per second, losses, latency percentiles, plus its own CPU per query. Latency runs from the
 * send to the kernel's arrival time of the answer (SO_TIMESTAMPNS), so the tool may read answers in
 * batches without counting its own delay: at a fixed rate it wakes when queries are due (every
 * 50 µs at least), not at every answer.
 *
 * <pre>usage: DnsLoad SERVER NAME [--type A] [--seconds 10] [--in-flight 256] [--sockets 4]
 *                [--rate Q/s] [--timeout-ms 2000] [--warmup-seconds 1]</pre>
 * Output: one {@code key: value} per line.
 */
public final class DnsLoad {
    private static final int ID_SPACE = 1 << 16;
    /** Latencies are counted in microseconds up to this; longer ones in the last bucket. */
    private static final int HISTOGRAM_MICROS = 2_000_000;

    record Options(InetSocketAddress server, String name, int type, long seconds, int inFlight, int sockets,
                   long rate, long timeoutNanos, long warmupSeconds) {}

    /** Counts of the measured phase. */
    static final class Tally {
        long sent, answered, noError, otherRcode, empty, lost;
        final long[] micros = new long[HISTOGRAM_MICROS + 1];

        void answer(long nanos, int rcode, int answers) {
            answered++;
            if (rcode != 0) otherRcode++;
            else if (answers == 0) empty++;
            else noError++;
            micros[(int) Math.min(nanos / 1000, HISTOGRAM_MICROS)]++;
        }

        /** The latency under which a share {@code q} of the answers came, in milliseconds. */
        double percentileMillis(double q) {
            if (answered == 0) return Double.NaN;
            long rank = Math.max(1, (long) Math.ceil(q * answered)), seen = 0;
            for (int us = 0; us <= HISTOGRAM_MICROS; us++) {
                seen += micros[us];
                if (seen >= rank) return us / 1000.0;
            }
            return HISTOGRAM_MICROS / 1000.0;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("dns-load: " + e.getMessage());
            System.err.println("usage: DnsLoad SERVER[:PORT] NAME [--type A|AAAA|PTR] [--seconds 10] [--in-flight 256] [--sockets 4]"
                    + " [--rate Q/S] [--timeout-ms 2000] [--warmup-seconds 1]");
            System.exit(2);
            return;
        }
        try (BatchedUdpClient client = BatchedUdpClient.connect(o.server(), o.sockets())) {
            run(o, client).print();
        }
    }

    static Options parse(String[] args) {
        if (args.length < 2) throw new IllegalArgumentException("SERVER and NAME are needed");
        String server = args[0];
        int port = 53, colon = server.lastIndexOf(':');
        if (colon > 0) {
            port = Integer.parseInt(server.substring(colon + 1));
            server = server.substring(0, colon);
        }
        InetAddress address;
        try {
            address = InetAddress.ofLiteral(server);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an address: " + server);
        }
        int type = 1;
        long seconds = 10, rate = 0, timeoutMs = 2000, warmup = 1;
        int inFlight = 256, sockets = 4;
        for (int i = 2; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException(args[i] + " needs a value");
            String v = args[i + 1];
            switch (args[i]) {
                case "--type" -> type = switch (v.toUpperCase(Locale.ROOT)) {
                    case "A" -> 1;
                    case "AAAA" -> 28;
                    case "PTR" -> 12;
                    default -> throw new IllegalArgumentException("type " + v);
                };
                case "--seconds" -> seconds = positive(args[i], v);
                case "--in-flight" -> inFlight = (int) Math.min(positive(args[i], v), ID_SPACE / 2);
                case "--sockets" -> sockets = (int) Math.min(positive(args[i], v), 64);
                case "--rate" -> rate = positive(args[i], v);
                case "--timeout-ms" -> timeoutMs = positive(args[i], v);
                case "--warmup-seconds" -> warmup = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return new Options(new InetSocketAddress(address, port), args[1], type, seconds, inFlight, sockets, rate,
                timeoutMs * 1_000_000L, warmup);
    }

    private static long positive(String flag, String v) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " " + v + ": not a number");
        }
        if (n <= 0) throw new IllegalArgumentException(flag + " must be positive");
        return n;
    }

    /** A query: id 0, recursion desired, one question of the name, its type, class IN. */
    static byte[] query(String name, int type) {
        var out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[]{0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.replaceAll("\\.$", "").split("\\.")) {
            byte[] b = label.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (b.length == 0 || b.length > 63) throw new IllegalArgumentException("bad name " + name);
            out.write(b.length);
            out.writeBytes(b);
        }
        out.writeBytes(new byte[]{0, (byte) (type >> 8), (byte) type, 0, 1});
        return out.toByteArray();
    }

    private final Options o;
    private final BatchedUdpClient client;
    private final byte[][] pending;
    /** Per id: when it was sent, in nanoseconds from {@link #origin}, plus one; 0 when free. */
    private final long[] sentAt = new long[ID_SPACE];
    /** Every query sent, in order, as (sent nanos << 16 | id): the oldest is checked for its timeout. */
    private final long[] order = new long[1 << 22];
    private int orderHead, orderTail, nextId, inFlight;
    private final long origin = epochNanos();
    /** Answers to queries sent before this count nowhere. */
    private long measureFrom = 0;
    private Tally tally = new Tally();
    /** Scratch of the one thread: an answer's header, a batch's ids. */
    private final byte[] header = new byte[12];
    private final int[] ids = new int[BatchedUdpClient.BATCH];

    private DnsLoad(Options o, BatchedUdpClient client) {
        this.o = o;
        this.client = client;
        byte[] template = query(o.name(), o.type());
        pending = new byte[BatchedUdpClient.BATCH][];
        for (int i = 0; i < pending.length; i++) pending[i] = template.clone();
    }

    /** One run's counts, how long its sending phase took, and the CPU the tool's thread spent. */
    record Result(Tally tally, long elapsedNanos, long cpuNanos) {
        void print() {
            Tally t = tally;
            System.out.printf(Locale.ROOT, "queries sent: %d%n", t.sent);
            System.out.printf(Locale.ROOT, "queries answered: %d%n", t.answered);
            System.out.printf(Locale.ROOT, "queries lost: %d%n", t.lost);
            System.out.printf(Locale.ROOT, "answers noerror: %d%n", t.noError);
            System.out.printf(Locale.ROOT, "answers empty: %d%n", t.empty);
            System.out.printf(Locale.ROOT, "answers other rcode: %d%n", t.otherRcode);
            System.out.printf(Locale.ROOT, "queries per second: %.1f%n", t.answered / (elapsedNanos / 1e9));
            System.out.printf(Locale.ROOT, "latency p50 ms: %.3f%n", t.percentileMillis(0.5));
            System.out.printf(Locale.ROOT, "latency p99 ms: %.3f%n", t.percentileMillis(0.99));
            System.out.printf(Locale.ROOT, "latency p99.9 ms: %.3f%n", t.percentileMillis(0.999));
            System.out.printf(Locale.ROOT, "load tool cpu us per query: %.2f%n", t.answered == 0 ? Double.NaN : cpuNanos / 1000.0 / t.answered);
        }
    }

    /** Asks through {@code client} as {@code o} says, on the calling thread. */
    static Result run(Options o, BatchedUdpClient client) {
        return new DnsLoad(o, client).measure();
    }

    private Result measure() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // The warm-up counts like the run (the JIT compiles the paths the run takes), then starts over.
        Tally measured = new Tally();
        if (o.warmupSeconds() > 0) load(o.warmupSeconds() * 1_000_000_000L);
        tally = measured;
        measureFrom = epochNanos() - origin;
        long cpuBefore = threads.getCurrentThreadCpuTime();
        long elapsed = load(o.seconds() * 1_000_000_000L);
        drain();
        return new Result(tally, elapsed, threads.getCurrentThreadCpuTime() - cpuBefore);
    }

    private static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Keeps asking for {@code nanos}; returns the time it took. */
    private long load(long nanos) {
        long start = epochNanos(), end = start + nanos;
        long sentHere = 0;
        int[] ready = new int[client.sockets()];
        int socket = 0;
        while (true) {
            long now = epochNanos();
            if (now >= end) return now - start;
            if (o.rate() > 0) for (int s = 0; s < client.sockets(); s++) receiveAll(s);
            int room = o.inFlight() - inFlight;
            if (o.rate() > 0) room = (int) Math.min(room, Math.max(0, (long) ((now - start) * (o.rate() / 1e9)) + 1 - sentHere));
            while (room > 0) {
                int n = Math.min(room, BatchedUdpClient.BATCH);
                int sent = sendBatch(socket, n);
                socket = (socket + 1) % client.sockets();
                sentHere += sent;
                room -= sent;
                if (sent < n) break; // the socket's buffer is full: answers first
            }
            expire(now);
            if (o.rate() > 0) {
                // Until the next query is due, at least 50 µs; the answers wait in the sockets meanwhile.
                long nextDue = start + (long) (sentHere * (1e9 / o.rate()));
                LockSupport.parkNanos(Math.max(50_000, Math.min(nextDue - now, 10_000_000L)));
                continue;
            }
            // At full load: until answers make room (or at once, when a full send buffer stopped us).
            long wait = inFlight >= o.inFlight() ? Math.min(end - now, 50_000_000L) : 0;
            int n = client.await(ready, wait);
            for (int k = 0; k < n; k++) receiveFrom(ready[k]);
        }
    }

    private void receiveAll(int socket) {
        while (receiveFrom(socket) == BatchedUdpClient.BATCH) {
            // a full batch: there may be more
        }
    }

    /** After the run: the answers still due come in, or time out. */
    private void drain() {
        int[] ready = new int[client.sockets()];
        long end = epochNanos() + o.timeoutNanos();
        while (inFlight > 0 && epochNanos() < end) {
            int n = client.await(ready, 10_000_000L);
            for (int k = 0; k < n; k++) receiveFrom(ready[k]);
        }
        expire(Long.MAX_VALUE / 2);
    }

    private int sendBatch(int socket, int n) {
        long at = epochNanos() - origin + 1; // right before the call: a preemption before it must not count
        for (int k = 0; k < n; k++) {
            int id = nextFreeId();
            ids[k] = id;
            sentAt[id] = at; // held while the batch is built
            pending[k][0] = (byte) (id >> 8);
            pending[k][1] = (byte) id;
        }
        int sent = client.send(socket, pending, 0, n);
        for (int k = 0; k < n; k++) {
            if (k >= sent) {
                sentAt[ids[k]] = 0;
                continue;
            }
            order[orderTail] = (at << 16) | ids[k];
            orderTail = (orderTail + 1) & (order.length - 1);
            if (orderTail == orderHead) orderHead = (orderHead + 1) & (order.length - 1); // never at these rates
        }
        inFlight += sent;
        if (at > measureFrom) tally.sent += sent;
        return sent;
    }

    private int nextFreeId() {
        while (true) {
            int id = nextId;
            nextId = (nextId + 1) & (ID_SPACE - 1);
            if (sentAt[id] == 0) return id;
        }
    }

    private int receiveFrom(int socket) {
        int got = client.receive(socket);
        if (got == 0) return 0;
        long read = epochNanos();
        for (int i = 0; i < got; i++) {
            long arrived = client.receivedAtEpochNanos(i);
            long now = (arrived > 0 ? arrived : read) - origin + 1;
            if (client.read(i, header) < 12) continue;
            if ((header[2] & 0x80) == 0) continue; // not an answer
            int id = ((header[0] & 0xff) << 8) | (header[1] & 0xff);
            long at = sentAt[id];
            if (at == 0) continue; // late, after its timeout
            sentAt[id] = 0;
            inFlight--;
            if (at > measureFrom) tally.answer(now - at, header[3] & 0x0f, ((header[6] & 0xff) << 8) | (header[7] & 0xff));
        }
        return got;
    }

    /** The queries older than the timeout are lost; answered ones are skipped on the way. */
    private void expire(long now) {
        long relNow = now - origin + 1;
        while (orderHead != orderTail) {
            long entry = order[orderHead];
            int id = (int) (entry & 0xffff);
            long at = entry >>> 16;
            if (sentAt[id] == at) {
                if (relNow - at < o.timeoutNanos()) return;
                sentAt[id] = 0;
                inFlight--;
                if (at > measureFrom) tally.lost++;
            }
            orderHead = (orderHead + 1) & (order.length - 1);
        }
    }
}
