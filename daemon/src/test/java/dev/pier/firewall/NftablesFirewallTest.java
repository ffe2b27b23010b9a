package dev.pier.firewall;

import dev.pier.linux.IpPrefix;
import dev.pier.linux.Nftables;
import dev.pier.network.NetworkPlan;
import dev.pier.ports.Protocol;
import dev.pier.ports.PublishedPort;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NftablesFirewallTest {
    private static NetworkPlan bridge(String name, String subnet, boolean internal, boolean masquerade) {
        IpPrefix s = IpPrefix.parse(subnet);
        return new NetworkPlan("id-" + name, name, "bridge", name, 1500, List.of(), List.of(s), internal, masquerade, true, false, List.of());
    }

    @Test
    void rendersOneTableWhoseNetworksAreSetElements() {
        String text = NftablesFirewall.render("pier_t", List.of(
                bridge("pfwa", "10.1.0.0/16", false, true),
                bridge("pfwb", "10.2.0.0/16", true, true),
                new NetworkPlan("h", "host", "host", "", 0, List.of(), List.of(), false, false, true, false, List.of())), java.util.Set.of("pvport1"));
        assertThat(text).startsWith("table inet pier_t_user {\n  chain forward {\n    type filter hook forward priority filter - 10; policy accept;\n  }\n}\n"
                + "table inet pier_t {}\ndelete table inet pier_t\n");
        assertThat(text).contains("elements = { \"pfwa\", \"pfwb\" }");
        // The internal network is not masqueraded and has no way out.
        assertThat(text).contains("elements = { 10.1.0.0/16 }").doesNotContain("10.2.0.0/16 }");
        assertThat(text).contains("set internal {\n    type ifname\n    elements = { \"pfwb\" }\n  }")
                .contains("set same_bridge {\n    type ifname . ifname\n    elements = { \"pfwa\" . \"pfwa\", \"pfwb\" . \"pfwb\" }\n  }")
                .contains("iifname @internal iifname . oifname != @same_bridge drop");
        // ... nor to the host's addresses (it has no gateway here: none at all).
        assertThat(text).contains("set internal_gateways_v4 {\n    type ifname . ipv4_addr\n  }")
                .contains("iifname @internal iifname . ip daddr != @internal_gateways_v4 drop");
        assertThat(text).contains("ip saddr @masquerade_v4 oifname != @bridges masquerade");
        assertThat(text).contains("table bridge pier_t {").contains("elements = { \"pvport1\" }").contains("iifname @isolated oifname @isolated drop");
    }

    @Test
    void aNetworkThatComesOrGoesChangesElementsNeverRules() {
        List<NetworkPlan> one = List.of(bridge("pfwa", "10.1.0.0/16", false, true));
        List<NetworkPlan> many = new java.util.ArrayList<>(one);
        for (int i = 0; i < 50; i++) many.add(bridge("pfwn" + i, "10.2." + i + ".0/24", i % 2 == 0, true));
        assertThat(rules(NftablesFirewall.render("pier_t", many, java.util.Set.of())))
                .isEqualTo(rules(NftablesFirewall.render("pier_t", one, java.util.Set.of())));

        var before = NftablesFirewall.setElements(one, java.util.Set.of());
        NetworkPlan internal = new NetworkPlan("id-i", "pfwi", "bridge", "pfwi", 1500, List.of(IpPrefix.parse("10.5.0.1/24")),
                List.of(IpPrefix.parse("10.5.0.0/24")), true, true, true, false, List.of());
        var after = NftablesFirewall.setElements(List.of(one.getFirst(), internal, bridge("pfwc", "10.3.0.0/16", false, true)), java.util.Set.of());
        assertThat(NftablesFirewall.elementChanges("pier_t", before, after)).isEqualTo("""
                add element inet pier_t bridges { "pfwi", "pfwc" }
                add element inet pier_t same_bridge { "pfwi" . "pfwi", "pfwc" . "pfwc" }
                add element inet pier_t masquerade_v4 { 10.3.0.0/16 }
                add element inet pier_t internal { "pfwi" }
                add element inet pier_t internal_gateways_v4 { "pfwi" . 10.5.0.1 }
                """);
        assertThat(NftablesFirewall.elementChanges("pier_t", after, before)).startsWith("delete element inet pier_t bridges { \"pfwi\", \"pfwc\" }\n")
                .doesNotContain("add element");
        assertThat(NftablesFirewall.elementChanges("pier_t", after, after)).isEmpty();
    }

    private static PublishedPort port(String hostIp, int hostPort, String containerIp, int containerPort, Protocol proto) {
        return new PublishedPort(proto, containerPort, hostIp, hostPort, containerIp);
    }

    @Test
    void rendersPublishedPortsAsMapElementsBehindAFixedSetOfRules() {
        List<NetworkPlan> nets = List.of(bridge("pfwa", "10.1.0.0/16", false, true));
        String none = NftablesFirewall.render("pier_t", nets, java.util.Set.of(), List.of());
        String some = NftablesFirewall.render("pier_t", nets, java.util.Set.of(), List.of(
                port("", 8080, "10.1.0.2", 80, Protocol.TCP),
                port("127.0.0.1", 5353, "10.1.0.2", 53, Protocol.UDP),
                port("::", 8080, "fd42::2", 80, Protocol.TCP),
                port("fd42::1", 8081, "fd42::2", 81, Protocol.TCP)));
        assertThat(some).contains("type inet_proto . inet_service : ipv6_addr . inet_service")
                .contains("elements = { tcp . 8080 : fd42::2 . 80 }")
                .contains("elements = { fd42::1 . tcp . 8081 : fd42::2 . 81 }")
                .contains("ip6 daddr != ::1 fib daddr type local jump published");
        assertThat(some).contains("type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service")
                .contains("elements = { tcp . 8080 : 10.1.0.2 . 80 }")
                .contains("elements = { 127.0.0.1 . udp . 5353 : 10.1.0.2 . 53 }");
        assertThat(rules(some)).as("ports add elements, not rules").isEqualTo(rules(none));
        // Loopback only from the host itself; the host's 127/8 not from containers.
        assertThat(some).contains("ip daddr != 127.0.0.0/8 fib daddr type local jump published")
                .contains("iifname @bridges ip daddr 127.0.0.0/8 ct direction reply accept")
                .contains("iifname @bridges ip daddr 127.0.0.0/8 drop")
                .contains("ip saddr 127.0.0.0/8 oifname @bridges masquerade")
                .contains("ct status dnat accept\n    oifname @bridges iifname != @bridges ct state new drop");
        assertThat(NftablesFirewall.elementCommands("delete", "pier_t", List.of(port("", 8080, "10.1.0.2", 80, Protocol.TCP))))
                .isEqualTo("delete element inet pier_t published_any { tcp . 8080 : 10.1.0.2 . 80 }\n");
        assertThat(NftablesFirewall.elementCommands("add", "pier_t", List.of(port("", 8080, "10.1.0.2", 80, Protocol.TCP),
                port("::", 8080, "fd42::2", 80, Protocol.TCP))))
                .isEqualTo("add element inet pier_t published_any { tcp . 8080 : 10.1.0.2 . 80 }\n"
                        + "add element inet pier_t published6_any { tcp . 8080 : fd42::2 . 80 }\n");
    }

    /** The lines of the inet table that are rules (not declarations, not elements). */
    private static long rules(String text) {
        String inet = text.substring(0, text.indexOf("table bridge"));
        return inet.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("elements") && !l.startsWith("type")
                && !l.startsWith("flags") && !l.endsWith("{") && !l.equals("}") && !l.contains("table")).count();
    }

    @Test
    void publishAndUnpublishTouchOnlyTheirOwnersElements() {
        String table = "pfwp" + Long.toHexString(System.nanoTime() & 0xFFFFF);
        try (Nftables nft = Nftables.open()) {
            NftablesFirewall fw = new NftablesFirewall(nft, table);
            try {
                List<NetworkPlan> nets = List.of(bridge("pfwa", "10.1.0.0/16", false, true));
                fw.apply(nets, java.util.Set.of());
                String empty = nft.list("list table inet " + table);
                fw.publish("a", List.of(port("", 18080, "10.1.0.2", 80, Protocol.TCP), port("127.0.0.1", 18081, "10.1.0.2", 81, Protocol.UDP)));
                fw.publish("b", List.of(port("", 18082, "10.1.0.3", 80, Protocol.TCP), port("", 18083, "10.1.0.3", 9, Protocol.SCTP),
                        port("::", 18082, "fd42::3", 80, Protocol.TCP), port("fd42::1", 18084, "fd42::3", 84, Protocol.UDP)));
                String both = nft.list("list table inet " + table);
                assertThat(both).contains("tcp . 18082 : fd42::3 . 80").contains("fd42::1 . udp . 18084 : fd42::3 . 84");
                assertThat(both).contains("tcp . 18080 : 10.1.0.2 . 80").contains("127.0.0.1 . udp . 18081 : 10.1.0.2 . 81")
                        .contains("tcp . 18082 : 10.1.0.3 . 80").contains("sctp . 18083 : 10.1.0.3 . 9");
                // A whole rewrite (a network came or went) keeps them, and the administrator's rules.
                nft.apply("add rule inet " + table + "_user forward meta l4proto tcp ct original proto-dst 18080 drop\n");
                fw.apply(nets, java.util.Set.of());
                assertThat(nft.list("list table inet " + table + "_user")).contains("ct original proto-dst 18080 drop");
                assertThat(nft.list("list table inet " + table)).contains("tcp . 18080 : 10.1.0.2 . 80").contains("tcp . 18082");
                fw.unpublish("a");
                String onlyB = nft.list("list table inet " + table);
                assertThat(onlyB).doesNotContain("18080").doesNotContain("18081").contains("tcp . 18082 : 10.1.0.3 . 80");
                fw.unpublish("b");
                assertThat(nft.list("list table inet " + table)).isEqualTo(empty);
                fw.unpublish("b"); // twice: nothing to do
            } finally {
                fw.removeAll();
            }
        }
    }

    @Test
    void appliesAtomicallyToTheKernelAndRemovesEverything() {
        String table = "pfwt" + Long.toHexString(System.nanoTime() & 0xFFFFF);
        try (Nftables nft = Nftables.open()) {
            NftablesFirewall fw = new NftablesFirewall(nft, table);
            try {
                fw.apply(List.of(bridge("pfwa", "10.1.0.0/16", false, true)), java.util.Set.of());
                fw.isolatePort("pfwport");
                assertThat(nft.list("list table bridge " + table)).contains("pfwport");
                fw.releasePort("pfwport");
                assertThat(nft.list("list table bridge " + table)).doesNotContain("pfwport");
                assertThat(nft.list("list table inet " + table)).contains("10.1.0.0/16").contains("masquerade");
                fw.apply(List.of(bridge("pfwa", "10.1.0.0/16", false, true), bridge("pfwc", "10.3.0.0/16", false, true)), java.util.Set.of());
                String twice = nft.list("list table inet " + table);
                assertThat(twice).contains("10.3.0.0/16").contains("\"pfwc\"");
                assertThat(java.util.regex.Pattern.compile("\\bmasquerade\\b(?!_)").matcher(twice).results().count())
                        .as("the same masquerade rules whatever the number of networks").isEqualTo(4);
                // The network goes again: its elements only, and what stays is untouched.
                fw.apply(List.of(bridge("pfwc", "10.3.0.0/16", false, true)), java.util.Set.of());
                String back = nft.list("list table inet " + table);
                assertThat(back).contains("10.3.0.0/16").contains("\"pfwc\" . \"pfwc\"").doesNotContain("pfwa").doesNotContain("10.1.0.0/16");
                // Someone deleted an element behind Pier's back: the next change declares the table again.
                nft.apply("delete element inet " + table + " bridges { \"pfwc\" }\n");
                fw.apply(List.of(), java.util.Set.of());
                fw.apply(List.of(bridge("pfwd", "10.4.0.0/16", false, true)), java.util.Set.of());
                assertThat(nft.list("list table inet " + table)).contains("\"pfwd\"").doesNotContain("pfwc");
            } finally {
                fw.removeAll();
            }
            assertThat(nft.tableExists("inet", table)).isFalse();
            assertThat(nft.tableExists("inet", table + "_user")).isFalse();
            assertThat(nft.tableExists("bridge", table)).isFalse();
        }
    }

    private static final Link WEB_TO_DB = new Link("pvweb", "pvdb", List.of(new Link.Service(Protocol.TCP, 5432), new Link.Service(Protocol.UDP, 53)));

    @Test
    void legacyLinksAreElementsBeforeTheIsolationDropNeverRules() {
        List<NetworkPlan> nets = List.of(bridge("pfwa", "10.1.0.0/16", false, true));
        java.util.Set<String> isolated = java.util.Set.of("pvweb", "pvdb", "pvother");
        String none = NftablesFirewall.render("pier_t", nets, isolated, List.of());
        String one = NftablesFirewall.render("pier_t", nets, isolated, List.of(), java.util.Set.of(WEB_TO_DB));
        String bridgeTable = one.substring(one.indexOf("table bridge pier_t {"));
        assertThat(bridgeTable).contains("set link_to {\n    type ifname . ifname . inet_proto . inet_service\n"
                        + "    elements = { \"pvweb\" . \"pvdb\" . tcp . 5432, \"pvweb\" . \"pvdb\" . udp . 53 }\n  }")
                .contains("set link_from {\n    type ifname . ifname . inet_proto . inet_service\n"
                        + "    elements = { \"pvdb\" . \"pvweb\" . tcp . 5432, \"pvdb\" . \"pvweb\" . udp . 53 }\n  }")
                .contains("set link_pairs {\n    type ifname . ifname\n    elements = { \"pvweb\" . \"pvdb\", \"pvdb\" . \"pvweb\" }\n  }");
        // The exceptions come before the drop, and they are the same rules with or without links.
        assertThat(bridgeTable.indexOf("th dport @link_to accept")).isPositive().isLessThan(bridgeTable.indexOf("iifname @isolated oifname @isolated drop"));
        assertThat(bridgeTable.indexOf("th sport @link_from accept")).isPositive().isLessThan(bridgeTable.indexOf("iifname @isolated oifname @isolated drop"));
        assertThat(bridgeTable).contains("ether type arp iifname . oifname @link_pairs accept");
        assertThat(one.lines().filter(l -> l.contains("accept") || l.contains("drop")).toList())
                .isEqualTo(none.lines().filter(l -> l.contains("accept") || l.contains("drop")).toList());

        // A second link sharing the pair (another alias, another port): removing it keeps the pair.
        Link web80 = new Link("pvweb", "pvdb", List.of(new Link.Service(Protocol.TCP, 80)));
        var both = NftablesFirewall.setElements(nets, isolated, java.util.Set.of(WEB_TO_DB, web80));
        var first = NftablesFirewall.setElements(nets, isolated, java.util.Set.of(WEB_TO_DB));
        assertThat(NftablesFirewall.elementChanges("pier_t", both, first)).isEqualTo("""
                delete element bridge pier_t link_to { "pvweb" . "pvdb" . tcp . 80 }
                delete element bridge pier_t link_from { "pvdb" . "pvweb" . tcp . 80 }
                """);
    }

    @Test
    void aLinkLivesOnlyWhileBothItsPortsAreIsolated() {
        String table = "pfwl" + Long.toHexString(System.nanoTime() & 0xFFFFF);
        try (Nftables nft = Nftables.open()) {
            NftablesFirewall fw = new NftablesFirewall(nft, table);
            try {
                fw.apply(List.of(bridge("pfwa", "10.1.0.0/16", false, true)), java.util.Set.of());
                fw.link(WEB_TO_DB);
                assertThat(fw.links()).as("no isolated ports yet: nothing to open").isEmpty();
                fw.isolatePort("pvweb");
                fw.isolatePort("pvdb");
                fw.isolatePort("pvother");
                fw.link(WEB_TO_DB);
                fw.link(WEB_TO_DB);
                String linked = nft.list("list table bridge " + table);
                assertThat(linked).contains("\"pvweb\" . \"pvdb\" . tcp . 5432").contains("\"pvdb\" . \"pvweb\" . udp . 53")
                        .contains("\"pvdb\" . \"pvweb\"");
                // A whole apply keeps the links of ports that stay isolated.
                fw.apply(List.of(bridge("pfwa", "10.1.0.0/16", false, true)), java.util.Set.of("pvweb", "pvdb", "pvother"));
                assertThat(nft.list("list table bridge " + table)).isEqualTo(linked);
                // Either side released: the link goes with it, the other ports stay isolated.
                fw.releasePort("pvdb");
                String released = nft.list("list table bridge " + table);
                assertThat(released).doesNotContain("pvdb").doesNotContain("5432").contains("\"pvweb\"").contains("\"pvother\"");
                assertThat(fw.links()).isEmpty();
                fw.isolatePort("pvdb");
                fw.link(WEB_TO_DB);
                fw.apply(List.of(bridge("pfwa", "10.1.0.0/16", false, true)), java.util.Set.of("pvdb", "pvother"));
                assertThat(nft.list("list table bridge " + table)).doesNotContain("pvweb").doesNotContain("5432");
            } finally {
                fw.removeAll();
            }
            assertThat(nft.tableExists("bridge", table)).isFalse();
        }
    }
}
