package dev.pier.network;

import dev.pier.linux.IpPrefix;
import dev.pier.linux.MacAddress;

import java.net.InetAddress;

/**
 * What a driver needs to plug one sandbox into one network: the interface to create inside
 * (eth0, eth1...), the host-side name, and the addresses IPAM chose.
 *
 * @param gatewayV4 null when the container must get no default route (internal network, or not the first network)
 */
public record EndpointSpec(String containerId, String interfaceName, String hostInterfaceName, MacAddress mac,
                           IpPrefix ipv4, IpPrefix ipv6, InetAddress gatewayV4, InetAddress gatewayV6) {}
