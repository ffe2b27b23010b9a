package dev.pier.ipam;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The pools a network's subnet is chosen from when the user gives none.
 *
 * <p>IPv4 defaults are Docker's local-scope ones: 172.17.0.0/16 through 172.31.0.0/16 as /16s, then
 * 192.168.0.0/16 as /20s. Configured {@code default-address-pools} replace them and are tried in the
 * order given (Docker 20.10's behaviour; Docker 25+ sorts them by address).
 *
 * <p>IPv6: unless the configured pools include an IPv6 base, a unique-local /48 derived from the host ID
 * is carved into /64s, as Docker 27+ does: the first 40 bits of SHA-256(hostId) after {@code fd} (RFC 4193's
 * "global ID", so two Pier hosts rarely pick the same ULA). With an empty host ID this is
 * {@code fd42:98fc:1c14::/48}.
 *
 * <p>Immutable and thread-safe; {@link #nextFree} is a pure function of its argument, so the caller
 * serialises "pick a subnet, then record it" under its own lock.
 */
public final class AddressPools {

    /** Docker's local-scope IPv4 defaults, in order. */
    public static final List<AddressPool> DOCKER_DEFAULT_IPV4 = List.of(
            AddressPool.of("172.17.0.0/16", 16),
            AddressPool.of("172.18.0.0/15", 16),
            AddressPool.of("172.20.0.0/14", 16),
            AddressPool.of("172.24.0.0/14", 16),
            AddressPool.of("172.28.0.0/14", 16),
            AddressPool.of("192.168.0.0/16", 20));

    private final List<AddressPool> pools;

    private AddressPools(List<AddressPool> pools) {
        this.pools = List.copyOf(pools);
    }

    /** Docker's IPv4 defaults plus the ULA pool of an empty host ID. */
    public static AddressPools defaults() {
        return of(List.of(), "");
    }

    /**
     * The configured pools (Docker's IPv4 defaults when {@code configured} is empty), plus the host's ULA
     * pool when none of them is IPv6.
     */
    public static AddressPools of(List<AddressPool> configured, String hostId) {
        Objects.requireNonNull(hostId, "hostId");
        List<AddressPool> all = new ArrayList<>(configured.isEmpty() ? DOCKER_DEFAULT_IPV4 : configured);
        if (all.stream().noneMatch(p -> p.base().isIpv6())) {
            all.add(ulaPool(hostId));
        }
        return new AddressPools(all);
    }

    /** Exactly these pools, nothing added. */
    public static AddressPools exactly(List<AddressPool> pools) {
        return new AddressPools(pools);
    }

    /** A /48 in fd00::/8 whose 40-bit global ID is taken from SHA-256(hostId), split into /64s. */
    public static AddressPool ulaPool(String hostId) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(hostId.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] address = new byte[16];
        address[0] = (byte) 0xfd;
        // The low 40 bits of the digest's first 64-bit big-endian word are its bytes 3..7.
        System.arraycopy(digest, 3, address, 1, 5);
        return new AddressPool(new Subnet(IpAddresses.fromBytes(address), 48), 64);
    }

    public List<AddressPool> pools() {
        return pools;
    }

    /** The first IPv4 subnet of the pools that overlaps nothing in {@code inUse}. */
    public Subnet nextFree(Collection<Subnet> inUse) {
        return nextFree(IpFamily.IPV4, inUse);
    }

    /**
     * The first subnet of the given family, in pool order then address order, that overlaps nothing in
     * {@code inUse} (the engine's networks and the host's routes). A /0 in {@code inUse} is ignored: it is
     * a default route, which Docker does not count either. Throws {@link IpamException} (EXHAUSTED) with
     * Docker's message when every candidate is taken.
     */
    public Subnet nextFree(IpFamily family, Collection<Subnet> inUse) {
        List<BigInteger[]> taken = mergedIntervals(family, inUse);
        for (AddressPool pool : pools) {
            if (pool.base().family() != family) {
                continue;
            }
            Subnet found = firstFreeIn(pool, taken);
            if (found != null) {
                return found;
            }
        }
        throw IpamException.exhausted("could not find an available, non-overlapping " + family
                + " address pool among the defaults to assign to the network");
    }

    private static Subnet firstFreeIn(AddressPool pool, List<BigInteger[]> taken) {
        IpFamily family = pool.base().family();
        BigInteger block = BigInteger.ONE.shiftLeft(family.bits() - pool.size());
        BigInteger poolStart = IpAddresses.toBigInteger(pool.base().address());
        BigInteger poolEnd = poolStart.add(pool.base().size()).subtract(BigInteger.ONE);
        BigInteger start = poolStart;
        while (start.compareTo(poolEnd) <= 0) {
            BigInteger end = start.add(block).subtract(BigInteger.ONE);
            BigInteger[] blocker = firstEndingAtOrAfter(taken, start);
            if (blocker == null || blocker[0].compareTo(end) > 0) {
                return new Subnet(IpAddresses.fromBigInteger(start, family), pool.size());
            }
            // Skip to the first block boundary after everything this in-use range covers.
            BigInteger next = blocker[1].add(BigInteger.ONE);
            BigInteger misalignment = next.subtract(poolStart).mod(block);
            start = misalignment.signum() == 0 ? next : next.add(block).subtract(misalignment);
        }
        return null;
    }

    /** Sorted, disjoint [first, last] address ranges covered by {@code inUse} of the family. */
    private static List<BigInteger[]> mergedIntervals(IpFamily family, Collection<Subnet> inUse) {
        List<BigInteger[]> ranges = new ArrayList<>();
        for (Subnet s : inUse) {
            if (s.family() != family || s.prefixLength() == 0) {
                continue;
            }
            BigInteger first = IpAddresses.toBigInteger(s.address());
            ranges.add(new BigInteger[] {first, first.add(s.size()).subtract(BigInteger.ONE)});
        }
        ranges.sort((a, b) -> a[0].compareTo(b[0]));
        List<BigInteger[]> merged = new ArrayList<>(ranges.size());
        for (BigInteger[] r : ranges) {
            BigInteger[] last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && r[0].compareTo(last[1].add(BigInteger.ONE)) <= 0) {
                last[1] = last[1].max(r[1]);
            } else {
                merged.add(r.clone());
            }
        }
        return merged;
    }

    /** Binary search: the first range whose last address is at or after {@code address}. */
    private static BigInteger[] firstEndingAtOrAfter(List<BigInteger[]> merged, BigInteger address) {
        int lo = 0;
        int hi = merged.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (merged.get(mid)[1].compareTo(address) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < merged.size() ? merged.get(lo) : null;
    }

    @Override
    public String toString() {
        return pools.toString();
    }
}
