package dev.pier.linux;

import dev.pier.linux.NetNamespaceTest.Scratch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SysctlTest {
    private static Scratch scratch;
    private NetNamespace ns;

    @BeforeAll
    static void setUp() {
        scratch = new Scratch("sysctl");
    }

    @BeforeEach
    void createNamespace() {
        ns = NetNamespace.create(scratch.dir, scratch.name("s"));
    }

    @AfterEach
    void removeNamespace() {
        if (ns != null) ns.close();
        scratch.deleteNamespaces();
    }

    @AfterAll
    static void tearDown() {
        scratch.close();
        Scratch.assertNothingLeft();
    }

    @Test
    void keysMapToProcSysWithDottedInterfaceNames() {
        assertThat(Sysctl.pathOf("net.ipv4.ip_forward")).isEqualTo(Path.of("/proc/sys/net/ipv4/ip_forward"));
        assertThat(Sysctl.pathOf("net.ipv4.conf.all.route_localnet")).isEqualTo(Path.of("/proc/sys/net/ipv4/conf/all/route_localnet"));
        assertThat(Sysctl.pathOf("net.ipv6.conf.eth0.accept_ra")).isEqualTo(Path.of("/proc/sys/net/ipv6/conf/eth0/accept_ra"));
        assertThat(Sysctl.pathOf("net.ipv4.conf.eth0.100.rp_filter")).isEqualTo(Path.of("/proc/sys/net/ipv4/conf/eth0.100/rp_filter"));
        assertThat(Sysctl.pathOf("net.ipv6.conf.br.a.b.disable_ipv6")).isEqualTo(Path.of("/proc/sys/net/ipv6/conf/br.a.b/disable_ipv6"));
        assertThat(Sysctl.pathOf("net.ipv4.neigh.v.1.gc_stale_time")).isEqualTo(Path.of("/proc/sys/net/ipv4/neigh/v.1/gc_stale_time"));
        assertThat(Sysctl.pathOf("net.ipv4.ip_local_port_range")).isEqualTo(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
    }

    @Test
    void malformedKeysAreRefused() {
        for (String bad : new String[] {"", "net", "net..ipv4", "net.ipv4.", ".net.ipv4", "net/ipv4/ip_forward",
                "net.ipv4.conf...rp_filter", "net.ipv4.conf.all..", "net.ipv4.conf.eth0/x.rp_filter"}) {
            assertThatThrownBy(() -> Sysctl.read(ns, bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid sysctl key");
        }
    }

    @Test
    void writeInsideTheNamespaceLeavesTheHostAlone() {
        String hostBefore = Sysctl.read(NetNamespace.host(), "net.ipv4.ip_forward");
        String wanted = hostBefore.equals("1") ? "0" : "1";
        Sysctl.write(ns, "net.ipv4.ip_forward", wanted);
        assertThat(Sysctl.read(ns, "net.ipv4.ip_forward")).isEqualTo(wanted);
        assertThat(Sysctl.read(NetNamespace.host(), "net.ipv4.ip_forward")).isEqualTo(hostBefore);

        Sysctl.write(ns, "net.ipv4.conf.all.route_localnet", "1");
        assertThat(Sysctl.read(ns, "net.ipv4.conf.all.route_localnet")).isEqualTo("1");

        Sysctl.write(ns, "net.ipv4.ip_local_port_range", "40000\t40100");
        assertThat(Sysctl.read(ns, "net.ipv4.ip_local_port_range")).isEqualTo("40000\t40100");
    }

    @Test
    void perInterfaceKeyOfADottedInterfaceInsideTheNamespace() {
        String ifname = "pnst.v0";
        Scratch.sh("ip", "-n", ns.name(), "link", "add", ifname, "type", "veth", "peer", "name", "pnst.v1");
        String key = "net.ipv4.conf." + ifname + ".rp_filter";
        Sysctl.write(ns, key, "2");
        assertThat(Sysctl.read(ns, key)).isEqualTo("2");
        Sysctl.write(ns, "net.ipv6.conf." + ifname + ".accept_ra", "0");
        assertThat(Sysctl.read(ns, "net.ipv6.conf." + ifname + ".accept_ra")).isEqualTo("0");
        // The interface exists only in the namespace, so the host has no such key.
        assertThatThrownBy(() -> Sysctl.read(NetNamespace.host(), key))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key");
    }

    @Test
    void unknownKeysBadValuesAndReadOnlyKeysGiveClearErrors() {
        assertThatThrownBy(() -> Sysctl.read(ns, "net.ipv4.pnst_no_such_key"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown key").hasMessageContaining("net.ipv4.pnst_no_such_key");
        assertThatThrownBy(() -> Sysctl.write(ns, "net.ipv4.pnst_no_such_key", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key");
        assertThatThrownBy(() -> Sysctl.read(ns, "net.ipv4.conf"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group of keys");

        String before = Sysctl.read(ns, "net.ipv4.ip_forward");
        assertThatThrownBy(() -> Sysctl.write(ns, "net.ipv4.ip_forward", "yes please"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refused");
        assertThatThrownBy(() -> Sysctl.write(ns, "net.ipv4.ip_forward", "1\n0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one non-empty line");
        assertThatThrownBy(() -> Sysctl.write(ns, "net.ipv4.ip_forward", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Sysctl.read(ns, "net.ipv4.ip_forward")).isEqualTo(before);

        assertThatThrownBy(() -> Sysctl.write(ns, "net.ipv4.conf.all.mc_forwarding", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
    }
}
