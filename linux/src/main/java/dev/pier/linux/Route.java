package dev.pier.linux;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A route. {@code destination} null means the default route of {@code family} (4 or 6);
 * {@code onLink} asks the kernel to take the gateway as directly reachable on the interface.
 */
public record Route(int family, IpPrefix destination, InetAddress gateway, int outIndex, int table, int scope,
                    int protocol, boolean gatewayOnLink, int priority, InetAddress preferredSource) {
    public static final int MAIN_TABLE = 254;

    public static Route defaultVia(InetAddress gateway, int outIndex) {
        return new Route(gateway instanceof Inet4Address ? 4 : 6, null, gateway, outIndex, MAIN_TABLE, 0, 4, false, 0, null);
    }

    /** A route to a prefix straight out of an interface (scope link). */
    public static Route onInterface(IpPrefix destination, int outIndex) {
        return new Route(destination.family(), destination, null, outIndex, MAIN_TABLE, 253, 4, false, 0, null);
    }

    public static Route via(IpPrefix destination, InetAddress gateway, int outIndex) {
        return new Route(destination.family(), destination, gateway, outIndex, MAIN_TABLE, 0, 4, false, 0, null);
    }

    public Route inTable(int value) { return new Route(family, destination, gateway, outIndex, value, scope, protocol, gatewayOnLink, priority, preferredSource); }
    public Route onLink() { return new Route(family, destination, gateway, outIndex, table, scope, protocol, true, priority, preferredSource); }
    public Route metric(int value) { return new Route(family, destination, gateway, outIndex, table, scope, protocol, gatewayOnLink, value, preferredSource); }

    public boolean isDefault() {
        return destination == null || destination.prefixLength() == 0;
    }
}
