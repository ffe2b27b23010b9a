package dev.pier.network;

import dev.pier.linux.IpPrefix;

import java.util.List;

/**
 * The kernel-facing shape of a network: what a driver and the firewall need, and nothing of the
 * API or the store.
 *
 * @param interfaceName the bridge (bridge driver) or parent (macvlan) interface
 * @param gateways      addresses the host takes on the bridge, with the subnet's prefix length
 * @param subnets       every subnet of the network (both families)
 * @param existing      true when the bridge was made by someone else (`-b br0`): never create or delete it
 * @param keptGateways  gateways such a bridge had before the network: never removed from it
 */
public record NetworkPlan(String id, String name, String driver, String interfaceName, int mtu, List<IpPrefix> gateways,
                          List<IpPrefix> subnets, boolean internal, boolean masquerade, boolean interContainer,
                          boolean existing, List<IpPrefix> keptGateways) {}
