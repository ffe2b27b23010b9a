package dev.pier.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** pierd -b BRIDGE: the default network on the administrator's bridge, which Pier never changes or deletes. */
class ExistingBridgeTest {
    static String bridge, net;
    static Pier pier;

    @BeforeAll
    static void start() throws Exception {
        bridge = "peb" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        ThreadLocalRandom r = ThreadLocalRandom.current();
        net = "10." + (180 + r.nextInt(10)) + "." + r.nextInt(256) + ".";
        Pier.sh("ip link add " + bridge + " type bridge && ip addr add " + net + "1/24 dev " + bridge + " && ip link set " + bridge + " up").ok();
        try {
            pier = new Pier(List.of("-b", bridge));
        } catch (Exception | Error e) {
            Pier.sh("ip link del " + bridge);
            throw e;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (pier != null) {
                pier.close();
                assertThat(pier.leftovers()).isEmpty();
            }
            // The daemon has gone: the bridge and its address are as the administrator left them.
            assertThat(Pier.sh("ip -o -4 addr show dev " + bridge).ok().out()).contains(" " + net + "1/24 ");
        } finally {
            Pier.sh("ip link del " + bridge + " 2>/dev/null");
        }
    }

    @Test
    void containersGetTheBridgesSubnetAndKeepItAcrossARestart() throws Exception {
        assertThat(pier.pier("network", "inspect", "bridge", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}").ok().out().strip())
                .isEqualTo(net + "0/24 " + net + "1");
        pier.pier("run", "-d", "--name", "onbr", "busybox", "sleep", "120").ok();
        String ip = pier.pier("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "onbr").ok().out().strip();
        assertThat(ip).startsWith(net);
        assertThat(pier.pier("exec", "onbr", "ip", "route").ok().out()).contains("default via " + net + "1");
        assertThat(Pier.sh("ping -c 1 -W 2 " + ip).ok().out()).contains("1 received");
        // The container's host side is a port of the administrator's bridge.
        assertThat(Pier.sh("ip -o link show master " + bridge).ok().out()).isNotBlank();

        pier.killDaemon();
        pier.startDaemon();
        assertThat(pier.pier("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "onbr").ok().out().strip()).isEqualTo(ip);
        assertThat(Pier.sh("ping -c 1 -W 2 " + ip).ok().out()).contains("1 received");
        assertThat(Pier.sh("ip -o -4 addr show dev " + bridge).ok().out()).contains(" " + net + "1/24 ");
        // Its own table, named after the bridge: another daemon on another bridge has another.
        assertThat(Pier.sh("nft list tables").ok().out()).contains("inet pier_" + bridge);
    }
}
