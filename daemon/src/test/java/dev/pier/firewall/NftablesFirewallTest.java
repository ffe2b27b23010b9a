package dev.pier.firewall;

import dev.pier.linux.IpPrefix;
import dev.pier.linux.Nftables;
import dev.pier.network.NetworkPlan;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NftablesFirewallTest {
    private static NetworkPlan bridge(String name, String subnet, boolean internal, boolean masquerade) {
        IpPrefix s = IpPrefix.parse(subnet);
        return new NetworkPlan("id-" + name, name, "bridge", name, 1500, List.of(), List.of(s), internal, masquerade, true, false);
    }

    @Test
    void rendersOneTableWithPerNetworkRulesOnly() {
        String text = NftablesFirewall.render("pier_t", List.of(
                bridge("pfwa", "10.1.0.0/16", false, true),
                bridge("pfwb", "10.2.0.0/16", true, true),
                new NetworkPlan("h", "host", "host", "", 0, List.of(), List.of(), false, false, true, false)), java.util.Set.of("pvport1"));
        assertThat(text).startsWith("table inet pier_t {}\ndelete table inet pier_t\n");
        assertThat(text).contains("elements = { \"pfwa\", \"pfwb\" }");
        // The internal network is not masqueraded and has no way out.
        assertThat(text).contains("elements = { 10.1.0.0/16 }").doesNotContain("10.2.0.0/16 }");
        assertThat(text).contains("iifname \"pfwb\" oifname != \"pfwb\" drop");
        // ... nor to the host's addresses (it has no gateway here: none at all).
        assertThat(text).contains("iifname \"pfwb\" meta nfproto ipv4 drop").doesNotContain("iifname \"pfwa\" meta nfproto");
        assertThat(text).contains("ip saddr @masquerade_v4 oifname != @bridges masquerade");
        assertThat(text).contains("table bridge pier_t {").contains("elements = { \"pvport1\" }").contains("iifname @isolated oifname @isolated drop");
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
                        .as("one masquerade rule per family, whatever the number of networks").isEqualTo(2);
            } finally {
                fw.removeAll();
            }
            assertThat(nft.tableExists("inet", table)).isFalse();
            assertThat(nft.tableExists("bridge", table)).isFalse();
        }
    }
}
