package dev.pier.runtime;

import dev.pier.image.FileTrees;
import dev.pier.image.Image;
import dev.pier.image.ImageStore;
import dev.pier.linux.Mounts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real containers through runc, from a busybox image built from /bin/busybox. */
class OciRuntimeTest {
    private static Path base;
    private static ImageStore images;
    private static Image busybox;
    private static OciRuntime runtime;
    private final List<String> started = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        base = Files.createTempDirectory("prt-runtime");
        Path tar = base.resolve("busybox.tar");
        Process p = new ProcessBuilder(script().toString(), tar.toString()).inheritIO().start();
        assertThat(p.waitFor()).as("make-busybox-image").isZero();
        images = new ImageStore(base.resolve("data"));
        try (InputStream in = Files.newInputStream(tar)) {
            busybox = images.importRootfs(in, "prt-busybox", null);
        }
        runtime = new OciRuntime(base.resolve("data"), base.resolve("exec"), images);
    }

    static Path script() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("bin/make-busybox-image");
            if (Files.isExecutable(s)) return s;
        }
        throw new IllegalStateException("bin/make-busybox-image not found above " + Path.of("").toAbsolutePath());
    }

    @AfterEach
    void removeContainers() {
        for (String id : started) {
            try {
                runtime.delete(id);
            } catch (RuntimeException e) {
                System.err.println("cleanup of " + id + ": " + e);
            }
            try {
                runtime.removeData(id);
            } catch (RuntimeException e) {
                System.err.println("cleanup of " + id + ": " + e);
            }
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (base == null) return;
        unmountEverythingUnder(base);
        FileTrees.deleteRecursively(base);
    }

    /** Detaches any mount a failed test left under dir, deepest first, so removing dir stays inside it. */
    static void unmountEverythingUnder(Path dir) throws IOException {
        String prefix = dir.toRealPath().toString() + "/";
        List<String> points = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String point = line.split(" ")[4];
            if (point.startsWith(prefix)) points.add(point);
        }
        points.sort((a, b) -> b.length() - a.length());
        for (String p : points) Mounts.unmount(Path.of(p), true);
    }

    static List<String> mountsUnder(Path dir) throws IOException {
        String prefix = dir.toRealPath().toString() + "/";
        List<String> points = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String point = line.split(" ")[4];
            if (point.startsWith(prefix)) points.add(point);
        }
        return points;
    }

    // ------------------------------------------------------------------ helpers

    private String newId() {
        byte[] b = new byte[31];
        ThreadLocalRandom.current().nextBytes(b);
        String id = "prt" + HexFormat.of().formatHex(b) + "0";
        started.add(id);
        return id;
    }

    /** A spec with the defaults a test varies from. */
    private static final class Spec {
        String id;
        List<String> args;
        List<String> env = List.of();
        String workingDir, user, hostname;
        boolean openStdin, privileged, tty;
        NetworkNamespace network = new NetworkNamespace.NewEmpty();
        Path hosts, hostnameFile, resolv;
        Set<String> capAdd = Set.of(), capDrop = Set.of();
        String runtime = "runc";

        Spec(String id, String... args) {
            this.id = id;
            this.args = List.of(args);
        }

        ContainerSpec build() {
            return new ContainerSpec(id, busybox, args, env, workingDir, user, tty, openStdin, hostname, network,
                    hosts, hostnameFile, resolv, capAdd, capDrop, privileged, runtime, Map.of("prt.test", "yes"), Map.of());
        }
    }

    private record Finished(int exitCode, String stdout, String stderr) {}

    private CompletableFuture<Integer> exitOf(String id, long pid) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        runtime.onExit(id, pid, exit::complete);
        return exit;
    }

    private Finished run(Spec spec) throws Exception {
        long pid = runtime.start(spec.build());
        int code = exitOf(spec.id, pid).get(60, TimeUnit.SECONDS);
        return new Finished(code, Files.readString(runtime.stdoutLog(spec.id)), Files.readString(runtime.stderrLog(spec.id)));
    }

    // ------------------------------------------------------------------ tests

    @Test
    void runsEchoAndReportsExitCodeZero() throws Exception {
        Finished f = run(new Spec(newId(), "echo", "hello"));
        assertThat(f.stdout()).isEqualTo("hello\n");
        assertThat(f.stderr()).isEmpty();
        assertThat(f.exitCode()).isZero();
    }

    @Test
    void reportsTheProcessExitCode() throws Exception {
        Finished f = run(new Spec(newId(), "sh", "-c", "echo oops >&2; exit 3"));
        assertThat(f.exitCode()).isEqualTo(3);
        assertThat(f.stderr()).isEqualTo("oops\n");
    }

    @Test
    void killedBySigkillExitsWith137() throws Exception {
        String id = newId();
        long pid = runtime.start(new Spec(id, "sleep", "100").build());
        CompletableFuture<Integer> exit = exitOf(id, pid);
        RuntimeState state = runtime.state(id).orElseThrow();
        assertThat(state.running()).isTrue();
        assertThat(state.pid()).isEqualTo(pid);
        assertThat(runtime.listIds()).contains(id);
        runtime.kill(id, 9);
        assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(137);
        assertThat(runtime.state(id).orElseThrow().status()).isEqualTo(RuntimeState.Status.STOPPED);
        runtime.delete(id);
        assertThat(runtime.state(id)).isEmpty();
        assertThat(runtime.listIds()).doesNotContain(id);
        assertThat(mountsUnder(base)).isEmpty();
        assertThat(runtime.stdoutLog(id)).exists();   // logs stay until removeData
    }

    @Test
    void stopSendsSigtermThenSigkill() throws Exception {
        String polite = newId();
        CompletableFuture<Integer> politeExit = exitOf(polite, runtime.start(
                new Spec(polite, "sh", "-c", "trap 'echo bye; exit 0' TERM; sleep 100 & wait").build()));
        runtime.stop(polite, Duration.ofSeconds(30));
        assertThat(politeExit.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(Files.readString(runtime.stdoutLog(polite))).isEqualTo("bye\n");

        // As pid 1 of its namespace, sleep has no SIGTERM handler: the kernel ignores the signal.
        String stubborn = newId();
        CompletableFuture<Integer> stubbornExit = exitOf(stubborn, runtime.start(new Spec(stubborn, "sleep", "100").build()));
        runtime.stop(stubborn, Duration.ofMillis(300));
        assertThat(stubbornExit.get(60, TimeUnit.SECONDS)).isEqualTo(137);
        runtime.stop(stubborn, Duration.ofSeconds(1)); // already stopped: nothing to do
    }

    @Test
    void appliesEnvWorkingDirUserAndHostname() throws Exception {
        Spec spec = new Spec(newId(), "sh", "-c", "echo $A $HOSTNAME; pwd; id -u; hostname; echo $HOME");
        spec.env = List.of("A=1");
        spec.workingDir = "/srv/prt";
        spec.user = "nobody";
        spec.hostname = "prthost";
        Finished f = run(spec);
        assertThat(f.exitCode()).isZero();
        assertThat(f.stdout()).isEqualTo("1 prthost\n/srv/prt\n65534\nprthost\n/nonexistent\n");
    }

    @Test
    void bindMountsHostsHostnameAndResolvConf() throws Exception {
        Path files = Files.createDirectories(base.resolve("files-" + System.nanoTime()));
        Spec spec = new Spec(newId(), "sh", "-c", "cat /etc/hosts /etc/hostname /etc/resolv.conf; echo '10.0.0.9 added' >> /etc/hosts");
        spec.hosts = Files.writeString(files.resolve("hosts"), "127.0.0.1 localhost\n10.0.0.2 prtpeer\n");
        spec.hostnameFile = Files.writeString(files.resolve("hostname"), "prtname\n");
        spec.resolv = Files.writeString(files.resolve("resolv.conf"), "nameserver 127.0.0.11\n");
        Finished f = run(spec);
        assertThat(f.exitCode()).isZero();
        assertThat(f.stdout()).isEqualTo("127.0.0.1 localhost\n10.0.0.2 prtpeer\nprtname\nnameserver 127.0.0.11\n");
        assertThat(Files.readString(spec.hosts)).endsWith("10.0.0.9 added\n");   // read-write, as in Docker
    }

    @Test
    void aNewEmptyNetworkNamespaceHasOnlyLoopback() throws Exception {
        Finished f = run(new Spec(newId(), "ip", "-o", "link"));
        assertThat(f.exitCode()).isZero();
        assertThat(f.stdout().lines().toList()).singleElement().asString().contains(": lo:");
    }

    @Test
    void joinsAnExistingNetworkNamespaceByPath() throws Exception {
        String ns = "prtns" + Long.toHexString(System.nanoTime());
        assertThat(new ProcessBuilder("ip", "netns", "add", ns).inheritIO().start().waitFor()).isZero();
        try {
            assertThat(new ProcessBuilder("ip", "-n", ns, "link", "add", "prtva", "type", "veth", "peer", "name", "prtvb")
                    .inheritIO().start().waitFor()).isZero();
            Spec spec = new Spec(newId(), "ip", "-o", "link");
            spec.network = new NetworkNamespace.Path(Path.of("/var/run/netns", ns));
            Finished f = run(spec);
            assertThat(f.exitCode()).isZero();
            assertThat(f.stdout()).contains("prtva@prtvb").contains("prtvb@prtva");
        } finally {
            new ProcessBuilder("ip", "netns", "del", ns).inheritIO().start().waitFor();
        }
    }

    @Test
    void hasDockersDefaultCapabilitiesAndHonoursCapDrop() throws Exception {
        Spec defaults = new Spec(newId(), "sh", "-c", "grep CapEff /proc/self/status; ping -c1 -W5 127.0.0.1 >/dev/null && echo ping-ok");
        defaults.network = new NetworkNamespace.Host();
        Finished f = run(defaults);
        assertThat(f.stdout()).contains("CapEff:\t00000000a80425fb").contains("ping-ok");

        Spec dropped = new Spec(newId(), "sh", "-c", "grep CapEff /proc/self/status; ping -c1 -W5 127.0.0.1 >/dev/null 2>&1 || echo ping-refused");
        dropped.network = new NetworkNamespace.Host();
        dropped.capDrop = Set.of("ALL");
        f = run(dropped);
        assertThat(f.stdout()).contains("CapEff:\t0000000000000000").contains("ping-refused");

        Spec onlyRaw = new Spec(newId(), "grep", "CapEff", "/proc/self/status");
        onlyRaw.capDrop = Set.of("all");
        onlyRaw.capAdd = Set.of("net_raw", "CAP_NET_ADMIN");
        assertThat(run(onlyRaw).stdout()).contains("CapEff:\t0000000000003000");

        Spec privileged = new Spec(newId(), "sh", "-c", "grep CapEff /proc/self/status; [ $(head -c 5 /proc/timer_list | wc -c) -gt 0 ] && echo unmasked");
        privileged.privileged = true;
        f = run(privileged);
        // Privileged: every capability pierd itself holds (this VM's bounding set may lack some).
        String hostBounding = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("CapBnd:")).findFirst().orElseThrow().substring(7).strip();
        assertThat(f.stdout()).contains("CapEff:\t" + hostBounding).contains("unmasked");
    }

    @Test
    void masksProcPathsLikeDocker() throws Exception {
        // /proc/timer_list: a masked path this kernel has (it lacks /proc/kcore).
        Finished f = run(new Spec(newId(), "sh", "-c", "wc -c < /proc/timer_list; touch /proc/sys/kernel/x 2>/dev/null || echo ro"));
        assertThat(f.stdout()).isEqualTo("0\nro\n");
    }

    @Test
    void feedsStdinFromTheHeldFifo() throws Exception {
        Spec spec = new Spec(newId(), "sh", "-c", "read line; echo got $line; cat; echo eof");
        spec.openStdin = true;
        long pid = runtime.start(spec.build());
        CompletableFuture<Integer> exit = exitOf(spec.id, pid);
        try (OutputStream in = runtime.stdin(spec.id)) {
            in.write("hi\nmore\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(Files.readString(runtime.stdoutLog(spec.id))).isEqualTo("got hi\nmore\neof\n");
    }

    @Test
    void stdinWrittenAndClosedWhileTheContainerStartsReachesIt() throws Exception {
        // `docker run -i < file` attaches before the start and may send all its input, then end it,
        // before the process has opened its stdin: the pump must not get the FIFO before then.
        for (int round = 0; round < 12; round++) {
            Spec spec = new Spec(newId(), "sh", "-c", "cat; echo eof");
            spec.openStdin = true;
            byte[] input = ("round " + round + "\n").getBytes(StandardCharsets.UTF_8);
            CompletableFuture<Void> pump = CompletableFuture.runAsync(() -> {
                while (true) {
                    try (OutputStream in = runtime.stdin(spec.id)) {
                        in.write(input);
                        return;
                    } catch (IllegalStateException | IllegalArgumentException notYet) {
                        Thread.onSpinWait();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }, r -> Thread.ofPlatform().daemon().start(r));
            long pid = CompletableFuture.supplyAsync(() -> runtime.start(spec.build()), r -> Thread.ofPlatform().daemon().start(r))
                    .get(30, TimeUnit.SECONDS);
            CompletableFuture<Integer> exit = exitOf(spec.id, pid);
            pump.get(30, TimeUnit.SECONDS);
            assertThat(exit.get(30, TimeUnit.SECONDS)).as("round %d saw EOF", round).isZero();
            assertThat(Files.readString(runtime.stdoutLog(spec.id))).isEqualTo("round " + round + "\neof\n");
        }
    }

    @Test
    void runsWithATerminalWhoseOutputGoesToTheLog() throws Exception {
        Spec spec = new Spec(newId(), "sh", "-c", "tty; stty size; read line; echo got $line; exit 2");
        spec.tty = true;
        spec.openStdin = true;
        long pid = runtime.start(spec.build());
        CompletableFuture<Integer> exit = exitOf(spec.id, pid);
        runtime.resize(spec.id, 30, 90);
        try (OutputStream in = runtime.stdin(spec.id)) {
            in.write("hello\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(2);
        runtime.delete(spec.id); // the terminal's last output is in the log once it is closed
        String log = Files.readString(runtime.stdoutLog(spec.id));
        assertThat(log).contains("/dev/pts/0").contains("got hello\r\n");
        assertThat(Files.readString(runtime.stderrLog(spec.id))).isEmpty();
    }

    @Test
    void aTerminalsHolderEndsWithItsContainerOrAtItsDelete() throws Exception {
        Spec quick = new Spec(newId(), "sh", "-c", "sleep 0.5; echo bye");
        quick.tty = true;
        long pid = runtime.start(quick.build());
        long quickHolder = holderPid(quick.id);
        assertThat(Path.of("/proc/" + quickHolder)).exists();
        assertThat(exitOf(quick.id, pid).get(60, TimeUnit.SECONDS)).isZero();
        awaitGone(quickHolder);   // at the exit, before any delete

        Spec lasting = new Spec(newId(), "sleep", "600");
        lasting.tty = true;
        runtime.start(lasting.build());
        long lastingHolder = holderPid(lasting.id);
        assertThat(Files.readString(Path.of("/proc/" + lastingHolder + "/cmdline"))).startsWith("pier-tty-");
        runtime.delete(lasting.id);
        awaitGone(lastingHolder);   // killed and reaped: no zombie either
    }

    @Test
    void aHolderACrashLeftUnrecordedGoesAtTheRestartsSweepAndALiveOnesStays() throws Exception {
        Spec lasting = new Spec(newId(), "sleep", "600");
        lasting.tty = true;
        runtime.start(lasting.build());
        long recorded = holderPid(lasting.id);
        // What pierd leaves when it dies between starting a holder and writing its record.
        Spec crashed = new Spec(newId(), "sleep", "600");
        crashed.tty = true;
        runtime.start(crashed.build());
        long unrecorded = holderPid(crashed.id);
        Files.delete(base.resolve("exec/bundles").resolve(crashed.id).resolve("terminal.holder"));
        assertThat(Path.of("/proc/" + unrecorded)).exists();
        runtime.releaseHoldersExcept(java.util.Set.of(lasting.id));
        awaitGone(unrecorded);
        assertThat(Path.of("/proc/" + recorded)).as("the live container's holder").exists();
        runtime.delete(lasting.id);
        awaitGone(recorded);
        runtime.delete(crashed.id);
    }

    private static long holderPid(String id) throws Exception {
        return Long.parseLong(Files.readString(base.resolve("exec/bundles").resolve(id).resolve("terminal.holder")).split(" ")[0]);
    }

    private static void awaitGone(long pid) throws InterruptedException {
        for (int i = 0; i < 200 && Files.exists(Path.of("/proc/" + pid)); i++) Thread.sleep(25);
        assertThat(Path.of("/proc/" + pid)).doesNotExist();
    }

    @Test
    void execsIntoARunningContainer() throws Exception {
        String id = newId();
        Spec spec = new Spec(id, "sleep", "100");
        spec.env = List.of("FROM_SPEC=s");
        runtime.start(spec.build());
        Process p = runtime.exec(id, List.of("sh", "-c", "echo $FROM_SPEC $X; pwd; id -u"), List.of("X=1"), "/tmp", "nobody", false);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).isEqualTo("s 1\n/tmp\n65534\n");

        Process tty = runtime.exec(id, List.of("sh", "-c", "tty; read x; echo got $x; exit 4"), List.of(), null, null, true);
        assertThat(tty).isInstanceOf(TerminalProcess.class);
        ((TerminalProcess) tty).resize(40, 100);
        tty.getOutputStream().write("typed\n".getBytes(StandardCharsets.UTF_8));
        String ttyOut = new String(tty.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tty.waitFor()).isEqualTo(4);
        assertThat(ttyOut).contains("/dev/pts/").contains("got typed").contains("\r\n");

        Process failing = runtime.exec(id, List.of("sh", "-c", "exit 5"), List.of(), null, null, false);
        assertThat(failing.waitFor()).isEqualTo(5);
    }

    @Test
    void aFailedStartLeavesNothingBehind() throws Exception {
        String id = newId();
        assertThatThrownBy(() -> runtime.start(new Spec(id, "/no/such/binary").build()))
                .isInstanceOf(ContainerRuntimeException.class)
                .hasMessageContaining("/no/such/binary").hasMessageContaining("no such file");
        assertNothingLeft(id);

        // As the engine does it: the container's directory exists before the start; it is left as it was.
        Path dataDir = Files.createDirectories(base.resolve("data/containers").resolve(id));
        Files.writeString(runtime.stdoutLog(id), "earlier output\n");
        assertThatThrownBy(() -> runtime.start(new Spec(id, "/no/such/binary").build()))
                .isInstanceOf(ContainerRuntimeException.class);
        try (var entries = Files.list(dataDir)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("stdout.log");
        }
        assertThat(Files.readString(runtime.stdoutLog(id))).isEqualTo("earlier output\n");
        FileTrees.deleteRecursively(dataDir);
        assertNothingLeft(id);
    }

    @Test
    void aBadSpecChangesNothing() throws Exception {
        String id = newId();
        Spec badCap = new Spec(id, "true");
        badCap.capAdd = Set.of("NET_FOO");
        assertThatThrownBy(() -> runtime.start(badCap.build())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown capability");
        Spec badUser = new Spec(id, "true");
        badUser.user = "prt-nobody-here";
        assertThatThrownBy(() -> runtime.start(badUser.build())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unable to find user prt-nobody-here");
        Spec badDir = new Spec(id, "true");
        badDir.workingDir = "relative";
        assertThatThrownBy(() -> runtime.start(badDir.build())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absolute");
        assertThatThrownBy(() -> runtime.start(new Spec("../prt", "true").build())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid container id");
        assertNothingLeft(id);
    }

    private void assertNothingLeft(String id) throws IOException {
        assertThat(mountsUnder(base)).isEmpty();
        assertThat(runtime.listIds()).doesNotContain(id);
        assertThat(runtime.state(id)).isEmpty();
        assertThat(base.resolve("exec/bundles").resolve(id)).doesNotExist();
        assertThat(base.resolve("data/containers").resolve(id)).doesNotExist();
    }

    @Test
    void keepsTheContainerLayerAcrossARestartAndAppendsLogs() throws Exception {
        String id = newId();
        assertThat(run(new Spec(id, "sh", "-c", "echo first; echo kept > /data")).exitCode()).isZero();
        runtime.delete(id);
        Finished second = run(new Spec(id, "cat", "/data"));
        assertThat(second.stdout()).isEqualTo("first\nkept\n");
    }

    @Test
    void crunRunsOrFailsCleanly() throws Exception {
        // crun refuses hosts with cgroup v1 controllers next to a populated v2 hierarchy ("hybrid").
        Spec spec = new Spec(newId(), "echo", "from-crun");
        spec.runtime = "crun";
        try {
            Finished f = run(spec);
            assertThat(f.stdout()).isEqualTo("from-crun\n");
        } catch (ContainerRuntimeException e) {
            assertThat(e.getMessage()).isNotBlank();
            assertNothingLeft(spec.id);
        }
    }
}
