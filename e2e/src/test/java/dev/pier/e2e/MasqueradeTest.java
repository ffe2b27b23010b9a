package dev.pier.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outbound traffic of the default bridge leaves masqueraded. "The outside" is a namespace of the
 * test's own, linked to the host by a veth, running busybox httpd with a CGI that prints the
 * caller's address: without masquerade it could not even answer (it has no route back).
 */
class MasqueradeTest {
    static Pier pier;
    static String outside;
    static String hostEnd;
    static String net;
    static Process server;

    @BeforeAll
    static void start() throws Exception {
        pier = new Pier();
        outside = pier.prefix + "out";
        hostEnd = pier.prefix + "o0";
        net = "10.251." + (pier.subnetPrefix.hashCode() & 0xFF) + ".";
        Pier.sh("ip netns add " + outside + " && ip link add " + hostEnd + " type veth peer name eth0 netns " + outside
                + " && ip addr add " + net + "1/30 dev " + hostEnd + " && ip link set " + hostEnd + " up"
                + " && ip -n " + outside + " addr add " + net + "2/30 dev eth0 && ip -n " + outside + " link set eth0 up"
                + " && ip -n " + outside + " link set lo up").ok();
        Path www = pier.root.resolve("www");
        Files.createDirectories(www.resolve("cgi-bin"));
        Path cgi = www.resolve("cgi-bin/ip");
        Files.writeString(cgi, "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"caller=$REMOTE_ADDR\"\n");
        Files.setPosixFilePermissions(cgi, PosixFilePermissions.fromString("rwxr-xr-x"));
        server = new ProcessBuilder("ip", "netns", "exec", outside, "busybox", "httpd", "-f", "-p", net + "2:8080", "-h", www.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (server != null) {
                server.destroyForcibly();
                server.waitFor();
            }
            Pier.sh("ip link del " + hostEnd + "; ip netns del " + outside);
        } finally {
            if (pier != null) pier.close();
        }
        assertThat(Pier.sh("ip netns list").out()).doesNotContain(outside);
    }

    @Test
    void theOutsideSeesTheHostsAddressNotTheContainers() {
        String body = pier.pier("run", "--rm", "busybox", "sh", "-c",
                Pier.httpGet(net + "2", 8080, "/cgi-bin/ip")).ok().out();
        assertThat(body).contains("caller=" + net + "1");
        String rules = Pier.sh("nft list table inet " + pier.table).ok().out();
        assertThat(rules).contains("masquerade").contains(pier.subnetPrefix + "0/24").contains(pier.bridge);
    }

    @Test
    void theRuleSetDoesNotGrowWithContainers() {
        String before = Pier.sh("nft list table inet " + pier.table).ok().out();
        List<String> ids = List.of(
                pier.pier("run", "-d", "busybox", "sleep", "60").ok().out().strip(),
                pier.pier("run", "-d", "busybox", "sleep", "60").ok().out().strip());
        String during = Pier.sh("nft list table inet " + pier.table).ok().out();
        assertThat(during).isEqualTo(before);
        ids.forEach(id -> pier.pier("rm", "-f", id).ok());
    }
}
