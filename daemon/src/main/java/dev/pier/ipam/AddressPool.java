package dev.pier.ipam;

import java.math.BigInteger;
import java.util.Objects;

/**
 * One entry of {@code default-address-pools}: a base network carved into subnets of prefix length
 * {@code size}. {@code {base: 10.10.0.0/16, size: 24}} offers 10.10.0.0/24, 10.10.1.0/24, ...
 */
public record AddressPool(Subnet base, int size) {

    public AddressPool {
        Objects.requireNonNull(base, "base");
        int bits = base.family().bits();
        if (size < base.prefixLength() || size > bits) {
            throw IpamException.invalid("invalid address pool {base: " + base + ", size: " + size + "}: size must be between "
                    + base.prefixLength() + " and " + bits);
        }
    }

    /** Parses the base CIDR (host bits cleared, as Docker does) and checks the size. */
    public static AddressPool of(String base, int size) {
        return new AddressPool(Subnet.parse(base), size);
    }

    /** The first subnet this pool offers. */
    public Subnet first() {
        return new Subnet(base.address(), size);
    }

    /** How many subnets of prefix length {@code size} the base holds. */
    public BigInteger subnetCount() {
        return BigInteger.ONE.shiftLeft(size - base.prefixLength());
    }

    @Override
    public String toString() {
        return "{base: " + base + ", size: " + size + "}";
    }
}
