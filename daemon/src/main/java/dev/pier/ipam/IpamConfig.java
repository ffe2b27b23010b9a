package dev.pier.ipam;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One subnet of a network's IPAM configuration ({@code --subnet}, {@code --ip-range}, {@code --gateway},
 * {@code --aux-address}), validated and with its defaults filled in.
 *
 * <ul>
 *   <li>{@code ipRange}: where {@link SubnetAllocator#allocate()} picks addresses; defaults to the whole
 *       subnet and must lie inside it. An explicitly requested address ({@code --ip}) may be anywhere in
 *       the subnet, as in Docker.</li>
 *   <li>{@code gateway}: defaults to the first usable address of the range, which is what Docker's IPAM
 *       hands out first (10.0.0.1 in 10.0.0.0/24; 10.0.5.0 for range 10.0.5.0/24 in 10.0.0.0/16).
 *       Unlike Docker, the default skips aux addresses instead of failing on them.</li>
 *   <li>{@code auxAddresses}: names to addresses the driver keeps for itself; never handed out.</li>
 * </ul>
 *
 * Errors use Docker's words and name the value: {@code no matching subnet for gateway 10.0.0.1},
 * {@code no matching subnet for range 10.1.0.0/24}, {@code no matching subnet for aux-address 10.1.0.5},
 * {@code failed to allocate gateway (10.0.0.0): Address already in use}.
 */
public record IpamConfig(Subnet subnet, Subnet ipRange, InetAddress gateway, Map<String, InetAddress> auxAddresses) {

    public IpamConfig {
        Objects.requireNonNull(subnet, "subnet");
        if (ipRange == null) {
            ipRange = subnet;
        } else if (!subnet.contains(ipRange)) {
            throw IpamException.invalid("no matching subnet for range " + ipRange);
        }
        Map<String, InetAddress> aux = new TreeMap<>();
        Map<InetAddress, String> auxOwners = new LinkedHashMap<>();
        for (Map.Entry<String, InetAddress> e : (auxAddresses == null ? Map.<String, InetAddress>of() : auxAddresses).entrySet()) {
            String name = e.getKey();
            InetAddress ip = e.getValue();
            if (name == null || name.isBlank()) {
                throw IpamException.invalid("invalid auxiliary address: empty name for " + (ip == null ? "null" : IpAddresses.format(ip)));
            }
            if (ip == null) {
                throw IpamException.invalid("invalid auxiliary address " + name + ": no address");
            }
            ip = IpAddresses.fromBytes(ip.getAddress());
            if (!subnet.contains(ip)) {
                throw IpamException.invalid("no matching subnet for aux-address " + IpAddresses.format(ip));
            }
            if (isNetworkReserved(subnet, ip) || auxOwners.containsKey(ip)) {
                throw auxInUse(name, ip);
            }
            aux.put(name, ip);
            auxOwners.put(ip, name);
        }
        if (gateway == null) {
            gateway = defaultGateway(subnet, ipRange, auxOwners.keySet());
        } else {
            gateway = IpAddresses.fromBytes(gateway.getAddress());
            if (!subnet.contains(gateway)) {
                throw IpamException.invalid("no matching subnet for gateway " + IpAddresses.format(gateway));
            }
            if (isNetworkReserved(subnet, gateway)) {
                throw IpamException.conflict("failed to allocate gateway (" + IpAddresses.format(gateway) + "): Address already in use");
            }
            if (auxOwners.containsKey(gateway)) {
                throw auxInUse(auxOwners.get(gateway), gateway);
            }
        }
        auxAddresses = Collections.unmodifiableMap(aux);
    }

    /** A subnet with every default: the whole subnet as range, its first usable address as gateway. */
    public static IpamConfig of(Subnet subnet) {
        return new IpamConfig(subnet, null, null, null);
    }

    /**
     * Builds a configuration from the strings of the Engine API or the CLI; null or empty means "not
     * given". Throws {@link IpamException} naming whatever is wrong; nothing is allocated either way.
     */
    public static IpamConfig parse(String subnet, String ipRange, String gateway, Map<String, String> auxAddresses) {
        Subnet parsedSubnet = Subnet.parse(subnet);
        Subnet parsedRange = isAbsent(ipRange) ? null : Subnet.parse(ipRange);
        InetAddress parsedGateway = null;
        if (!isAbsent(gateway)) {
            parsedGateway = IpAddresses.tryParse(gateway)
                    .orElseThrow(() -> IpamException.invalid("invalid gateway " + gateway + ": invalid address"));
        }
        Map<String, InetAddress> aux = new LinkedHashMap<>();
        if (auxAddresses != null) {
            for (Map.Entry<String, String> e : auxAddresses.entrySet()) {
                InetAddress ip = IpAddresses.tryParse(e.getValue()).orElseThrow(() -> IpamException.invalid(
                        "invalid auxiliary address " + e.getKey() + " (" + e.getValue() + "): invalid address"));
                aux.put(e.getKey(), ip);
            }
        }
        return new IpamConfig(parsedSubnet, parsedRange, parsedGateway, aux);
    }

    public IpFamily family() {
        return subnet.family();
    }

    /**
     * Addresses of the subnet itself that are never handed out, as libnetwork's IPAM reserves them: the
     * IPv4 network and broadcast addresses (except in a /31 or /32, RFC 3021) and the IPv6 subnet-router
     * anycast address (the first one, RFC 4291 2.6.1).
     */
    static boolean isNetworkReserved(Subnet subnet, InetAddress address) {
        if (subnet.isIpv6()) {
            return subnet.networkAddress().equals(address);
        }
        return subnet.hostBits() > 1 && (subnet.networkAddress().equals(address) || subnet.lastAddress().equals(address));
    }

    private static InetAddress defaultGateway(Subnet subnet, Subnet range, java.util.Set<InetAddress> aux) {
        BigInteger rangeSize = range.size();
        // Only the network, broadcast and aux addresses can be skipped, so this ends after a few steps.
        for (BigInteger i = BigInteger.ZERO; i.compareTo(rangeSize) < 0; i = i.add(BigInteger.ONE)) {
            InetAddress candidate = range.addressAt(i);
            if (!isNetworkReserved(subnet, candidate) && !aux.contains(candidate)) {
                return candidate;
            }
        }
        throw IpamException.exhausted("failed to allocate gateway: no available addresses on this pool: " + range);
    }

    private static IpamException auxInUse(String name, InetAddress ip) {
        return IpamException.conflict("failed to allocate secondary ip address (" + name + ":" + IpAddresses.format(ip)
                + "): Address already in use");
    }

    private static boolean isAbsent(String s) {
        return s == null || s.isEmpty();
    }
}
