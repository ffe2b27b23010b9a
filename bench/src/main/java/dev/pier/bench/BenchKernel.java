package dev.pier.bench;

import dev.pier.linux.IpPrefix;
import dev.pier.linux.KernelException;
import dev.pier.linux.Link;
import dev.pier.linux.LinkSpec;
import dev.pier.linux.NetNamespace;
import dev.pier.linux.Netlink;
import dev.pier.linux.Route;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Every kernel object one benchmark run makes, named {@code pbn<xx>...} (xx: a random byte), with
 * interface group {@code 0x7B<xx>}: a bridge {@code pbn<xx>br} holding 10.123.0.1/16, and the
 * namespaces and veths of the rounds. {@link #close()} removes all of it, also from a shutdown hook
 * when the run is interrupted; {@link #leftovers()} checks that nothing of the family remains.
 */
final class BenchKernel implements AutoCloseable {
    static final String FAMILY = "pbn";
    static final int GROUP_BASE = 0x7B00;
    static final int GROUP_LAST = 0x7BFF;
    static final IpPrefix SUBNET = IpPrefix.parse("10.123.0.0/16");
    static final IpPrefix BRIDGE_ADDRESS = IpPrefix.parse("10.123.0.1/16");
    static final InetAddress GATEWAY = BRIDGE_ADDRESS.address();

    private static final Path RUN_NETNS = Path.of("/run/netns");
    private static final Path TMP = Path.of("/tmp");
    private static final String DIR_PREFIX = "pier-bench-";

    private final String prefix;
    private final int group;
    private final Path nsDir;
    private final Netlink host;
    private final String bridgeName;
    private final int bridgeIndex;
    private final Map<String, NetNamespace> namespaces = new ConcurrentHashMap<>();
    /** The sandbox's own rtnetlink socket, as the engine's Sandbox keeps one per container start. */
    private final Map<String, Netlink> insideSockets = new ConcurrentHashMap<>();
    private final Thread shutdownHook = Thread.ofPlatform().unstarted(() -> close(true));
    private volatile boolean closing;
    private boolean closed;

    private BenchKernel() {
        int id = ThreadLocalRandom.current().nextInt(256);
        prefix = FAMILY + HexFormat.of().toHexDigits((byte) id);
        group = GROUP_BASE + id;
        bridgeName = prefix + "br";
        nsDir = TMP.resolve(DIR_PREFIX + prefix);
        host = Netlink.open();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            Files.createDirectory(nsDir);
            host.addLink(LinkSpec.bridge(bridgeName).up());
            bridgeIndex = host.requireLink(bridgeName).index();
            host.addAddress(bridgeIndex, BRIDGE_ADDRESS);
        } catch (IOException | RuntimeException e) {
            close();
            if (e instanceof IOException io) throw new UncheckedIOException("create " + nsDir + ": " + io.getMessage(), io);
            throw (RuntimeException) e;
        }
    }

    /** Refuses, changing nothing, when objects of the family are left over or 10.123.0.0/16 is in use. */
    static BenchKernel create() {
        List<String> stale = leftovers();
        if (!stale.isEmpty()) {
            throw new IllegalStateException("objects of the " + FAMILY + " family are left from an earlier run: " + stale
                    + "\nremove them first with: bench/run-plumbing.sh --cleanup");
        }
        try (Netlink host = Netlink.open()) {
            List<String> clashes = new ArrayList<>();
            host.addresses(4).stream().filter(a -> overlapsSubnet(a.prefix().address(), 32))
                    .forEach(a -> clashes.add("address " + a.prefix() + " on #" + a.ifindex()));
            host.routes(4).stream().filter(r -> !r.isDefault() && overlapsSubnet(r.destination().address(), r.destination().prefixLength()))
                    .forEach(r -> clashes.add("route to " + r.destination() + " (table " + r.table() + ")"));
            if (!clashes.isEmpty()) {
                throw new IllegalStateException("the benchmark needs " + SUBNET + " to itself but the host already uses it: " + clashes);
            }
        }
        return new BenchKernel();
    }

    private static boolean overlapsSubnet(InetAddress address, int prefixLength) {
        byte[] a = address.getAddress();
        if (a.length != 4) return false;
        byte[] s = SUBNET.address().getAddress();
        int common = Math.min(prefixLength, SUBNET.prefixLength());
        int x = toInt(a), y = toInt(s);
        int mask = common == 0 ? 0 : -1 << (32 - common);
        return (x & mask) == (y & mask);
    }

    private static int toInt(byte[] b) {
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    String prefix() { return prefix; }
    int group() { return group; }
    Path namespaceDir() { return nsDir; }
    Netlink host() { return host; }
    String bridgeName() { return bridgeName; }
    int bridgeIndex() { return bridgeIndex; }

    /** Throws once cleanup has begun (an interrupted run), so the main thread stops making objects. */
    void checkOpen() {
        if (closing) throw new IllegalStateException("benchmark interrupted: cleaning up");
    }

    synchronized NetNamespace createNamespace(String name) {
        checkOpen();
        NetNamespace ns = NetNamespace.create(nsDir, name);
        namespaces.put(name, ns);
        return ns;
    }

    /**
     * What the engine does to a new sandbox before any endpoint joins it: opens a socket inside
     * (a thread hop and two setns) and brings lo up. Not endpoint plumbing: a container with
     * --network none pays it too. Returns the time it took, in nanoseconds.
     */
    long prepareSandbox(String name) {
        long t0 = System.nanoTime();
        Netlink inside = Netlink.openIn(namespace(name));
        insideSockets.put(name, inside);
        inside.batch().setUp(1, true).commit();
        return System.nanoTime() - t0;
    }

    Netlink insideSocket(String name) {
        Netlink inside = insideSockets.get(name);
        if (inside == null) throw new IllegalStateException("sandbox " + name + " not prepared");
        return inside;
    }

    NetNamespace namespace(String name) {
        NetNamespace ns = namespaces.get(name);
        if (ns == null) throw new IllegalStateException("no open namespace " + name);
        return ns;
    }

    boolean hasNamespace(String name) {
        return namespaces.containsKey(name);
    }

    /** Closes our handle (it would keep the namespace alive) and removes the bind mount. */
    void deleteNamespace(String name) {
        Netlink inside = insideSockets.remove(name);
        if (inside != null) inside.close();
        NetNamespace ns = namespaces.remove(name);
        if (ns != null) ns.close();
        NetNamespace.delete(nsDir, name);
    }

    List<Link> linksStartingWith(String namePrefix) {
        return host.links().stream().filter(l -> l.name().startsWith(namePrefix)).toList();
    }

    /** Polls the host's link list until no link name starts with {@code namePrefix}; returns System.nanoTime() then. */
    long awaitLinksGone(String namePrefix, long timeoutNanos) {
        long start = System.nanoTime();
        while (true) {
            boolean any = host.links().stream().anyMatch(l -> l.name().startsWith(namePrefix));
            long now = System.nanoTime();
            if (!any) return now;
            if (now - start > timeoutNanos) {
                throw new IllegalStateException("links " + namePrefix + "* still present after " + timeoutNanos / 1_000_000 + " ms");
            }
            Thread.onSpinWait();
        }
    }

    /** Every round starts from this state: the bridge alone, no veth, no namespace, nothing in our group. */
    void checkClean() {
        checkOpen();
        List<String> dirty = new ArrayList<>();
        for (Link l : host.links()) {
            if (l.index() == bridgeIndex) continue;
            if (l.name().startsWith(prefix) || l.group() == group || l.masterIndex() == bridgeIndex) dirty.add(l.name());
        }
        if (!namespaces.isEmpty()) dirty.add("namespaces " + namespaces.keySet());
        try (Stream<Path> files = Files.list(nsDir)) {
            files.forEach(f -> dirty.add("namespace file " + f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!dirty.isEmpty()) throw new IllegalStateException("round would not start from a clean state: " + dirty);
    }

    // ---------------------------------------------------------------- kernel namespace accounting

    /**
     * Active objects of the kernel's net_namespace slab: an approximate count of live network
     * namespaces (whole slabs cached per CPU make it coarse), -1 where the kernel does not show it.
     */
    static long netnsSlabObjects() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/slabinfo"))) {
                if (line.startsWith("net_namespace ")) return Long.parseLong(line.split("\\s+")[1]);
            }
        } catch (IOException | RuntimeException e) {
            // not readable or merged into another cache: no signal
        }
        return -1;
    }

    /**
     * Waits, best effort, for the kernel's asynchronous cleanup of {@code deleted} namespaces: until
     * the slab count has dropped by half of them and stayed put for 200 ms, or a deadline passes
     * (other work on the machine makes namespaces too, so the count is a hint, never a measurement).
     */
    static void awaitNetnsCleanup(long before, int deleted) {
        long start = System.nanoTime();
        long deadline = start + 2_000_000_000L + deleted * 5_000_000L;
        if (before < 0 || deleted < 20) {
            sleepMillis(deleted < 20 ? 50 : 500);
            return;
        }
        long last = before;
        long lastChange = start;
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            long count = netnsSlabObjects();
            if (count != last) {
                last = count;
                lastChange = now;
            }
            if (before - count >= deleted / 2 && now - lastChange >= 200_000_000L) return;
            sleepMillis(5);
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---------------------------------------------------------------- cleanup

    @Override
    public void close() {
        close(false);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private synchronized void close(boolean fromHook) {
        closing = true;
        if (closed) return;
        closed = true;
        List<String> problems = new ArrayList<>();
        if (fromHook) System.err.println("run-plumbing: interrupted, removing " + prefix + "* objects");
        // Links first, synchronously, so no host veth end waits on an asynchronous namespace cleanup.
        attempt(problems, "delete group " + group, () -> deleteGroupIfAny(host, group));
        for (Link l : safeLinks(problems)) {
            if (l.name().startsWith(prefix)) attempt(problems, "delete link " + l.name(), () -> deleteLinkIfAny(host, l.index()));
        }
        for (String name : List.copyOf(namespaces.keySet())) attempt(problems, "delete netns " + name, () -> deleteNamespace(name));
        attempt(problems, "remove " + nsDir, () -> removeNamespaceDir(nsDir));
        if (!fromHook) host.close(); // a main thread may still use it while the hook runs: the JVM is exiting anyway
        for (String p : problems) System.err.println("run-plumbing: cleanup: " + p);
    }

    private List<Link> safeLinks(List<String> problems) {
        try {
            return host.links();
        } catch (RuntimeException e) {
            problems.add("list links: " + e.getMessage());
            return List.of();
        }
    }

    private static void attempt(List<String> problems, String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            problems.add(what + ": " + e.getMessage());
        }
    }

    private static void deleteGroupIfAny(Netlink nl, int group) {
        try {
            nl.deleteLinksInGroup(group);
        } catch (KernelException e) {
            if (e.errno() != KernelException.ENODEV) throw e; // ENODEV: the group is empty
        }
    }

    private static void deleteLinkIfAny(Netlink nl, int index) {
        try {
            nl.deleteLink(index);
        } catch (KernelException e) {
            if (e.errno() != KernelException.ENODEV) throw e; // went with its peer
        }
    }

    /** Deletes every namespace file in {@code dir}, then the bind mount NetNamespace made of the dir itself. */
    static void removeNamespaceDir(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) NetNamespace.delete(dir, f.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < 4 && isMountPoint(dir); i++) runQuietly("umount", dir.toString());
        if (isMountPoint(dir)) throw new IllegalStateException(dir + " is still a mount point");
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isMountPoint(Path dir) {
        try {
            String target = dir.toAbsolutePath().normalize().toString();
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> line.split(" "))
                    .anyMatch(fields -> fields.length > 4 && fields[4].equals(target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void runQuietly(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + ": " + output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---------------------------------------------------------------- leftovers of the whole family

    /** Anything of the pbn family: host links by name or group, /run/netns entries, namespace dirs. */
    static List<String> leftovers() {
        List<String> found = new ArrayList<>();
        try (Netlink host = Netlink.open()) {
            for (Link l : host.links()) {
                if (l.name().startsWith(FAMILY)) found.add("link " + l.name());
                else if (l.group() >= GROUP_BASE && l.group() <= GROUP_LAST) found.add("link " + l.name() + " in group 0x" + Integer.toHexString(l.group()));
            }
        }
        for (Path p : list(RUN_NETNS, FAMILY)) found.add(p.toString());
        for (Path p : list(TMP, DIR_PREFIX + FAMILY)) found.add(p.toString());
        return found;
    }

    /** Removes every leftover of the family (the --cleanup mode). */
    static void removeLeftovers() {
        try (Netlink host = Netlink.open()) {
            for (int g = GROUP_BASE; g <= GROUP_LAST; g++) {
                final int group = g;
                if (host.links().stream().anyMatch(l -> l.group() == group)) deleteGroupIfAny(host, group);
            }
            for (Link l : host.links()) if (l.name().startsWith(FAMILY)) deleteLinkIfAny(host, l.index());
        }
        for (Path dir : list(TMP, DIR_PREFIX + FAMILY)) removeNamespaceDir(dir);
        for (Path entry : list(RUN_NETNS, FAMILY)) {
            if (Files.isSymbolicLink(entry)) {
                try {
                    Files.deleteIfExists(entry); // its target went with the directory above
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                NetNamespace.delete(RUN_NETNS, entry.getFileName().toString());
            }
        }
    }

    private static List<Path> list(Path dir, String namePrefix) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(namePrefix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a default route via the bench gateway leaves {@code eth0}: used to check plumbing. */
    static boolean isBenchDefaultRoute(Route r, int eth0Index) {
        return r.isDefault() && GATEWAY.equals(r.gateway()) && r.outIndex() == eth0Index;
    }
}
