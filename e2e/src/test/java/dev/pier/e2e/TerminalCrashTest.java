package dev.pier.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of pierd with a tty container: a holder process keeps the terminal's master, a
 * restarted pierd takes it back, and the container's output reaches its log again.
 */
class TerminalCrashTest {
    private static final Pattern NUMBER = Pattern.compile("(?m)^n(\\d+)\\r?$");
    Pier pier;
    /** Holder pids seen: each must be gone at the end, whatever happened. */
    private final List<Long> holders = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        pier = new Pier();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            pier.close();
            assertThat(pier.leftovers()).isEmpty();
        } finally {
            for (long pid : holders) {
                // A test that failed half-way must still not leave a holder (checked by its start time too).
                if (Files.exists(Path.of("/proc/" + pid)) && Pier.sh("cat /proc/" + pid + "/cmdline").out().startsWith("pier-tty-")) {
                    Pier.sh("kill -9 " + pid);
                }
            }
        }
    }

    @Test
    void aTerminalsOutputReachesTheLogAgainAfterARestartAndItsHolderGoesWithTheContainer() throws Exception {
        String id = pier.pier("run", "-dt", "--name", "ticker", "busybox", "sh", "-c",
                "i=0; while true; do i=$((i+1)); echo n$i; sleep 0.2; done").ok().out().strip();
        long holder = holderPid(id);
        assertThat(Pier.sh("cat /proc/" + holder + "/cmdline | tr '\\0' ' '").out()).startsWith("pier-tty-" + id.substring(0, 12) + " infinity");
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + holder + "/fd/3")).toString()).endsWith("ptmx");
        // Well under half a MiB of its own per container.
        String privateKb = Pier.sh("awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' /proc/" + holder + "/smaps_rollup").ok().out().strip();
        assertThat(Long.parseLong(privateKb)).isLessThan(512);
        int beforeKill = awaitNumberAbove(0);
        pier.pier("run", "-dit", "--name", "typist", "busybox", "sh").ok();

        pier.killDaemon();
        Thread.sleep(1500);
        assertThat(Path.of("/proc/" + holder)).as("the holder outlives pierd").exists();
        pier.startDaemon();

        // Live again: numbers keep coming after the restart, each one once, none missing.
        int afterRestart = awaitNumberAbove(beforeKill + 8);   // what waited in the terminal, then new output
        int later = awaitNumberAbove(afterRestart + 5);
        assertThat(later).isGreaterThan(afterRestart);
        List<Integer> all = numbers(pier.pier("logs", "ticker").ok().out());
        assertThat(all.getFirst()).isEqualTo(1);
        for (int i = 1; i < all.size(); i++) assertThat(all.get(i)).as("line " + i).isEqualTo(all.get(i - 1) + 1);
        // The terminal is pierd's again: a resize reaches it (runc makes it the container's /dev/console).
        Pier.sh("curl -sf -X POST --unix-socket " + pier.socket + " 'http://pier/containers/ticker/resize?h=33&w=111'").ok();
        assertThat(pier.pier("exec", "ticker", "stty", "-F", "/dev/console", "size").ok().out().strip()).isEqualTo("33 111");
        // And typed input reaches the shell on the other terminal (its master taken back too).
        assertThat(attachAndType("typist", "echo typed-$((6*7))\n", "typed-42")).contains("typed-42");

        long typistHolder = holderPid(pier.pier("inspect", "-f", "{{.Id}}", "typist").ok().out().strip());
        pier.pier("rm", "-f", "ticker", "typist").ok();
        awaitGone(holder);
        awaitGone(typistHolder);
        assertThat(Path.of(pier.execRoot + "/bundles/" + id)).doesNotExist();
    }

    @Test
    void aContainerThatEndsTakesItsHolderAlongAlsoWhilePierdIsDown() throws Exception {
        // Ends by itself while pierd runs: the holder goes at the exit, before any rm.
        String quick = pier.pier("run", "-dt", "busybox", "sh", "-c", "echo hello; sleep 1").ok().out().strip();
        long quickHolder = holderPid(quick);
        assertThat(pier.pier("wait", quick).ok().out().strip()).isEqualTo("0");
        awaitGone(quickHolder);
        assertThat(pier.pier("logs", quick).ok().out()).contains("hello");

        // Ends while pierd is down: the restarted pierd kills the holder nobody needs any more.
        String dying = pier.pier("run", "-dt", "busybox", "sleep", "2").ok().out().strip();
        long dyingHolder = holderPid(dying);
        pier.killDaemon();
        Thread.sleep(3000);
        assertThat(Path.of("/proc/" + dyingHolder)).exists();
        pier.startDaemon();
        awaitGone(dyingHolder);
        assertThat(pier.pier("inspect", "-f", "{{.State.Running}}", dying).ok().out().strip()).isEqualTo("false");
        pier.removeAllContainers().ok();
    }

    /**
     * POST /containers/NAME/attach with stdin, as the docker CLI does (Upgrade: tcp), types input
     * and returns what came back once it holds expected (or after 10 s).
     */
    private String attachAndType(String name, String input, String expected) throws Exception {
        try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(pier.socket))) {
            String request = "POST /containers/" + name + "/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\n"
                    + "Host: pier\r\nContent-Type: text/plain\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
            ch.write(java.nio.ByteBuffer.wrap(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            StringBuffer got = new StringBuffer();
            Thread reader = Thread.ofVirtual().start(() -> {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4096);
                try {
                    while (ch.read(buf) > 0) {
                        got.append(new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.UTF_8));
                        buf.clear();
                    }
                } catch (java.io.IOException closed) {
                    // the test is done with it
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!got.toString().contains("\r\n\r\n") && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(got.toString()).startsWith("HTTP/1.1 101");
            ch.write(java.nio.ByteBuffer.wrap(input.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            while (!got.toString().contains(expected) && System.nanoTime() < deadline) Thread.sleep(20);
            ch.close();
            reader.join();
            return got.toString();
        }
    }

    /** The holder's pid as pierd recorded it in the container's bundle. */
    private long holderPid(String id) throws Exception {
        Path record = Path.of(pier.execRoot + "/bundles/" + id + "/terminal.holder");
        assertThat(record).exists();
        long pid = Long.parseLong(Files.readString(record).strip().split(" ")[0]);
        holders.add(pid);
        assertThat(Path.of("/proc/" + pid)).exists();
        return pid;
    }

    private static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(Path.of("/proc/" + pid)) && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(Path.of("/proc/" + pid)).as("holder " + pid + " is gone").doesNotExist();
    }

    /** Waits (up to 20 s) until the log's last number is above n; returns it. */
    private int awaitNumberAbove(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int last = 0;
        while (System.nanoTime() < deadline) {
            List<Integer> all = numbers(pier.pier("logs", "ticker").ok().out());
            last = all.isEmpty() ? 0 : all.getLast();
            if (last > n) return last;
            Thread.sleep(200);
        }
        throw new AssertionError("the log's last number stayed at " + last + ", not above " + n);
    }

    private static List<Integer> numbers(String log) {
        List<Integer> out = new ArrayList<>();
        Matcher m = NUMBER.matcher(log);
        while (m.find()) out.add(Integer.parseInt(m.group(1)));
        return out;
    }
}
