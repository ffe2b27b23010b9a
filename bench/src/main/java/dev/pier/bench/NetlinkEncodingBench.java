package dev.pier.bench;

import dev.pier.linux.IpPrefix;
import dev.pier.linux.LinkKind;
import dev.pier.linux.LinkSpec;
import dev.pier.linux.NetNamespace;
import dev.pier.linux.Netlink;
import dev.pier.linux.Route;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The pieces of one endpoint's plumbing that can be measured without changing kernel state, to
 * explain where {@link EndpointPlumbingBench}'s per-endpoint time goes:
 * <ul>
 *   <li>{@link #assembleEndpointRequests}: the Java side alone: the veth spec, the address parse,
 *       the route, the in-namespace batch assembled (not committed: Netlink encodes into its buffer
 *       only inside commit, which sends, so the byte encoding itself cannot be isolated through the
 *       public API);</li>
 *   <li>{@link #hopIntoNamespace}: a no-op {@link NetNamespace#run}: the handoff to a platform
 *       thread and the two setns(2) calls that every {@link Netlink#openIn} pays;</li>
 *   <li>{@link #openAndCloseSocket} / {@link #openAndCloseSocketInNamespace}: a netlink socket's
 *       life (socket, options, bind, buffers, close) without and with the hop;</li>
 *   <li>{@link #lookupLink}: one read-only rtnetlink round trip (RTM_GETLINK of lo), the floor
 *       under every acknowledged request.</li>
 * </ul>
 * Needs root (SO_RCVBUFFORCE, namespaces). The namespace it uses is {@code pbnjmh<xx>}, removed in
 * {@link #tearDown()}; {@code bench/run-plumbing.sh --cleanup} removes it after a killed run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NetlinkEncodingBench {
    private Path dir;
    private String name;
    private NetNamespace ns;
    private Netlink host;
    private int counter;

    @Setup
    public void setUp() throws IOException {
        name = "pbnjmh" + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt());
        dir = Files.createDirectory(Path.of("/tmp", "pier-bench-" + name));
        ns = NetNamespace.create(dir, name);
        host = Netlink.open();
    }

    @TearDown
    public void tearDown() {
        host.close();
        ns.close();
        BenchKernel.removeNamespaceDir(dir);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Netlink.Batch assembleEndpointRequests() {
        int i = (counter++ & 0x3FFF) + 2;
        LinkSpec spec = LinkSpec.veth("pbnjmhv" + i, LinkKind.Peer.named("eth0").in(ns).mtu(1400))
                .master(7).mtu(1400).group(0x7B00).up();
        IpPrefix address = IpPrefix.parse("10.123." + (i >> 8) + "." + (i & 0xFF) + "/16");
        return host.batch().addLink(spec).setUp(1, true).setUp(2, true)
                .addAddress(2, address).addRoute(Route.defaultVia(BenchKernel.GATEWAY, 2));
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Integer hopIntoNamespace() {
        return ns.run(() -> 1);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void openAndCloseSocket() {
        Netlink.open().close();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void openAndCloseSocketInNamespace() {
        Netlink.openIn(ns).close();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int lookupLink() {
        return host.requireLink("lo").index();
    }
}
