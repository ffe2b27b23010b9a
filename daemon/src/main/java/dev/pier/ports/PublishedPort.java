package dev.pier.ports;

/**
 * A host port taken for a container: what DNAT needs and what inspect, ps and `port` show.
 *
 * @param hostIp      "" for all IPv4 addresses of the host (0.0.0.0), "::" for all IPv6 ones, or one address
 * @param containerIp the container's address on the network the port is published to, of the
 *                    host address's family
 */
public record PublishedPort(Protocol protocol, int containerPort, String hostIp, int hostPort, String containerIp) {
    public String key() {
        return containerPort + "/" + protocol.text();
    }

    public String hostIpText() {
        return hostIpText(hostIp);
    }

    /** "" as 0.0.0.0, as Docker prints it. */
    public static String hostIpText(String hostIp) {
        return hostIp.isEmpty() ? "0.0.0.0" : hostIp;
    }

    /** Whether this binding is an IPv6 one (the DNAT goes through the IPv6 maps). */
    public boolean ipv6() {
        return containerIp.indexOf(':') >= 0;
    }
}
