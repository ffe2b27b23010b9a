package dev.pier.dns;

import dev.pier.linux.IpPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerFilesTest {
    @Test
    void resolvConfDropsLoopbackServersAndKeepsSearchAndOptions() {
        String host = "# generated\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp.test\noptions edns0\n";
        assertThat(ContainerFiles.resolvConf(host, List.of(), List.of(), List.of(), false))
                .isEqualTo("search corp.test\nnameserver 10.0.0.2\noptions edns0\n");
    }

    @Test
    void onlyLoopbackServersFallBackToGooglesLikeDocker() {
        assertThat(ContainerFiles.resolvConf("nameserver 127.0.0.53\n", List.of(), List.of(), List.of(), false))
                .isEqualTo("nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    }

    @Test
    void flagsReplaceTheHostsValues() {
        String out = ContainerFiles.resolvConf("nameserver 10.0.0.2\nsearch a.test\n", List.of("10.9.9.9"), List.of("b.test"),
                List.of("ndots:2"), false);
        assertThat(out).isEqualTo("search b.test\nnameserver 10.9.9.9\noptions ndots:2\n");
    }

    @Test
    void hostsListsLocalhostThenExtraHostsThenTheContainer(@TempDir Path dir) throws Exception {
        ContainerFiles.writeIdentity(dir, "web", "", List.of(new ContainerFiles.HostEntry("10.9.8.7", List.of("db"))),
                List.of(IpPrefix.parseAddress("172.17.0.2")));
        String hosts = Files.readString(dir.resolve("hosts"));
        assertThat(hosts).startsWith("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        assertThat(hosts.indexOf("10.9.8.7\tdb")).isLessThan(hosts.indexOf("172.17.0.2\tweb"));
        assertThat(Files.readString(dir.resolve("hostname"))).isEqualTo("web\n");
    }

    @Test
    void embeddedResolverKeepsTheHostsSearchAndOptionsAndAddsNdotsZero() {
        String host = "nameserver 10.0.0.2\nsearch corp.test\noptions edns0\n";
        assertThat(ContainerFiles.embeddedResolvConf(host, List.of(), List.of()))
                .isEqualTo("nameserver 127.0.0.11\nsearch corp.test\noptions edns0 ndots:0\n");
        assertThat(ContainerFiles.embeddedResolvConf(host + "options ndots:3\n", List.of("b.test"), List.of()))
                .isEqualTo("nameserver 127.0.0.11\nsearch b.test\noptions edns0 ndots:3\n");
        assertThat(ContainerFiles.embeddedResolvConf(host, List.of(), List.of("ndots:2", "timeout:1")))
                .isEqualTo("nameserver 127.0.0.11\nsearch corp.test\noptions ndots:2 timeout:1\n");
    }

    @Test
    void theEmbeddedResolverForwardsToTheFirstThreeHostServersLoopbackOnesIncluded() {
        // Docker asks the host's servers from the host's namespace, where 127.0.0.53 answers.
        String host = "nameserver 127.0.0.53\nnameserver 10.0.0.1\nnameserver ::1\nnameserver 10.0.0.2\n";
        assertThat(ContainerFiles.hostNameservers(host)).containsExactly("127.0.0.53", "10.0.0.1", "::1");
        // A host file without a server (or none at all): Docker's fallback.
        assertThat(ContainerFiles.hostNameservers("search corp.test\n")).containsExactly("8.8.8.8", "8.8.4.4");
        assertThat(ContainerFiles.hostNameservers("")).containsExactly("8.8.8.8", "8.8.4.4");
    }

    @Test
    void theDefaultBridgeDropsIpv6ServersUnlessTheContainerHasIpv6AndThenFallsBackToBothFamilies() {
        String host = "nameserver 127.0.0.1\nnameserver fd00::53\nnameserver ::1\n";
        assertThat(ContainerFiles.resolvConf(host, List.of(), List.of(), List.of(), false))
                .isEqualTo("nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
        assertThat(ContainerFiles.resolvConf(host, List.of(), List.of(), List.of(), true)).isEqualTo("nameserver fd00::53\n");
        assertThat(ContainerFiles.resolvConf("nameserver 127.0.0.53\n", List.of(), List.of(), List.of(), true))
                .isEqualTo("nameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\n");
    }
}
