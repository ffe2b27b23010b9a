package dev.pier.ipam;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 network: its first address (host bits all zero) and its prefix length.
 *
 * <p>{@link #parse} follows libnetwork's IPAM (and Docker 20.10's daemon): a CIDR with host bits set,
 * {@code 172.17.0.5/16}, is accepted as the network {@code 172.17.0.0/16}. Docker 25 and later reject it
 * at the API instead ({@code invalid subnet 172.17.0.5/16: it should be 172.17.0.0/16});
 * {@link #parseCanonical} gives that behaviour to callers that want it.
 */
public record Subnet(InetAddress address, int prefixLength) implements Comparable<Subnet> {

    public Subnet {
        Objects.requireNonNull(address, "address");
        int bits = IpAddresses.family(address).bits();
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of 0.." + bits);
        }
        if (!Arrays.equals(address.getAddress(), mask(address.getAddress(), prefixLength))) {
            throw new IllegalArgumentException(IpAddresses.format(address) + "/" + prefixLength
                    + " has host bits set: use Subnet.of to mask them");
        }
        // Keep only the bytes: a caller's InetAddress may carry a host name or an IPv6 scope.
        address = IpAddresses.fromBytes(address.getAddress());
    }

    /** The network containing {@code address} with this prefix length (host bits cleared). */
    public static Subnet of(InetAddress address, int prefixLength) {
        int bits = IpAddresses.family(address).bits();
        if (prefixLength < 0 || prefixLength > bits) {
            throw IpamException.invalid("invalid CIDR address: " + IpAddresses.format(address) + "/" + prefixLength);
        }
        return new Subnet(IpAddresses.fromBytes(mask(address.getAddress(), prefixLength)), prefixLength);
    }

    /**
     * Parses {@code ADDRESS/LENGTH}; host bits are cleared. Malformed text throws {@link IpamException}
     * with Go's wording, {@code invalid CIDR address: TEXT}.
     */
    public static Subnet parse(String cidr) {
        InterfaceAddress parsed = InterfaceAddress.parse(cidr);
        return parsed.subnet();
    }

    /**
     * Like {@link #parse} but refuses host bits, as Docker 25+ does for {@code --subnet}:
     * {@code invalid subnet 172.17.0.5/16: it should be 172.17.0.0/16}.
     */
    public static Subnet parseCanonical(String cidr) {
        InterfaceAddress parsed = InterfaceAddress.parse(cidr);
        Subnet subnet = parsed.subnet();
        if (!parsed.address().equals(subnet.address())) {
            throw IpamException.invalid("invalid subnet " + cidr + ": it should be " + subnet);
        }
        return subnet;
    }

    public IpFamily family() {
        return IpAddresses.family(address);
    }

    public boolean isIpv4() {
        return family() == IpFamily.IPV4;
    }

    public boolean isIpv6() {
        return family() == IpFamily.IPV6;
    }

    /** Number of host bits: 32 or 128 minus the prefix length. */
    public int hostBits() {
        return family().bits() - prefixLength;
    }

    /** The first address (all host bits zero). */
    public InetAddress networkAddress() {
        return address;
    }

    /** The last address (all host bits one). */
    public InetAddress lastAddress() {
        return addressAt(size().subtract(BigInteger.ONE));
    }

    /** The IPv4 broadcast address (the last one). IPv6 has no broadcast. */
    public InetAddress broadcastAddress() {
        if (!isIpv4()) {
            throw new UnsupportedOperationException("IPv6 network " + this + " has no broadcast address");
        }
        return lastAddress();
    }

    /** How many addresses the network spans: 2^hostBits. */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(hostBits());
    }

    /** The n-th address, counting the network address as 0. */
    public InetAddress addressAt(BigInteger n) {
        if (n.signum() < 0 || n.compareTo(size()) >= 0) {
            throw new IndexOutOfBoundsException("address #" + n + " is outside " + this + " (" + size() + " addresses)");
        }
        return IpAddresses.fromBigInteger(IpAddresses.toBigInteger(address).add(n), family());
    }

    /** The n-th address, counting the network address as 0. */
    public InetAddress addressAt(long n) {
        return addressAt(BigInteger.valueOf(n));
    }

    /** Position of {@code member} in this network (0 for the network address). */
    public BigInteger offsetOf(InetAddress member) {
        if (!contains(member)) {
            throw new IllegalArgumentException(IpAddresses.format(member) + " is not in " + this);
        }
        return IpAddresses.toBigInteger(member).subtract(IpAddresses.toBigInteger(address));
    }

    /** Whether {@code candidate} is an address of this network (an address of the other family never is). */
    public boolean contains(InetAddress candidate) {
        byte[] mine = address.getAddress();
        byte[] theirs = candidate.getAddress();
        return mine.length == theirs.length && Arrays.equals(mine, mask(theirs, prefixLength));
    }

    /** Whether every address of {@code other} is in this network. */
    public boolean contains(Subnet other) {
        return other.prefixLength >= prefixLength && contains(other.address);
    }

    /** Whether the two networks share at least one address (one then contains the other). */
    public boolean overlaps(Subnet other) {
        return contains(other) || other.contains(this);
    }

    /** IPv4 before IPv6, then by address, then shorter prefixes first. */
    @Override
    public int compareTo(Subnet other) {
        int byFamily = family().compareTo(other.family());
        if (byFamily != 0) {
            return byFamily;
        }
        int byAddress = Arrays.compareUnsigned(address.getAddress(), other.address.getAddress());
        return byAddress != 0 ? byAddress : Integer.compare(prefixLength, other.prefixLength);
    }

    @Override
    public String toString() {
        return IpAddresses.format(address) + "/" + prefixLength;
    }

    static byte[] mask(byte[] bytes, int prefixLength) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.clamp(prefixLength - 8L * i, 0, 8);
            out[i] &= (byte) (0xff00 >> keep);
        }
        return out;
    }
}
