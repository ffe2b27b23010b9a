package dev.pier.firewall;

import dev.pier.linux.IpPrefix;
import dev.pier.linux.Nftables;
import dev.pier.linux.NftablesException;
import dev.pier.network.NetworkPlan;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * All of Pier's packet policy in one nftables table, rewritten as a whole in one transaction: the
 * table is deleted and declared again in the same batch, so no packet ever sees half a ruleset.
 * Rules are per network (sets hold the networks' interfaces and subnets), never per container.
 */
public final class NftablesFirewall implements Firewall {
    private final Nftables nft;
    private final String table;

    public NftablesFirewall(Nftables nft, String table) {
        this.nft = nft;
        this.table = table;
    }

    public String table() {
        return table;
    }

    @Override
    public synchronized void apply(List<NetworkPlan> networks, Set<String> isolatedPorts) {
        nft.apply(render(table, networks, isolatedPorts));
    }

    @Override
    public synchronized void isolatePort(String hostInterface) {
        nft.apply("add element bridge " + table + " isolated { " + quote(hostInterface) + " }\n");
    }

    @Override
    public synchronized void releasePort(String hostInterface) {
        try {
            nft.apply("delete element bridge " + table + " isolated { " + quote(hostInterface) + " }\n");
        } catch (NftablesException e) {
            // not in the set: nothing to release
        }
    }

    @Override
    public synchronized void removeAll() {
        nft.apply("table inet " + table + " {}\ndelete table inet " + table + "\n"
                + "table bridge " + table + " {}\ndelete table bridge " + table + "\n");
    }

    /** The whole table as nft text; pure, so tests can read it without a kernel. */
    static String render(String table, List<NetworkPlan> networks, Set<String> isolatedPorts) {
        List<NetworkPlan> bridges = networks.stream().filter(n -> n.driver().equals("bridge")).toList();
        StringBuilder sb = new StringBuilder();
        sb.append("table inet ").append(table).append(" {}\n");
        sb.append("delete table inet ").append(table).append('\n');
        sb.append("table inet ").append(table).append(" {\n");
        sb.append("  set bridges {\n    type ifname\n").append(elements(bridges.stream().map(n -> quote(n.interfaceName())).toList())).append("  }\n");
        List<NetworkPlan> masquerading = bridges.stream().filter(n -> n.masquerade() && !n.internal()).toList();
        sb.append("  set masquerade_v4 {\n    type ipv4_addr\n    flags interval\n")
                .append(elements(subnets(masquerading, 4))).append("  }\n");
        sb.append("  set masquerade_v6 {\n    type ipv6_addr\n    flags interval\n")
                .append(elements(subnets(masquerading, 6))).append("  }\n");

        sb.append("  chain forward {\n    type filter hook forward priority filter; policy accept;\n");
        for (NetworkPlan n : bridges) {
            String br = quote(n.interfaceName());
            // Containers of different networks never reach each other.
            sb.append("    iifname ").append(br).append(" oifname @bridges oifname != ").append(br).append(" drop\n");
            // Internal networks have no way out, in or out of the bridge.
            if (n.internal()) {
                sb.append("    iifname ").append(br).append(" oifname != ").append(br).append(" drop\n");
                sb.append("    oifname ").append(br).append(" iifname != ").append(br).append(" drop\n");
            }
        }
        sb.append("  }\n");

        // Internal networks reach the host only at their own gateway: the host's other addresses
        // (other networks' gateways, the uplink) are a way out too. IPv6 keeps link-local and
        // multicast for neighbour discovery.
        sb.append("  chain input {\n    type filter hook input priority filter; policy accept;\n");
        for (NetworkPlan n : bridges) {
            if (!n.internal()) continue;
            String br = quote(n.interfaceName());
            List<String> v4 = gatewayAddresses(n, 4), v6 = new ArrayList<>(gatewayAddresses(n, 6));
            v6.addAll(List.of("fe80::/10", "ff00::/8"));
            if (v4.isEmpty()) sb.append("    iifname ").append(br).append(" meta nfproto ipv4 drop\n");
            else sb.append("    iifname ").append(br).append(" ip daddr != { ").append(String.join(", ", v4)).append(" } drop\n");
            sb.append("    iifname ").append(br).append(" ip6 daddr != { ").append(String.join(", ", v6)).append(" } drop\n");
        }
        sb.append("  }\n");

        sb.append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
        sb.append("    ip saddr @masquerade_v4 oifname != @bridges masquerade\n");
        sb.append("    ip6 saddr @masquerade_v6 oifname != @bridges masquerade\n");
        sb.append("  }\n}\n");
        // Bridged frames never reach the inet hooks: ICC off is enforced in the bridge family.
        sb.append("table bridge ").append(table).append(" {}\n");
        sb.append("delete table bridge ").append(table).append('\n');
        sb.append("table bridge ").append(table).append(" {\n");
        sb.append("  set isolated {\n    type ifname\n").append(elements(isolatedPorts.stream().sorted().map(NftablesFirewall::quote).toList())).append("  }\n");
        sb.append("  chain forward {\n    type filter hook forward priority filter; policy accept;\n");
        sb.append("    iifname @isolated oifname @isolated drop\n  }\n}\n");
        return sb.toString();
    }

    private static List<String> gatewayAddresses(NetworkPlan network, int family) {
        return network.gateways().stream().filter(g -> g.family() == family)
                .map(g -> IpPrefix.format(g.address())).distinct().toList();
    }

    private static List<String> subnets(List<NetworkPlan> networks, int family) {
        return networks.stream().flatMap(n -> n.subnets().stream()).filter(s -> s.family() == family)
                .map(IpPrefix::toString).distinct().toList();
    }

    private static String elements(List<String> items) {
        if (items.isEmpty()) return "";
        return "    elements = { " + items.stream().collect(Collectors.joining(", ")) + " }\n";
    }

    private static String quote(String interfaceName) {
        return '"' + interfaceName + '"';
    }
}
