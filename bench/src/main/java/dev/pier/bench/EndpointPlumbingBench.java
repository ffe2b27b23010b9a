package dev.pier.bench;

import dev.pier.linux.IpPrefix;
import dev.pier.linux.Link;
import dev.pier.linux.LinkKind;
import dev.pier.linux.LinkSpec;
import dev.pier.linux.NetNamespace;
import dev.pier.linux.Netlink;
import dev.pier.linux.Route;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Plumbs N container endpoints (veth on a bridge, peer born as eth0 in its own namespace, address,
 * default route) three ways side by side (Pier's FFM rtnetlink, one ip process per step, ip -batch)
 * and tears them down several ways, for each size given. A plain harness, not a unit test: run it
 * as root through {@code bench/run-plumbing.sh [sizes...]}.
 */
public final class EndpointPlumbingBench {
    static final int MTU = 1400;
    /** Deleting a veth makes the kernel wait 17-37 ms on unregister: one by one only up to this size. */
    static final int PER_VETH_TEARDOWN_MAX = 100;
    static final int WARM_UP_ENDPOINTS = 300;
    static final int SPAWN_FLOOR_RUNS = 30;
    /** A size below this repeats its rounds (from a clean state each time), so a median means something. */
    static final int MIN_SAMPLES = 10;
    private static final long LINKS_GONE_TIMEOUT = 120_000_000_000L;

    private static final String USAGE = """
            usage: bench/run-plumbing.sh [--ip-per-step-max=N] [sizes...]   (default sizes: 1 100 1000)
                   bench/run-plumbing.sh --cleanup                          (remove pbn* leftovers of a killed run)
            Must run as root. Creates only objects named pbn* (bridge, veths, namespaces), group 0x7Bxx, 10.123.0.0/16.""";

    enum Plumbing {
        PIER("pier (FFM)"), IP_PER_STEP("ip per step"), IP_BATCH("ip -batch");
        final String label;
        Plumbing(String label) { this.label = label; }
    }

    enum Teardown {
        PIER_PER_VETH("pier: deleteLink per host veth"),
        PIER_GROUP("pier: deleteLinksInGroup (1 request)"),
        PIER_NAMESPACES("pier: NetNamespace.delete per namespace"),
        IP_PER_VETH("ip link del per veth (1 process each)"),
        IP_BATCH("ip -batch: one link del line per veth"),
        UNTIMED("(untimed cleanup)");
        final String label;
        Teardown(String label) { this.label = label; }
    }

    record Options(List<Integer> sizes, int ipPerStepMax, boolean cleanupOnly) {
        static Options parse(String[] args) {
            List<Integer> sizes = new ArrayList<>();
            int ipPerStepMax = Integer.MAX_VALUE;
            boolean cleanup = false;
            for (String arg : args) {
                if (arg.equals("--cleanup")) cleanup = true;
                else if (arg.startsWith("--ip-per-step-max=")) ipPerStepMax = number(arg.substring(arg.indexOf('=') + 1), arg);
                else if (arg.startsWith("-")) throw new IllegalArgumentException("unknown option " + arg);
                else sizes.add(number(arg, arg));
            }
            for (int n : sizes) {
                // Addresses 10.123.0.2 up, names pbnXX<round>v<i> within 15 bytes: 10000 keeps both comfortable.
                if (n < 1 || n > 10_000) throw new IllegalArgumentException("size must be between 1 and 10000: " + n);
            }
            if (cleanup && !sizes.isEmpty()) throw new IllegalArgumentException("--cleanup takes no sizes");
            if (sizes.isEmpty()) sizes = List.of(1, 100, 1000);
            return new Options(List.copyOf(new LinkedHashSet<>(sizes)), ipPerStepMax, cleanup);
        }

        private static int number(String text, String arg) {
            try {
                int n = Integer.parseInt(text);
                if (n < 0) throw new NumberFormatException();
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a non-negative integer: " + arg);
            }
        }
    }

    record Endpoint(int index, String hostEnd, String namespace, String address) {}

    /** Per-endpoint durations of the pier sequence, phase by phase. */
    record Phases(Samples createVeth, Samples findEth0, Samples insideBatch) {
        static Phases pooled(List<Phases> parts) {
            return new Phases(
                    Samples.pooled(parts.stream().map(Phases::createVeth).toList()),
                    Samples.pooled(parts.stream().map(Phases::findEth0).toList()),
                    Samples.pooled(parts.stream().map(Phases::insideBatch).toList()));
        }
    }

    /**
     * perEndpoint and phases are null where the method only has a total (ip -batch) or no phases (ip);
     * firstEndpoint is the first endpoint's time (-1 without per-endpoint times); cpu is the CPU time
     * the whole plumbing took (see {@link CpuShare#processCpu}).
     */
    record Plumbed(Samples perEndpoint, long totalNanos, Phases phases, long firstEndpoint, CpuShare.CpuTime cpu) {
        long cpuNanos() { return cpu.work(); }
    }

    /**
     * @param perOperation  one sample per delete where the method deletes one by one, else null
     * @param linksGone     namespaces: nanoseconds from the first delete until no host veth end is left, else -1
     */
    record TeardownResult(Teardown kind, int endpoints, long totalNanos, Samples perOperation, long linksGone) {}

    record RoundResult(int size, Plumbing plumbing, Samples namespaceCreation, Samples sandboxPreparation, Plumbed plumbed, TeardownResult teardown) {}

    private final BenchKernel kernel;
    private final Netlink host;
    private final IpTool ip;
    private final Options options;
    private int roundNumber;

    private EndpointPlumbingBench(BenchKernel kernel, IpTool ip, Options options) {
        this.kernel = kernel;
        this.host = kernel.host();
        this.ip = ip;
        this.options = options;
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("run-plumbing: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(64);
            return;
        }
        if (!isRoot()) {
            System.err.println("run-plumbing: must run as root (it creates namespaces, veths and a bridge)");
            System.exit(77);
        }
        if (options.cleanupOnly()) {
            List<String> before = BenchKernel.leftovers();
            BenchKernel.removeLeftovers();
            List<String> after = BenchKernel.leftovers();
            System.out.println("removed: " + (before.isEmpty() ? "nothing (none found)" : before));
            if (!after.isEmpty()) {
                System.err.println("run-plumbing: still present: " + after);
                System.exit(1);
            }
            return;
        }
        int status = 0;
        long start = System.nanoTime();
        try (BenchKernel kernel = BenchKernel.create()) {
            new EndpointPlumbingBench(kernel, IpTool.locate(), options).run();
        } catch (RuntimeException e) {
            System.err.println("run-plumbing: failed: " + e);
            e.printStackTrace();
            status = 1;
        }
        List<String> left = BenchKernel.leftovers();
        if (left.isEmpty()) {
            System.out.printf("%nclean: nothing of the %s family remains (links, group 0x7Bxx, /run/netns, namespace dirs); run took %.1f s%n",
                    BenchKernel.FAMILY, (System.nanoTime() - start) / 1e9);
        } else {
            System.err.println("run-plumbing: LEFT BEHIND: " + left + " (remove with bench/run-plumbing.sh --cleanup)");
            status = 2;
        }
        System.exit(status);
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- the run

    private void run() {
        Report report = new Report(System.out);
        report.header(kernel, ip, options);

        Samples spawnFloor = measureSpawnFloor();
        // Untimed warm-up: class loading, JIT, FFM stubs, the namespace thread pool, as in a running daemon.
        long coldFirst = warmUp();
        report.warmUp(WARM_UP_ENDPOINTS, coldFirst, spawnFloor);

        Map<Integer, List<RoundResult>> all = new LinkedHashMap<>();
        for (int n : options.sizes()) {
            List<RoundResult> rounds = new ArrayList<>();
            CpuShare cpuAtStart = CpuShare.now();
            boolean ipPerStep = n <= options.ipPerStepMax();
            boolean perVeth = n <= PER_VETH_TEARDOWN_MAX;
            for (int repeat = 0; repeat < repeats(n); repeat++) {
                // Methods alternate so a slow drift of the machine does not favour one of them.
                rounds.add(round(n, Plumbing.PIER, Teardown.PIER_GROUP));
                if (ipPerStep) rounds.add(round(n, Plumbing.IP_PER_STEP, perVeth ? Teardown.IP_PER_VETH : Teardown.UNTIMED));
                if (perVeth) rounds.add(round(n, Plumbing.PIER, Teardown.PIER_PER_VETH));
                rounds.add(round(n, Plumbing.IP_BATCH, Teardown.IP_BATCH));
                rounds.add(round(n, Plumbing.PIER, Teardown.PIER_NAMESPACES));
            }
            report.size(n, rounds, ipPerStep ? null : "skipped: --ip-per-step-max=" + options.ipPerStepMax(),
                    CpuShare.now().othersPercentSince(cpuAtStart));
            all.put(n, rounds);
        }
        report.targets(all);
    }

    /** Small sizes repeat their rounds until each method has at least MIN_SAMPLES endpoints. */
    static int repeats(int n) {
        return Math.max(1, (MIN_SAMPLES + n - 1) / n);
    }

    private Samples measureSpawnFloor() {
        String trueBinary = Files.isExecutable(Path.of("/usr/bin/true")) ? "/usr/bin/true" : "/bin/true";
        for (int i = 0; i < 5; i++) IpTool.spawnNanos(trueBinary);
        long[] nanos = new long[SPAWN_FLOOR_RUNS];
        for (int i = 0; i < nanos.length; i++) nanos[i] = IpTool.spawnNanos(trueBinary);
        return Samples.of(nanos);
    }

    /** Returns the very first endpoint's time, cold. */
    private long warmUp() {
        RoundResult pier = round(WARM_UP_ENDPOINTS, Plumbing.PIER, Teardown.PIER_GROUP);
        // The ip code paths too, so the first timed ip run does not pay for the harness's own first use.
        round(2, Plumbing.IP_PER_STEP, Teardown.IP_BATCH);
        return pier.plumbed().firstEndpoint();
    }

    /** One round from a clean state: namespaces, plumbing, verification, teardown, then back to clean. */
    private RoundResult round(int n, Plumbing plumbing, Teardown teardown) {
        kernel.checkClean();
        String roundPrefix = kernel.prefix() + (roundNumber++);
        List<Endpoint> endpoints = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int hostNumber = i + 2; // .1 is the gateway
            endpoints.add(new Endpoint(i, roundPrefix + "v" + i, roundPrefix + "n" + i,
                    "10.123." + (hostNumber >> 8) + "." + (hostNumber & 0xFF)));
        }
        try {
            long[] creation = new long[n], preparation = new long[n];
            for (Endpoint e : endpoints) {
                long t0 = System.nanoTime();
                kernel.createNamespace(e.namespace());
                creation[e.index()] = System.nanoTime() - t0;
                preparation[e.index()] = kernel.prepareSandbox(e.namespace());
            }
            Plumbed plumbed = switch (plumbing) {
                case PIER -> plumbWithPier(endpoints);
                case IP_PER_STEP -> plumbWithIpPerStep(endpoints);
                case IP_BATCH -> plumbWithIpBatch(endpoints);
            };
            for (int i : new LinkedHashSet<>(List.of(0, n / 2, n - 1))) verify(endpoints.get(i));
            long before = BenchKernel.netnsSlabObjects();
            TeardownResult result = tearDown(teardown, endpoints, roundPrefix);
            finishRound(endpoints, roundPrefix, before);
            return new RoundResult(n, plumbing, Samples.of(creation), Samples.of(preparation), plumbed, result);
        } catch (RuntimeException e) {
            // The run stops here; BenchKernel.close removes what the round made.
            throw new IllegalStateException("round " + roundPrefix + " (" + plumbing.label + ", N=" + n + ") failed: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- plumbing, three ways

    /** Exactly the engine's sequence, timed per endpoint and per phase. */
    private Plumbed plumbWithPier(List<Endpoint> endpoints) {
        int n = endpoints.size();
        long[] total = new long[n], create = new long[n], find = new long[n], batch = new long[n];
        int bridgeIndex = kernel.bridgeIndex();
        int group = kernel.group();
        CpuShare.CpuTime cpuStart = CpuShare.processCpu();
        long roundStart = System.nanoTime();
        for (Endpoint e : endpoints) {
            kernel.checkOpen();
            NetNamespace ns = kernel.namespace(e.namespace());
            Netlink inside = kernel.insideSocket(e.namespace());
            int i = e.index();
            long t0 = System.nanoTime();
            host.batch().addLink(LinkSpec.veth(e.hostEnd(), LinkKind.Peer.named("eth0").in(ns).mtu(MTU))
                            .master(bridgeIndex).mtu(MTU).group(group))
                    .withoutIpv6LinkLocal(e.hostEnd()).setUp(e.hostEnd(), true).commit();
            long t1 = System.nanoTime();
            Link eth0 = inside.requireLink("eth0");
            long t2 = System.nanoTime();
            inside.batch().withoutIpv6LinkLocal(eth0.index()).setUp(eth0.index(), true)
                    .addAddress(eth0.index(), IpPrefix.parse(e.address() + "/16"))
                    .addRoute(Route.defaultVia(BenchKernel.GATEWAY, eth0.index())).commit();
            long t3 = System.nanoTime();
            total[i] = t3 - t0;
            create[i] = t1 - t0;
            find[i] = t2 - t1;
            batch[i] = t3 - t2;
        }
        long roundNanos = System.nanoTime() - roundStart;
        CpuShare.CpuTime cpu = CpuShare.processCpu().minus(cpuStart);
        return new Plumbed(Samples.of(total), roundNanos,
                new Phases(Samples.of(create), Samples.of(find), Samples.of(batch)), total[0], cpu);
    }

    private List<String[]> hostSteps(Endpoint e) {
        String g = Integer.toString(kernel.group());
        return List.of(
                new String[]{"link", "add", e.hostEnd(), "mtu", Integer.toString(MTU), "type", "veth",
                        "peer", "name", "eth0", "netns", e.namespace(), "mtu", Integer.toString(MTU)},
                new String[]{"link", "set", e.hostEnd(), "master", kernel.bridgeName()},
                new String[]{"link", "set", e.hostEnd(), "up"},
                new String[]{"link", "set", e.hostEnd(), "group", g});
    }

    private static List<String[]> insideSteps(Endpoint e) {
        return List.of(
                new String[]{"link", "set", "eth0", "up"},
                new String[]{"addr", "add", e.address() + "/16", "dev", "eth0"},
                new String[]{"route", "add", "default", "via", BenchKernel.GATEWAY.getHostAddress()});
    }

    private Plumbed plumbWithIpPerStep(List<Endpoint> endpoints) {
        long[] total = new long[endpoints.size()];
        CpuShare.CpuTime cpuStart = CpuShare.processCpu();
        long roundStart = System.nanoTime();
        for (Endpoint e : endpoints) {
            kernel.checkOpen();
            long t0 = System.nanoTime();
            for (String[] step : hostSteps(e)) ip.run(step);
            for (String[] step : insideSteps(e)) ip.run(prepend("-n", e.namespace(), step));
            total[e.index()] = System.nanoTime() - t0;
        }
        long roundNanos = System.nanoTime() - roundStart;
        return new Plumbed(Samples.of(total), roundNanos, null, total[0], CpuShare.processCpu().minus(cpuStart));
    }

    private Plumbed plumbWithIpBatch(List<Endpoint> endpoints) {
        // Lines built before the clock starts: the cost measured is ip's, not this harness's string work.
        List<String> hostLines = new ArrayList<>();
        Map<String, List<String>> insideLines = new LinkedHashMap<>();
        for (Endpoint e : endpoints) {
            for (String[] step : hostSteps(e)) hostLines.add(String.join(" ", step));
            insideLines.put(e.namespace(), insideSteps(e).stream().map(s -> String.join(" ", s)).toList());
        }
        kernel.checkOpen();
        CpuShare.CpuTime cpuStart = CpuShare.processCpu();
        long start = System.nanoTime();
        ip.batch(null, hostLines);
        for (var entry : insideLines.entrySet()) ip.batch(entry.getKey(), entry.getValue());
        long nanos = System.nanoTime() - start;
        return new Plumbed(null, nanos, null, -1, CpuShare.processCpu().minus(cpuStart));
    }

    private static String[] prepend(String a, String b, String[] rest) {
        String[] out = new String[rest.length + 2];
        out[0] = a;
        out[1] = b;
        System.arraycopy(rest, 0, out, 2, rest.length);
        return out;
    }

    /** Checks (untimed) that a method really plumbed the endpoint: same end state for all three. */
    private void verify(Endpoint e) {
        Link h = host.link(e.hostEnd()).orElseThrow(() -> new IllegalStateException("host end " + e.hostEnd() + " missing"));
        require(h.masterIndex() == kernel.bridgeIndex(), e, "host end not on the bridge");
        require(h.group() == kernel.group(), e, "host end in group " + h.group());
        require(h.isUp() && h.mtu() == MTU, e, "host end down or mtu " + h.mtu());
        try (Netlink inside = Netlink.openIn(kernel.namespace(e.namespace()))) {
            require(inside.requireLink("lo").isUp(), e, "lo down");
            Link eth0 = inside.requireLink("eth0");
            require(eth0.isUp() && eth0.mtu() == MTU, e, "eth0 down or mtu " + eth0.mtu());
            IpPrefix expected = IpPrefix.parse(e.address() + "/16");
            require(inside.addresses(4, eth0.index()).stream().anyMatch(a -> a.prefix().equals(expected)), e, "no " + expected);
            require(inside.routes(4).stream().anyMatch(r -> BenchKernel.isBenchDefaultRoute(r, eth0.index())), e, "no default route");
        }
    }

    private static void require(boolean condition, Endpoint e, String problem) {
        if (!condition) throw new IllegalStateException("endpoint " + e.hostEnd() + "/" + e.namespace() + ": " + problem);
    }

    // ---------------------------------------------------------------- teardown

    private TeardownResult tearDown(Teardown kind, List<Endpoint> endpoints, String roundPrefix) {
        int n = endpoints.size();
        return switch (kind) {
            case PIER_PER_VETH -> {
                long[] each = new long[n];
                long start = System.nanoTime();
                for (Endpoint e : endpoints) {
                    long t0 = System.nanoTime();
                    host.deleteLink(e.hostEnd());
                    each[e.index()] = System.nanoTime() - t0;
                }
                yield new TeardownResult(kind, n, System.nanoTime() - start, Samples.of(each), -1);
            }
            case PIER_GROUP -> {
                long start = System.nanoTime();
                host.deleteLinksInGroup(kernel.group());
                yield new TeardownResult(kind, n, System.nanoTime() - start, null, -1);
            }
            case PIER_NAMESPACES -> {
                long[] each = new long[n];
                long start = System.nanoTime();
                for (Endpoint e : endpoints) {
                    long t0 = System.nanoTime();
                    kernel.deleteNamespace(e.namespace());
                    each[e.index()] = System.nanoTime() - t0;
                }
                long deleted = System.nanoTime() - start;
                long gone = kernel.awaitLinksGone(roundPrefix, LINKS_GONE_TIMEOUT) - start;
                yield new TeardownResult(kind, n, deleted, Samples.of(each), gone);
            }
            case IP_PER_VETH -> {
                long[] each = new long[n];
                long start = System.nanoTime();
                for (Endpoint e : endpoints) {
                    long t0 = System.nanoTime();
                    ip.run("link", "del", e.hostEnd());
                    each[e.index()] = System.nanoTime() - t0;
                }
                yield new TeardownResult(kind, n, System.nanoTime() - start, Samples.of(each), -1);
            }
            case IP_BATCH -> {
                List<String> lines = endpoints.stream().map(e -> "link del " + e.hostEnd()).toList();
                long start = System.nanoTime();
                ip.batch(null, lines);
                yield new TeardownResult(kind, n, System.nanoTime() - start, null, -1);
            }
            case UNTIMED -> null;
        };
    }

    /** Removes whatever the teardown left (namespaces, or veths when untimed) and waits for the kernel to settle. */
    private void finishRound(List<Endpoint> endpoints, String roundPrefix, long slabBefore) {
        if (!kernel.linksStartingWith(roundPrefix).isEmpty()) host.deleteLinksInGroup(kernel.group());
        for (Endpoint e : endpoints) {
            if (kernel.hasNamespace(e.namespace())) kernel.deleteNamespace(e.namespace());
        }
        kernel.awaitLinksGone(roundPrefix, LINKS_GONE_TIMEOUT);
        // The next round must not share the CPUs with this round's asynchronous namespace cleanup.
        BenchKernel.awaitNetnsCleanup(slabBefore, endpoints.size());
    }
}
