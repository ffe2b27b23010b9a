package dev.pier.ipam;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Hands out the addresses of one subnet of one network. Thread-safe.
 *
 * <p>Like Docker: {@link #allocate()} gives the lowest free address of the ip-range, so addresses go out
 * in order and a released one is the next to be reused; {@link #allocate(InetAddress)} takes a given
 * address anywhere in the subnet (a fixed {@code --ip} may sit outside {@code --ip-range}). The gateway,
 * aux addresses, the IPv4 network and broadcast addresses and the IPv6 subnet-router anycast address are
 * never handed out.
 *
 * <p>State is a set of runs of taken offsets ({@link OffsetRanges}): no memory per possible address, so
 * an IPv6 /64 is as cheap as an IPv4 /30, and finding the lowest free address is O(log runs) however many
 * are taken.
 */
public final class SubnetAllocator {

    private final IpamConfig config;
    private final Subnet subnet;
    private final BigInteger base;
    private final BigInteger rangeFirst;
    private final BigInteger rangeLast;
    /** Offsets that are taken but not by allocate(): network, broadcast, gateway, aux. Never changes. */
    private final Map<BigInteger, String> reserved = new HashMap<>();
    /** Every taken offset, reserved ones included, so one lookup finds the lowest free. */
    private final OffsetRanges taken = new OffsetRanges();

    public SubnetAllocator(IpamConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.subnet = config.subnet();
        this.base = IpAddresses.toBigInteger(subnet.networkAddress());
        this.rangeFirst = subnet.offsetOf(config.ipRange().networkAddress());
        this.rangeLast = rangeFirst.add(config.ipRange().size()).subtract(BigInteger.ONE);
        if (IpamConfig.isNetworkReserved(subnet, subnet.networkAddress())) {
            reserved.put(BigInteger.ZERO, subnet.isIpv4() ? "the network address" : "the subnet-router anycast address");
        }
        if (subnet.isIpv4() && IpamConfig.isNetworkReserved(subnet, subnet.lastAddress())) {
            reserved.put(subnet.size().subtract(BigInteger.ONE), "the broadcast address");
        }
        reserved.put(subnet.offsetOf(config.gateway()), "the gateway");
        config.auxAddresses().forEach((name, ip) -> reserved.put(subnet.offsetOf(ip), "aux address " + name));
        reserved.keySet().forEach(taken::add);
    }

    /**
     * An allocator holding the addresses of {@code snapshot}. Every address is checked (inside the subnet,
     * not reserved, listed once); a bad one throws {@link IpamException} naming it.
     */
    public static SubnetAllocator restore(IpamConfig config, AllocationSnapshot snapshot) {
        SubnetAllocator allocator = new SubnetAllocator(config);
        for (String text : snapshot.allocated()) {
            InetAddress address = IpAddresses.tryParse(text)
                    .orElseThrow(() -> IpamException.invalid("invalid address in allocation snapshot of " + config.subnet() + ": " + text));
            allocator.allocate(address);
        }
        return allocator;
    }

    public IpamConfig config() {
        return config;
    }

    /**
     * The lowest free address of the ip-range. Throws {@link IpamException} (EXHAUSTED) when none is left.
     */
    public synchronized InetAddress allocate() {
        BigInteger offset = taken.firstAbsentFrom(rangeFirst);
        if (offset.compareTo(rangeLast) > 0) {
            throw IpamException.exhausted("no available addresses on this pool: " + describeRange());
        }
        taken.add(offset);
        return addressOf(offset);
    }

    /**
     * Takes exactly {@code wanted}. Throws {@link IpamException}: INVALID when it is not in the subnet
     * ({@code Invalid address 10.9.9.9: It does not belong to any of this network's subnets}), CONFLICT when
     * it is taken or reserved ({@code Address already in use: 10.0.0.1}).
     */
    public synchronized InetAddress allocate(InetAddress wanted) {
        BigInteger offset = offsetInSubnet(wanted);
        if (!taken.add(offset)) {
            String why = reserved.get(offset);
            throw IpamException.conflict("Address already in use: " + IpAddresses.format(wanted)
                    + (why == null ? "" : " (" + why + ")"));
        }
        return addressOf(offset);
    }

    /**
     * Gives {@code address} back; false when it was not allocated. Releasing a reserved address or one
     * outside the subnet throws {@link IpamException} (INVALID) and changes nothing.
     */
    public synchronized boolean release(InetAddress address) {
        BigInteger offset = offsetInSubnet(address);
        String why = reserved.get(offset);
        if (why != null) {
            throw IpamException.invalid("cannot release " + IpAddresses.format(address) + ": it is " + why + " of " + subnet);
        }
        return taken.remove(offset);
    }

    /** Whether {@code address} was handed out by an {@code allocate} call (reserved addresses are not). */
    public synchronized boolean isAllocated(InetAddress address) {
        if (!subnet.contains(address)) {
            return false;
        }
        BigInteger offset = subnet.offsetOf(address);
        return !reserved.containsKey(offset) && taken.contains(offset);
    }

    /** Whether {@code address} is one that is never handed out: network, broadcast, gateway or aux. */
    public boolean isReserved(InetAddress address) {
        return subnet.contains(address) && reserved.containsKey(subnet.offsetOf(address));
    }

    /** How many addresses are handed out (reserved ones not counted). */
    public synchronized long allocatedCount() {
        return taken.size() - reserved.size();
    }

    /** The handed-out addresses, ascending. */
    public synchronized List<InetAddress> allocated() {
        List<InetAddress> out = new ArrayList<>();
        taken.forEach(offset -> {
            if (!reserved.containsKey(offset)) {
                out.add(addressOf(offset));
            }
        });
        return out;
    }

    /** The handed-out addresses as a plain record for the store. */
    public AllocationSnapshot snapshot() {
        return new AllocationSnapshot(allocated().stream().map(IpAddresses::format).toList());
    }

    private BigInteger offsetInSubnet(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (!subnet.contains(address)) {
            throw IpamException.invalid("Invalid address " + IpAddresses.format(address)
                    + ": It does not belong to any of this network's subnets");
        }
        return subnet.offsetOf(address);
    }

    private InetAddress addressOf(BigInteger offset) {
        return IpAddresses.fromBigInteger(base.add(offset), subnet.family());
    }

    private String describeRange() {
        return config.ipRange().equals(subnet) ? subnet.toString() : subnet + " (ip-range " + config.ipRange() + ")";
    }

    @Override
    public String toString() {
        return "SubnetAllocator[" + describeRange() + ", gateway " + IpAddresses.format(config.gateway()) + "]";
    }
}
