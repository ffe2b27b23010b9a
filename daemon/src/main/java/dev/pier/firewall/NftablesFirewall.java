package dev.pier.firewall;

import dev.pier.linux.IpPrefix;
import dev.pier.linux.Nftables;
import dev.pier.linux.NftablesException;
import dev.pier.network.NetworkPlan;
import dev.pier.ports.PublishedPort;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * All of Pier's packet policy in one nftables table whose rules never change: networks, their
 * subnets, internal networks and their gateways are elements of sets the fixed rules look up. The
 * table is declared whole once (deleted and declared again in one batch, so no packet sees half a
 * ruleset); after that a network that comes or goes adds or deletes its elements only, so creating
 * the hundredth network costs what the first did and never rewrites the published ports.
 *
 * <p>Published ports are elements of DNAT maps, two per family (one keyed by host address, protocol
 * and port, one by protocol and port for 0.0.0.0 or ::), added and deleted one container at a time; the owner of
 * each element is kept here, so a whole rewrite keeps them and an unpublish removes only its own.
 *
 * <p>ICC off and its exceptions live in the bridge family (bridged frames never reach the inet
 * hooks): the isolated ports, and the legacy links between two of them, are set elements too.
 */
public final class NftablesFirewall implements Firewall {
    private final Nftables nft;
    private final String table;
    /** Published ports by owner (container id), in publication order. */
    private final Map<String, List<PublishedPort>> published = new LinkedHashMap<>();
    private List<NetworkPlan> lastNetworks = List.of();
    /** What the kernel's sets hold is setElements(lastNetworks, lastIsolated, links) once the table is declared. */
    private Set<String> lastIsolated = Set.of();
    /** Legacy links between isolated ports, in the order they came. */
    private Set<Link> links = Set.of();
    private boolean declared;

    public NftablesFirewall(Nftables nft, String table) {
        this.nft = nft;
        this.table = table;
    }

    public String table() {
        return table;
    }

    @Override
    public synchronized void apply(List<NetworkPlan> networks, Set<String> isolatedPorts) {
        // A link outlives neither of its ports.
        Set<Link> kept = links.stream().filter(l -> isolatedPorts.contains(l.linkerInterface()) && isolatedPorts.contains(l.linkedInterface()))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (!declared) {
            nft.apply(render(table, networks, isolatedPorts, allPublished(), kept));
            declared = true;
            remember(networks, isolatedPorts, kept);
        } else {
            change(networks, isolatedPorts, kept);
        }
    }

    /**
     * Takes the kernel's sets from what they hold to what these hold, in one transaction; when the
     * table was changed behind our back (an element missing or already there), declares it again
     * from what we own. What we own changes only once the kernel has it.
     */
    private void change(List<NetworkPlan> networks, Set<String> isolatedPorts, Set<Link> newLinks) {
        String change = elementChanges(table, setElements(lastNetworks, lastIsolated, links), setElements(networks, isolatedPorts, newLinks));
        if (!change.isEmpty()) {
            try {
                nft.apply(change);
            } catch (NftablesException e) {
                nft.apply(render(table, networks, isolatedPorts, allPublished(), newLinks));
                declared = true;
            }
        }
        remember(networks, isolatedPorts, newLinks);
    }

    private void remember(List<NetworkPlan> networks, Set<String> isolatedPorts, Set<Link> newLinks) {
        lastNetworks = List.copyOf(networks);
        lastIsolated = Set.copyOf(isolatedPorts);
        links = Collections.unmodifiableSet(new LinkedHashSet<>(newLinks));
    }

    @Override
    public synchronized void publish(String owner, List<PublishedPort> ports) {
        List<PublishedPort> mine = new ArrayList<>(published.getOrDefault(owner, List.of()));
        List<PublishedPort> added = ports.stream().filter(p -> !mine.contains(p)).toList();
        if (added.isEmpty()) return;
        nft.apply(elementCommands("add", table, added));
        mine.addAll(added);
        published.put(owner, List.copyOf(mine));
    }

    @Override
    public synchronized void unpublish(String owner) {
        List<PublishedPort> mine = published.remove(owner);
        if (mine == null || mine.isEmpty()) return;
        try {
            nft.apply(elementCommands("delete", table, mine));
        } catch (NftablesException e) {
            // Someone removed an element behind our back: rewrite the table from what we own.
            nft.apply(render(table, lastNetworks, lastIsolated, allPublished(), links));
        }
    }

    /** Every published port, in publication order. */
    public synchronized List<PublishedPort> published() {
        return allPublished();
    }

    private List<PublishedPort> allPublished() {
        return published.values().stream().flatMap(List::stream).toList();
    }

    /** One transaction adding or deleting the ports' elements: {@code verb} is "add" or "delete". */
    static String elementCommands(String verb, String table, List<PublishedPort> ports) {
        StringBuilder sb = new StringBuilder();
        for (boolean v6 : new boolean[] {false, true}) {
            List<PublishedPort> family = ports.stream().filter(p -> p.ipv6() == v6).toList();
            List<String> byAddress = addressElements(family), any = anyElements(family);
            if (!byAddress.isEmpty())
                sb.append(verb).append(" element inet ").append(table).append(' ').append(mapName(v6, false))
                        .append(" { ").append(String.join(", ", byAddress)).append(" }\n");
            if (!any.isEmpty())
                sb.append(verb).append(" element inet ").append(table).append(' ').append(mapName(v6, true))
                        .append(" { ").append(String.join(", ", any)).append(" }\n");
        }
        return sb.toString();
    }

    /** published_addr, published_any (IPv4), published6_addr, published6_any (IPv6). */
    private static String mapName(boolean v6, boolean any) {
        return (v6 ? "published6_" : "published_") + (any ? "any" : "addr");
    }

    /** A binding to every address of its family: 0.0.0.0 ("") or ::. */
    private static boolean wildcard(PublishedPort p) {
        return p.hostIp().isEmpty() || p.hostIp().equals("::");
    }

    private static List<String> addressElements(List<PublishedPort> ports) {
        return ports.stream().filter(p -> !wildcard(p))
                .map(p -> p.hostIp() + " . " + p.protocol().text() + " . " + p.hostPort() + " : " + target(p)).toList();
    }

    private static List<String> anyElements(List<PublishedPort> ports) {
        return ports.stream().filter(NftablesFirewall::wildcard)
                .map(p -> p.protocol().text() + " . " + p.hostPort() + " : " + target(p)).toList();
    }

    private static String target(PublishedPort p) {
        return p.containerIp() + " . " + p.containerPort();
    }

    @Override
    public synchronized void isolatePort(String hostInterface) {
        Set<String> ports = new HashSet<>(lastIsolated);
        ports.add(hostInterface);
        change(lastNetworks, ports, links);
    }

    @Override
    public synchronized void releasePort(String hostInterface) {
        Set<String> ports = new HashSet<>(lastIsolated);
        ports.remove(hostInterface);
        Set<Link> rest = links.stream().filter(l -> !l.linkerInterface().equals(hostInterface) && !l.linkedInterface().equals(hostInterface))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        change(lastNetworks, ports, rest);
    }

    @Override
    public synchronized void link(Link link) {
        // Nothing to open where ICC is on, and a link must not outlive (nor precede) its ports.
        if (links.contains(link) || !lastIsolated.contains(link.linkerInterface()) || !lastIsolated.contains(link.linkedInterface())) return;
        Set<Link> more = new LinkedHashSet<>(links);
        more.add(link);
        change(lastNetworks, lastIsolated, more);
    }

    /** The links between isolated ports, in the order they came. */
    public synchronized Set<Link> links() {
        return links;
    }

    /**
     * The table where the administrator's own rules for published ports go (Docker's DOCKER-USER):
     * e.g. {@code nft add rule inet pier_user forward meta l4proto tcp ct original proto-dst 8080 ip saddr != 192.0.2.0/24 drop}.
     */
    public static String userTable(String table) {
        return table + "_user";
    }

    @Override
    public synchronized void removeAll() {
        declared = false;
        nft.apply("table inet " + userTable(table) + " {}\ndelete table inet " + userTable(table) + "\n"
                + "table inet " + table + " {}\ndelete table inet " + table + "\n"
                + "table bridge " + table + " {}\ndelete table bridge " + table + "\n");
    }

    /** The whole table as nft text; pure, so tests can read it without a kernel. */
    static String render(String table, List<NetworkPlan> networks, Set<String> isolatedPorts) {
        return render(table, networks, isolatedPorts, List.of());
    }

    static String render(String table, List<NetworkPlan> networks, Set<String> isolatedPorts, List<PublishedPort> ports) {
        return render(table, networks, isolatedPorts, ports, Set.of());
    }

    static String render(String table, List<NetworkPlan> networks, Set<String> isolatedPorts, List<PublishedPort> ports, Set<Link> links) {
        Map<String, Set<String>> sets = setElements(networks, isolatedPorts, links);
        StringBuilder sb = new StringBuilder();
        // The administrator's table: declared, never rewritten, so its rules outlive every rewrite of
        // ours, and its forward chain sees traffic to published ports (already DNATed) before Pier's.
        sb.append("table inet ").append(userTable(table)).append(" {\n");
        sb.append("  chain forward {\n    type filter hook forward priority filter - 10; policy accept;\n  }\n}\n");
        sb.append("table inet ").append(table).append(" {}\n");
        sb.append("delete table inet ").append(table).append('\n');
        sb.append("table inet ").append(table).append(" {\n");
        for (SetKind set : SetKind.values()) {
            if (set.family.equals("inet")) declare(sb, set, sets.get(set.setName));
        }

        // Published ports: one element per host port and family, looked up by the four DNAT rules below.
        List<PublishedPort> ports4 = ports.stream().filter(p -> !p.ipv6()).toList(), ports6 = ports.stream().filter(PublishedPort::ipv6).toList();
        sb.append("  map published_addr {\n    type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service\n")
                .append(elements(addressElements(ports4))).append("  }\n");
        sb.append("  map published_any {\n    type inet_proto . inet_service : ipv4_addr . inet_service\n")
                .append(elements(anyElements(ports4))).append("  }\n");
        sb.append("  map published6_addr {\n    type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service\n")
                .append(elements(addressElements(ports6))).append("  }\n");
        sb.append("  map published6_any {\n    type inet_proto . inet_service : ipv6_addr . inet_service\n")
                .append(elements(anyElements(ports6))).append("  }\n");
        sb.append("  chain published {\n");
        sb.append("    dnat ip to ip daddr . meta l4proto . th dport map @published_addr\n");
        sb.append("    dnat ip to meta l4proto . th dport map @published_any\n");
        sb.append("    dnat ip6 to ip6 daddr . meta l4proto . th dport map @published6_addr\n");
        sb.append("    dnat ip6 to meta l4proto . th dport map @published6_any\n");
        sb.append("  }\n");
        // From outside and from containers: to any local address but loopback, so a port published on
        // 127.0.0.1 (or 0.0.0.0) is never reached by a packet to 127.0.0.1 from another interface.
        sb.append("  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n");
        sb.append("    ip daddr != 127.0.0.0/8 fib daddr type local jump published\n");
        sb.append("    ip6 daddr != ::1 fib daddr type local jump published\n  }\n");
        // From the host itself, 127.0.0.1 included; not ::1, which the kernel cannot send to a container
        // (IPv6 has no route_localnet): a connection to [::1] is refused by the held socket instead.
        sb.append("  chain output {\n    type nat hook output priority -100; policy accept;\n");
        sb.append("    ip6 daddr ::1 return\n");
        sb.append("    fib daddr type local jump published\n  }\n");

        sb.append("  chain forward {\n    type filter hook forward priority filter; policy accept;\n");
        // Internal networks have no way out, in or out of the bridge (published ports included).
        sb.append("    iifname @internal iifname . oifname != @same_bridge drop\n");
        sb.append("    oifname @internal iifname . oifname != @same_bridge drop\n");
        // A published port is reachable from every network, through the host's address.
        sb.append("    ct status dnat accept\n");
        // Nothing else is: no connection from outside straight to a container's address (Docker 28).
        sb.append("    oifname @bridges iifname != @bridges ct state new drop\n");
        // Containers of different networks never reach each other.
        sb.append("    iifname @bridges oifname @bridges iifname . oifname != @same_bridge drop\n");
        sb.append("  }\n");

        // Internal networks reach the host only at their own gateway: the host's other addresses
        // (other networks' gateways, the uplink) are a way out too. IPv6 keeps link-local and
        // multicast for neighbour discovery.
        sb.append("  chain input {\n    type filter hook input priority filter; policy accept;\n");
        // Bridges route 127.0.0.0/8 (route_localnet, for published ports from 127.0.0.1): containers
        // must not reach the host's loopback services that way; only the answers to 127.0.0.1 come in.
        sb.append("    iifname @bridges ip daddr 127.0.0.0/8 ct direction reply accept\n");
        sb.append("    iifname @bridges ip daddr 127.0.0.0/8 drop\n");
        sb.append("    iifname @internal iifname . ip daddr != @internal_gateways_v4 drop\n");
        sb.append("    iifname @internal ip6 daddr != { fe80::/10, ff00::/8 } iifname . ip6 daddr != @internal_gateways_v6 drop\n");
        sb.append("  }\n");

        sb.append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
        sb.append("    ip saddr @masquerade_v4 oifname != @bridges masquerade\n");
        sb.append("    ip6 saddr @masquerade_v6 oifname != @bridges masquerade\n");
        // 127.0.0.1 to a published port: the container could not answer a loopback source.
        sb.append("    ip saddr 127.0.0.0/8 oifname @bridges masquerade\n");
        // Hairpin: a container reaching a published port through the host, so the answer comes back the same way.
        sb.append("    ct status dnat iifname @bridges oifname @bridges masquerade\n");
        sb.append("  }\n}\n");
        // Bridged frames never reach the inet hooks: ICC off is enforced in the bridge family.
        sb.append("table bridge ").append(table).append(" {}\n");
        sb.append("delete table bridge ").append(table).append('\n');
        sb.append("table bridge ").append(table).append(" {\n");
        for (SetKind set : SetKind.values()) {
            if (set.family.equals("bridge")) declare(sb, set, sets.get(set.setName));
        }
        sb.append("  chain forward {\n    type filter hook forward priority filter; policy accept;\n");
        // A legacy link: the linker to the linked container's exposed ports, and the answers from them
        // (stateless, as Docker's rules are: the bridge family has no connection tracking here).
        sb.append("    iifname . oifname . meta l4proto . th dport @link_to accept\n");
        sb.append("    iifname . oifname . meta l4proto . th sport @link_from accept\n");
        // Their neighbours must resolve each other's address first: ARP, and IPv6's neighbour discovery.
        sb.append("    ether type arp iifname . oifname @link_pairs accept\n");
        sb.append("    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } iifname . oifname @link_pairs accept\n");
        sb.append("    iifname @isolated oifname @isolated drop\n  }\n}\n");
        return sb.toString();
    }

    /** The sets the fixed rules look up: their family, name and element type. */
    enum SetKind {
        BRIDGES("inet", "bridges", "ifname", false),
        SAME_BRIDGE("inet", "same_bridge", "ifname . ifname", false),
        MASQUERADE_V4("inet", "masquerade_v4", "ipv4_addr", true),
        MASQUERADE_V6("inet", "masquerade_v6", "ipv6_addr", true),
        INTERNAL("inet", "internal", "ifname", false),
        INTERNAL_GATEWAYS_V4("inet", "internal_gateways_v4", "ifname . ipv4_addr", false),
        INTERNAL_GATEWAYS_V6("inet", "internal_gateways_v6", "ifname . ipv6_addr", false),
        ISOLATED("bridge", "isolated", "ifname", false),
        /** linker port . linked port . protocol . destination port */
        LINK_TO("bridge", "link_to", "ifname . ifname . inet_proto . inet_service", false),
        /** linked port . linker port . protocol . source port (the answers) */
        LINK_FROM("bridge", "link_from", "ifname . ifname . inet_proto . inet_service", false),
        /** both ways round, for ARP and neighbour discovery */
        LINK_PAIRS("bridge", "link_pairs", "ifname . ifname", false);

        final String family, setName, type;
        final boolean interval;

        SetKind(String family, String setName, String type, boolean interval) {
            this.family = family;
            this.setName = setName;
            this.type = type;
            this.interval = interval;
        }
    }

    static Map<String, Set<String>> setElements(List<NetworkPlan> networks, Set<String> isolatedPorts) {
        return setElements(networks, isolatedPorts, Set.of());
    }

    /** What each set holds for these networks, isolated ports and links, by set name; pure. */
    static Map<String, Set<String>> setElements(List<NetworkPlan> networks, Set<String> isolatedPorts, Set<Link> links) {
        Map<String, Set<String>> sets = new LinkedHashMap<>();
        for (SetKind set : SetKind.values()) sets.put(set.setName, new LinkedHashSet<>());
        for (NetworkPlan n : networks) {
            if (!n.driver().equals("bridge")) continue;
            String br = quote(n.interfaceName());
            sets.get(SetKind.BRIDGES.setName).add(br);
            sets.get(SetKind.SAME_BRIDGE.setName).add(br + " . " + br);
            if (n.internal()) {
                sets.get(SetKind.INTERNAL.setName).add(br);
                for (String gw : gatewayAddresses(n, 4)) sets.get(SetKind.INTERNAL_GATEWAYS_V4.setName).add(br + " . " + gw);
                for (String gw : gatewayAddresses(n, 6)) sets.get(SetKind.INTERNAL_GATEWAYS_V6.setName).add(br + " . " + gw);
            } else if (n.masquerade()) {
                for (IpPrefix s : n.subnets()) {
                    (s.family() == 4 ? sets.get(SetKind.MASQUERADE_V4.setName) : sets.get(SetKind.MASQUERADE_V6.setName)).add(s.toString());
                }
            }
        }
        isolatedPorts.stream().sorted().map(NftablesFirewall::quote).forEach(sets.get(SetKind.ISOLATED.setName)::add);
        for (Link l : links) {
            String linker = quote(l.linkerInterface()), linked = quote(l.linkedInterface());
            for (Link.Service s : l.services()) {
                String service = " . " + s.protocol().text() + " . " + s.port();
                sets.get(SetKind.LINK_TO.setName).add(linker + " . " + linked + service);
                sets.get(SetKind.LINK_FROM.setName).add(linked + " . " + linker + service);
            }
            sets.get(SetKind.LINK_PAIRS.setName).add(linker + " . " + linked);
            sets.get(SetKind.LINK_PAIRS.setName).add(linked + " . " + linker);
        }
        return sets;
    }

    /** One transaction taking the sets from {@code from} to {@code to}: deletions first, so an interval never overlaps itself. */
    static String elementChanges(String table, Map<String, Set<String>> from, Map<String, Set<String>> to) {
        StringBuilder deletes = new StringBuilder(), adds = new StringBuilder();
        for (SetKind set : SetKind.values()) {
            Set<String> before = from.getOrDefault(set.setName, Set.of()), after = to.getOrDefault(set.setName, Set.of());
            List<String> gone = before.stream().filter(e -> !after.contains(e)).toList();
            List<String> come = after.stream().filter(e -> !before.contains(e)).toList();
            String target = set.family + " " + table + " " + set.setName;
            if (!gone.isEmpty()) deletes.append("delete element ").append(target).append(" { ").append(String.join(", ", gone)).append(" }\n");
            if (!come.isEmpty()) adds.append("add element ").append(target).append(" { ").append(String.join(", ", come)).append(" }\n");
        }
        return deletes.append(adds).toString();
    }

    private static void declare(StringBuilder sb, SetKind set, Set<String> elements) {
        sb.append("  set ").append(set.setName).append(" {\n    type ").append(set.type).append('\n');
        if (set.interval) sb.append("    flags interval\n");
        sb.append(elements(List.copyOf(elements))).append("  }\n");
    }

    private static List<String> gatewayAddresses(NetworkPlan network, int family) {
        return network.gateways().stream().filter(g -> g.family() == family)
                .map(g -> IpPrefix.format(g.address())).distinct().toList();
    }

    private static String elements(List<String> items) {
        if (items.isEmpty()) return "";
        return "    elements = { " + items.stream().collect(Collectors.joining(", ")) + " }\n";
    }

    private static String quote(String interfaceName) {
        return '"' + interfaceName + '"';
    }
}
