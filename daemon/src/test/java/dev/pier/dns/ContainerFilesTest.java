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

    @Test
    void aLinksLinesFollowTheLinkedContainerAndEverythingElseStays() {
        String hosts = """
                127.0.0.1\tlocalhost
                10.9.8.7\tdb
                172.17.0.2\tdatabase 0123456789ab db
                fd00::2\tdatabase 0123456789ab db
                172.17.0.3\tweb
                # mine
                192.0.2.1\tmine.test
                """;
        assertThat(ContainerFiles.withHostEntries(hosts, List.of("database", "0123456789ab", "db"), List.of("172.17.0.5")))
                .isEqualTo("""
                        127.0.0.1\tlocalhost
                        10.9.8.7\tdb
                        172.17.0.5\tdatabase 0123456789ab db
                        172.17.0.3\tweb
                        # mine
                        192.0.2.1\tmine.test
                        """);
        // Both families where the line was; a line whose names differ (--add-host db) is not the link's.
        assertThat(ContainerFiles.withHostEntries("127.0.0.1\tlocalhost\n172.17.0.2   database 0123456789ab db # old\n",
                List.of("database", "0123456789ab", "db"), List.of("172.17.0.6", "fd00::6")))
                .isEqualTo("127.0.0.1\tlocalhost\n172.17.0.6\tdatabase 0123456789ab db\nfd00::6\tdatabase 0123456789ab db\n");
        // The container deleted the line: it stays deleted.
        assertThat(ContainerFiles.withHostEntries("127.0.0.1\tlocalhost\n", List.of("database", "db"), List.of("172.17.0.5")))
                .isEqualTo("127.0.0.1\tlocalhost\n");
    }

    @Test
    void updatingALinksLinesRewritesTheFileInPlace(@TempDir Path dir) throws Exception {
        ContainerFiles.writeIdentity(dir, "web", "", List.of(new ContainerFiles.HostEntry("172.17.0.2", List.of("db"))),
                List.of(IpPrefix.parseAddress("172.17.0.3")));
        Files.writeString(dir.resolve("hosts"), "10.1.1.1\tedited.test\n", java.nio.file.StandardOpenOption.APPEND);
        Object inode = Files.readAttributes(dir.resolve("hosts"), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        ContainerFiles.updateHostEntries(dir, List.of("db"), List.of("172.17.0.4"));
        String hosts = Files.readString(dir.resolve("hosts"));
        assertThat(hosts).contains("172.17.0.4\tdb\n").doesNotContain("172.17.0.2").endsWith("172.17.0.3\tweb\n10.1.1.1\tedited.test\n");
        // The container sees the file through a bind mount of this very inode.
        assertThat(Files.readAttributes(dir.resolve("hosts"), java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(inode);
        ContainerFiles.updateHostEntries(dir.resolve("gone"), List.of("db"), List.of("172.17.0.4"));   // no file: nothing to do
    }
}
