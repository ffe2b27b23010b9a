package dev.pier.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * pierd's {@code --dns}, {@code --dns-search} and {@code --dns-opt}: what a container gets when it
 * sets none of its own, each setting on its own, as in Docker. Only the files are read: the
 * documentation addresses (192.0.2.x) are never asked.
 */
class DaemonDnsDefaultsTest {
    static Pier pier;
    static Path resolvConf;

    @BeforeAll
    static void start() throws Exception {
        resolvConf = Files.createTempFile("pier-resolv", ".conf");
        Files.writeString(resolvConf, "nameserver 192.0.2.1\nsearch host.test\noptions timeout:1\n");
        pier = new Pier(List.of("--resolv-conf", resolvConf.toString(), "--dns", "192.0.2.53", "--dns-search", "daemon.test",
                "--dns-opt", "ndots:3"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (resolvConf != null) Files.deleteIfExists(resolvConf);
        if (pier == null) return;
        pier.removeAllContainers();
        pier.close();
        assertThat(pier.leftovers()).isEmpty();
    }

    private static String resolvConfOf(String... runFlags) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--rm"));
        args.addAll(List.of(runFlags));
        args.addAll(List.of("busybox", "cat", "/etc/resolv.conf"));
        return pier.pier(args.toArray(String[]::new)).ok().out();
    }

    @Test
    void theDaemonsSettingsReplaceTheHostsForAContainerWithoutItsOwn() {
        assertThat(resolvConfOf()).isEqualTo("search daemon.test\nnameserver 192.0.2.53\noptions ndots:3\n");
        assertThat(resolvConfOf("--network", "host")).isEqualTo("search daemon.test\nnameserver 192.0.2.53\noptions ndots:3\n");
    }

    @Test
    void aContainersOwnSettingWinsAndTheOthersStayTheDaemons() {
        assertThat(resolvConfOf("--dns", "192.0.2.54")).isEqualTo("search daemon.test\nnameserver 192.0.2.54\noptions ndots:3\n");
        assertThat(resolvConfOf("--dns-search", "mine.test", "--dns-option", "attempts:1"))
                .isEqualTo("search mine.test\nnameserver 192.0.2.53\noptions attempts:1\n");
        // The record keeps what the container asked, not the daemon's defaults.
        String id = pier.pier("create", "busybox", "true").ok().out().strip();
        assertThat(pier.pier("inspect", "-f", "{{json .HostConfig.Dns}} {{json .HostConfig.DnsSearch}}", id).ok().out().strip())
                .isEqualTo("[] []");
    }

    @Test
    void onAUserNetworkTheEmbeddedResolverTakesTheDaemonsSearchAndOptions() {
        String net = pier.prefix + "-dnsdef";
        pier.pier("network", "create", "--subnet", "10." + (150 + (pier.prefix.hashCode() & 0x1F)) + ".7.0/24", net).ok();
        try {
            assertThat(resolvConfOf("--network", net)).isEqualTo("nameserver 127.0.0.11\nsearch daemon.test\noptions ndots:3\n");
        } finally {
            pier.pier("network", "rm", net).ok();
        }
    }
}
