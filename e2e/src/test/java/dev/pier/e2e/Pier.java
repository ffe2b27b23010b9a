package dev.pier.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A private pierd for one test class: its own socket, data root, exec root, bridge, subnet and
 * firewall table, all named with one unique prefix, and removed when the test is done.
 */
final class Pier implements AutoCloseable {
    static final Path HOME = findHome();
    static final Path BUSYBOX = HOME.resolve("e2e/target/busybox.tar");

    final String prefix;
    final Path root;
    final Path socket;
    final Path dataRoot;
    final Path execRoot;
    final String bridge;
    final String subnetPrefix;   // "10.x.y." : the default bridge is 10.x.y.0/24
    final String table;
    private Process daemon;
    private final Path log;
    /** Flags of this test's own for its daemon, after the fixture's. */
    private final List<String> daemonFlags;

    /** The CLI's result. */
    record Result(int exit, String out, String err) {
        Result ok() {
            if (exit != 0) throw new AssertionError("exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
            return this;
        }
    }

    Pier() throws IOException {
        this(List.of());
    }

    Pier(List<String> daemonFlags) throws IOException {
        this.daemonFlags = List.copyOf(daemonFlags);
        prefix = "pe" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        root = Files.createTempDirectory("pier-" + prefix);
        socket = root.resolve("pier.sock");
        dataRoot = root.resolve("data");
        execRoot = root.resolve("run");
        // With -b the default network is on the administrator's bridge, named by the test.
        int b = daemonFlags.indexOf("-b");
        bridge = b >= 0 ? daemonFlags.get(b + 1) : prefix + "br";
        ThreadLocalRandom r = ThreadLocalRandom.current();
        subnetPrefix = "10." + (200 + r.nextInt(50)) + "." + r.nextInt(256) + ".";
        table = "pier_" + bridge;
        log = root.resolve("pierd.log");
        ensureBusyboxTarball();
        try {
            startDaemon();
            pier("import", BUSYBOX.toString(), "busybox:latest").ok();
        } catch (IOException | RuntimeException | Error e) {
            // The test class never gets this fixture to close: stop the daemon and clean up here.
            try {
                close();
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * A shell loop that fetches http://host:port/path with busybox nc (Debian's static busybox
     * wget crashes): retried for ~3 s while the server starts; exit 1 if it never answers.
     */
    static String httpGet(String host, int port, String path) {
        return "for i in 1 2 3 4 5 6 7 8 9 10; do printf 'GET " + path + " HTTP/1.0\\r\\n\\r\\n' | nc -w 2 " + host + " " + port
                + " && exit 0; sleep 0.3; done; exit 1";
    }

    /** The repository root: the e2e module's parent (Maven runs tests with the module as working directory). */
    private static Path findHome() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("bin/pierd")) && Files.exists(p.resolve("bin/pier"))) return p;
        }
        throw new IllegalStateException("cannot find bin/pierd above " + here);
    }

    static synchronized void ensureBusyboxTarball() throws IOException {
        if (Files.exists(BUSYBOX)) return;
        run(List.of(HOME.resolve("bin/make-busybox-image").toString(), BUSYBOX.toString()), 120).ok();
    }

    void startDaemon() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(HOME.resolve("bin/pierd").toString(),
                "--host", "unix://" + socket, "--data-root", dataRoot.toString(), "--exec-root", execRoot.toString());
        if (!daemonFlags.contains("-b")) pb.command().addAll(List.of("--bridge-name", bridge, "--bip", subnetPrefix + "1/24"));
        pb.command().addAll(daemonFlags);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        daemon = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) throw new AssertionError("pierd exited " + daemon.exitValue() + ":\n" + Files.readString(log));
            if (Files.exists(socket) && pings()) return;
            sleep(100);
        }
        throw new AssertionError("pierd did not answer within 30 s:\n" + Files.readString(log));
    }

    /** GET /_ping over the socket: the daemon answers, whatever state the CLI's build is in. */
    private boolean pings() {
        try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
            ch.write(java.nio.ByteBuffer.wrap("GET /_ping HTTP/1.1\r\nHost: pier\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(512);
            while (ch.read(buf) > 0 && buf.hasRemaining()) { /* read the answer */ }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }

    /** kill -9: the daemon gets no chance to clean anything. */
    void killDaemon() throws InterruptedException {
        daemon.destroyForcibly();
        daemon.waitFor();
    }

    long daemonPid() {
        return daemon.pid();
    }

    Result pier(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(HOME.resolve("bin/pier").toString());
        cmd.add("-H");
        cmd.add("unix://" + socket);
        cmd.addAll(List.of(args));
        try {
            return run(cmd, 120);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Result run(List<String> cmd, int timeoutSeconds) throws IOException {
        return run(new ProcessBuilder(cmd), null, timeoutSeconds);
    }

    /**
     * cmd with the caller's DOCKER_* and PIER_* variables replaced by {@code env} (so no user's setup
     * leaks in), stdin from {@code input} (null: /dev/null).
     */
    static Result run(List<String> cmd, Map<String, String> env, Path input, int timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("DOCKER_") || k.startsWith("PIER_"));
        pb.environment().putAll(env);
        return run(pb, input, timeoutSeconds);
    }

    private static Result run(ProcessBuilder pb, Path input, int timeoutSeconds) throws IOException {
        Path out = Files.createTempFile("pier-out", ".txt");
        Path err = Files.createTempFile("pier-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(input == null ? new java.io.File("/dev/null") : input.toFile())).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + pb.command() + "\nstdout: " + Files.readString(out) + "\nstderr: " + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Result sh(String command) {
        try {
            return run(List.of("sh", "-c", command), 60);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Host links, namespaces and rules this daemon might have left. */
    List<String> leftovers() {
        List<String> found = new ArrayList<>();
        // This daemon tags its host-side interfaces with a group of its own (see Pierd.interfaceGroup).
        int group = 0x50000000 | (execRoot.toAbsolutePath().normalize().toString().hashCode() & 0x0FFFFFFF);
        for (String line : sh("ip -o link show group " + group).out().split("\n")) {
            if (!line.isBlank()) found.add("link " + line.split(":")[1].strip());
        }
        Path netns = execRoot.resolve("netns");
        if (Files.isDirectory(netns)) {
            try (var files = Files.list(netns)) {
                files.forEach(f -> found.add("netns " + f.getFileName()));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return found;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@code rm -f} of every container this daemon has: the result of that rm, or of the failed
     * {@code ps -aq}, or an empty success when there was none.
     */
    Result removeAllContainers() {
        Result ps = pier("ps", "-aq");
        String ids = ps.out().strip();
        if (ps.exit() != 0 || ids.isEmpty()) return ps;
        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
        rm.addAll(List.of(ids.split("\\s+")));
        return pier(rm.toArray(String[]::new));
    }

    /** What a TCP connection to host:port reads, retried for ~4 s while the server starts; "" when never answered. */
    static String fetch(String host, int port) {
        for (int i = 0; i < 20; i++) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(host, port), 1000);
                s.setSoTimeout(2000);
                try (java.io.InputStream in = s.getInputStream()) {
                    String got = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                    if (!got.isEmpty()) return got;
                }
            } catch (IOException e) {
                // not yet
            }
            sleep(200);
        }
        return "";
    }

    @Override
    public void close() throws Exception {
        try {
            if (daemon != null && daemon.isAlive()) {
                removeAllContainers();
                // A user network's bridge outlives its daemon by design: remove the test's networks first.
                pier("network", "prune", "-f");
                daemon.destroy();
                daemon.waitFor(10, TimeUnit.SECONDS);
                if (daemon.isAlive()) killDaemon();
            }
        } finally {
            // Whatever is left is removed even if the daemon could not do it.
            sh("for n in $(ls " + execRoot.resolve("netns") + " 2>/dev/null); do umount -l " + execRoot.resolve("netns") + "/$n; rm -f " + execRoot.resolve("netns") + "/$n /run/netns/$n; done; "
                    + "umount -l " + execRoot.resolve("netns") + " 2>/dev/null; "
                    + "for c in $(runc --root " + execRoot.resolve("runc") + " list -q 2>/dev/null); do runc --root " + execRoot.resolve("runc") + " delete -f $c; done; "
                    + "grep -o ' " + root + "[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l; "
                    + (daemonFlags.contains("-b") ? "" : "ip link del " + bridge + " 2>/dev/null; ") + "nft delete table inet " + table + " 2>/dev/null; nft delete table inet " + table + "_user 2>/dev/null; nft delete table bridge " + table + " 2>/dev/null; "
                    + "rm -rf " + root);
        }
    }
}
