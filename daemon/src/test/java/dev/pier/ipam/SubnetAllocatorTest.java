package dev.pier.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SubnetAllocatorTest {

    private static InetAddress ip(String text) {
        return IpAddresses.parse(text);
    }

    private static SubnetAllocator allocator(String subnet) {
        return new SubnetAllocator(IpamConfig.parse(subnet, null, null, null));
    }

    private static IpamException failure(Runnable r) {
        try {
            r.run();
        } catch (IpamException e) {
            return e;
        }
        throw new AssertionError("expected an IpamException");
    }

    @Test
    void handsOutInOrderAfterTheGateway() {
        SubnetAllocator a = allocator("172.18.0.0/16");
        assertThat(a.allocate()).isEqualTo(ip("172.18.0.2"));
        assertThat(a.allocate()).isEqualTo(ip("172.18.0.3"));
        assertThat(a.allocate()).isEqualTo(ip("172.18.0.4"));
        assertThat(a.allocatedCount()).isEqualTo(3);
    }

    @Test
    void reusesReleasedAddressesLowestFirst() {
        SubnetAllocator a = allocator("10.0.0.0/24");
        for (int i = 0; i < 10; i++) {
            a.allocate();
        }
        assertThat(a.release(ip("10.0.0.7"))).isTrue();
        assertThat(a.release(ip("10.0.0.4"))).isTrue();
        assertThat(a.release(ip("10.0.0.4"))).as("already free").isFalse();
        assertThat(a.allocate()).isEqualTo(ip("10.0.0.4"));
        assertThat(a.allocate()).isEqualTo(ip("10.0.0.7"));
        assertThat(a.allocate()).isEqualTo(ip("10.0.0.12"));
    }

    @Test
    void neverHandsOutNetworkBroadcastGatewayOrAux() {
        SubnetAllocator a = new SubnetAllocator(IpamConfig.parse("10.0.0.0/29", null, "10.0.0.3", Map.of("sw", "10.0.0.5")));
        List<InetAddress> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(a.allocate());
        }
        assertThat(got).containsExactly(ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.4"), ip("10.0.0.6"));
        IpamException full = failure(a::allocate);
        assertThat(full).hasMessage("no available addresses on this pool: 10.0.0.0/29");
        assertThat(full.kind()).isEqualTo(IpamException.Kind.EXHAUSTED);
        for (String reserved : List.of("10.0.0.0", "10.0.0.3", "10.0.0.5", "10.0.0.7")) {
            assertThat(a.isReserved(ip(reserved))).as(reserved).isTrue();
            assertThat(a.isAllocated(ip(reserved))).as(reserved).isFalse();
        }
    }

    @Test
    void pointToPointAndHostSubnetsFollowRfc3021() {
        SubnetAllocator p2p = new SubnetAllocator(IpamConfig.parse("10.0.0.0/31", null, null, null));
        assertThat(p2p.config().gateway()).isEqualTo(ip("10.0.0.0"));
        assertThat(p2p.allocate()).isEqualTo(ip("10.0.0.1"));
        SubnetAllocator host = new SubnetAllocator(IpamConfig.parse("10.0.0.9/32", null, null, null));
        assertThat(host.config().gateway()).isEqualTo(ip("10.0.0.9"));
        assertThat(failure(host::allocate).kind()).isEqualTo(IpamException.Kind.EXHAUSTED);
    }

    @Test
    void dynamicAllocationStaysInTheRangeButFixedAddressesMayNot() {
        SubnetAllocator a = new SubnetAllocator(IpamConfig.parse("172.28.0.0/16", "172.28.5.0/30", "172.28.5.254", null));
        assertThat(a.allocate()).isEqualTo(ip("172.28.5.0"));
        assertThat(a.allocate()).isEqualTo(ip("172.28.5.1"));
        assertThat(a.allocate(ip("172.28.9.9"))).isEqualTo(ip("172.28.9.9"));
        assertThat(a.allocate()).isEqualTo(ip("172.28.5.2"));
        assertThat(a.allocate()).isEqualTo(ip("172.28.5.3"));
        assertThat(failure(a::allocate)).hasMessage("no available addresses on this pool: 172.28.0.0/16 (ip-range 172.28.5.0/30)");
    }

    @Test
    void allocateWantedChecksSubnetAndUse() {
        SubnetAllocator a = allocator("10.0.0.0/24");
        assertThat(a.allocate(ip("10.0.0.50"))).isEqualTo(ip("10.0.0.50"));
        assertThat(a.isAllocated(ip("10.0.0.50"))).isTrue();

        IpamException taken = failure(() -> a.allocate(ip("10.0.0.50")));
        assertThat(taken).hasMessage("Address already in use: 10.0.0.50");
        assertThat(taken.kind()).isEqualTo(IpamException.Kind.CONFLICT);
        assertThat(failure(() -> a.allocate(ip("10.0.0.1")))).hasMessage("Address already in use: 10.0.0.1 (the gateway)");
        assertThat(failure(() -> a.allocate(ip("10.0.0.255")))).hasMessage("Address already in use: 10.0.0.255 (the broadcast address)");

        IpamException outside = failure(() -> a.allocate(ip("10.9.9.9")));
        assertThat(outside).hasMessage("Invalid address 10.9.9.9: It does not belong to any of this network's subnets");
        assertThat(outside.kind()).isEqualTo(IpamException.Kind.INVALID);
        assertThat(failure(() -> a.allocate(ip("fd00::5")))).hasMessageStartingWith("Invalid address fd00::5");
        assertThat(a.allocatedCount()).as("failures change nothing").isEqualTo(1);
    }

    @Test
    void releaseRefusesReservedAndForeignAddresses() {
        SubnetAllocator a = allocator("10.0.0.0/24");
        assertThat(failure(() -> a.release(ip("10.0.0.1")))).hasMessage("cannot release 10.0.0.1: it is the gateway of 10.0.0.0/24");
        assertThat(failure(() -> a.release(ip("10.1.0.1")))).hasMessageStartingWith("Invalid address 10.1.0.1");
        assertThat(a.allocate()).as("gateway still reserved").isEqualTo(ip("10.0.0.2"));
    }

    @Test
    void ipv6HandsOutFromTheStartOfAHugeSubnetWithoutPerAddressMemory() {
        SubnetAllocator a = allocator("fd00:1::/64");
        assertThat(a.config().gateway()).isEqualTo(ip("fd00:1::1"));
        assertThat(a.isReserved(ip("fd00:1::"))).as("subnet-router anycast").isTrue();
        assertThat(a.allocate()).isEqualTo(ip("fd00:1::2"));
        assertThat(a.allocate(ip("fd00:1::ffff:ffff:ffff:fffe"))).isEqualTo(ip("fd00:1::ffff:ffff:ffff:fffe"));
        assertThat(a.allocate(ip("fd00:1::ffff:ffff:ffff:ffff"))).as("IPv6 has no broadcast").isNotNull();
        for (int i = 0; i < 1000; i++) {
            a.allocate();
        }
        assertThat(a.allocate()).isEqualTo(ip("fd00:1::3eb"));
        assertThat(a.allocatedCount()).isEqualTo(1004);
        // Even a /32 works: offsets far beyond 2^64 are just numbers.
        SubnetAllocator huge = allocator("2001:db8::/32");
        assertThat(huge.allocate(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))).isNotNull();
        assertThat(huge.allocate()).isEqualTo(ip("2001:db8::2"));
    }

    @Test
    void fillsASlash16WithoutLinearScans() {
        SubnetAllocator a = allocator("10.5.0.0/16");
        Set<InetAddress> seen = new HashSet<>();
        for (int i = 0; i < 65_533; i++) {
            seen.add(a.allocate());
        }
        assertThat(seen).hasSize(65_533);
        assertThat(failure(a::allocate).kind()).isEqualTo(IpamException.Kind.EXHAUSTED);
        // Punch holes, then the lowest hole is found first.
        a.release(ip("10.5.200.7"));
        a.release(ip("10.5.3.3"));
        assertThat(a.allocate()).isEqualTo(ip("10.5.3.3"));
        assertThat(a.allocate()).isEqualTo(ip("10.5.200.7"));
    }

    @Test
    void sequentialAllocationsStayOneRun() {
        OffsetRanges runs = new OffsetRanges();
        for (int i = 0; i < 60_000; i++) {
            runs.add(BigInteger.valueOf(i));
        }
        assertThat(runs.runCount()).isEqualTo(1);
        runs.remove(BigInteger.valueOf(30_000));
        assertThat(runs.runCount()).isEqualTo(2);
        assertThat(runs.firstAbsentFrom(BigInteger.ZERO)).isEqualTo(BigInteger.valueOf(30_000));
        runs.add(BigInteger.valueOf(30_000));
        assertThat(runs.runCount()).isEqualTo(1);
        assertThat(runs.size()).isEqualTo(60_000);
    }

    @Test
    void hundredConcurrentAllocationsAreDistinct() throws Exception {
        SubnetAllocator a = allocator("10.7.0.0/24");
        Set<InetAddress> got = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 100; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    got.add(a.allocate());
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(got).hasSize(100);
        assertThat(a.allocatedCount()).isEqualTo(100);
        assertThat(got).allSatisfy(address -> assertThat(a.config().subnet().contains(address)).isTrue());
        assertThat(got).doesNotContain(ip("10.7.0.0"), ip("10.7.0.1"), ip("10.7.0.255"));
    }

    @Test
    void snapshotRestoreRoundTrip() {
        IpamConfig config = IpamConfig.parse("10.0.0.0/24", null, null, Map.of("x", "10.0.0.9"));
        SubnetAllocator a = new SubnetAllocator(config);
        for (int i = 0; i < 5; i++) {
            a.allocate();
        }
        a.allocate(ip("10.0.0.100"));
        a.release(ip("10.0.0.3"));
        AllocationSnapshot snapshot = a.snapshot();
        assertThat(snapshot.allocated()).containsExactly("10.0.0.2", "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.100");

        SubnetAllocator b = SubnetAllocator.restore(config, snapshot);
        assertThat(b.allocated()).isEqualTo(a.allocated());
        assertThat(b.allocate()).isEqualTo(ip("10.0.0.3"));
        assertThat(b.allocate()).isEqualTo(ip("10.0.0.7"));
        assertThat(b.allocate()).as("aux skipped").isEqualTo(ip("10.0.0.8"));
        assertThat(b.allocate()).isEqualTo(ip("10.0.0.10"));
    }

    @Test
    void restoreRejectsBadSnapshots() {
        IpamConfig config = IpamConfig.parse("10.0.0.0/24", null, null, null);
        assertThat(failure(() -> SubnetAllocator.restore(config, new AllocationSnapshot(List.of("10.0.0.5", "bogus")))))
                .hasMessage("invalid address in allocation snapshot of 10.0.0.0/24: bogus");
        assertThat(failure(() -> SubnetAllocator.restore(config, new AllocationSnapshot(List.of("10.1.0.5")))))
                .hasMessageStartingWith("Invalid address 10.1.0.5");
        assertThat(failure(() -> SubnetAllocator.restore(config, new AllocationSnapshot(List.of("10.0.0.5", "10.0.0.5")))))
                .hasMessage("Address already in use: 10.0.0.5");
        assertThat(failure(() -> SubnetAllocator.restore(config, new AllocationSnapshot(List.of("10.0.0.1")))))
                .hasMessage("Address already in use: 10.0.0.1 (the gateway)");
    }

    @Test
    void ipv6SnapshotUsesCompressedText() {
        SubnetAllocator a = allocator("fd00::/64");
        a.allocate();
        assertThat(a.snapshot().allocated()).containsExactly("fd00::2");
        assertThatThrownBy(() -> a.allocate(ip("fd00::"))).hasMessageContaining("subnet-router anycast");
    }
}
