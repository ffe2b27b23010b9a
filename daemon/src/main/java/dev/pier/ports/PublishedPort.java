package dev.pier.ports;

/**
 * A host port taken for a container: what DNAT needs and what inspect, ps and `port` show.
 *
 * @param hostIp      "" for all IPv4 addresses of the host (0.0.0.0)
 * @param containerIp the container's address on the network the port is published to
 */
public record PublishedPort(Protocol protocol, int containerPort, String hostIp, int hostPort, String containerIp) {
    public String key() {
        return containerPort + "/" + protocol.text();
    }

    public String hostIpText() {
        return hostIp.isEmpty() ? "0.0.0.0" : hostIp;
    }
}
