package dev.pier.ipam;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An address together with the prefix length of its network, as written on an interface
 * ({@code ip addr add 172.17.0.1/16}) or given to {@code --bip}: unlike a {@link Subnet}, the host bits
 * are the point.
 */
public record InterfaceAddress(InetAddress address, int prefixLength) {

    public InterfaceAddress {
        Objects.requireNonNull(address, "address");
        int bits = IpAddresses.family(address).bits();
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of 0.." + bits);
        }
        address = IpAddresses.fromBytes(address.getAddress());
    }

    /**
     * Parses {@code ADDRESS/LENGTH} strictly: a strict IP literal, one slash, a decimal length without sign
     * or leading zeros within the family's width. Anything else throws {@link IpamException} with Go's
     * wording, {@code invalid CIDR address: TEXT}.
     */
    public static InterfaceAddress parse(String cidr) {
        if (cidr == null) {
            throw IpamException.invalid("invalid CIDR address: null");
        }
        int slash = cidr.indexOf('/');
        if (slash < 0 || cidr.indexOf('/', slash + 1) >= 0) {
            throw IpamException.invalid("invalid CIDR address: " + cidr);
        }
        InetAddress address = IpAddresses.tryParse(cidr.substring(0, slash))
                .orElseThrow(() -> IpamException.invalid("invalid CIDR address: " + cidr));
        String length = cidr.substring(slash + 1);
        int bits = IpAddresses.family(address).bits();
        if (length.isEmpty() || length.length() > 3 || (length.length() > 1 && length.charAt(0) == '0')
                || !length.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(length) > bits) {
            throw IpamException.invalid("invalid CIDR address: " + cidr);
        }
        return new InterfaceAddress(address, Integer.parseInt(length));
    }

    /** The network this address belongs to. */
    public Subnet subnet() {
        return Subnet.of(address, prefixLength);
    }

    public IpFamily family() {
        return IpAddresses.family(address);
    }

    @Override
    public String toString() {
        return IpAddresses.format(address) + "/" + prefixLength;
    }
}
