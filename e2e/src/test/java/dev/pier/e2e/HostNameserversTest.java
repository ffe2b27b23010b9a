package dev.pier.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The host's nameservers, read from a resolv.conf of the test's own ({@code pierd --resolv-conf}):
 * a loopback one (as systemd-resolved's 127.0.0.53) is a {@link TestUpstream} on a 127.x address
 * of the host's namespace. The embedded resolver asks it from the host's namespace, as Docker
 * does; the default bridge, whose containers cannot reach it, falls back to Google's servers in
 * its resolv.conf (never asked here).
 */
class HostNameserversTest {
    static Pier pier;
    static TestUpstream upstream;
    static String loopback;
    static Path resolvConf;
    static String net;

    @BeforeAll
    static void start() throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        loopback = "127." + (60 + r.nextInt(60)) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
        resolvConf = Files.createTempFile("pier-resolv", ".conf");
        Files.writeString(resolvConf, "# the test's own\nnameserver " + loopback + "\nsearch corp.test\noptions timeout:1 attempts:2\n");
        upstream = new TestUpstream(List.of(loopback));
        pier = new Pier(List.of("--resolv-conf", resolvConf.toString()));
        net = pier.prefix + "-net";
        pier.pier("network", "create", "--subnet", "10." + (140 + (pier.prefix.hashCode() & 0x1F)) + ".5.0/24", net).ok();
    }

    @AfterAll
    static void stop() throws Exception {
        if (upstream != null) upstream.close();
        if (resolvConf != null) Files.deleteIfExists(resolvConf);
        if (pier == null) return;
        pier.close();
        assertThat(pier.leftovers()).isEmpty();
    }

    @AfterEach
    void clean() {
        pier.removeAllContainers();
    }

    private String run(String name, String network, String... flags) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "-d", "--name", name, "--network", network));
        args.addAll(List.of(flags));
        args.addAll(List.of("busybox", "sleep", "300"));
        return pier.pier(args.toArray(String[]::new)).ok().out().strip();
    }

    private static String dig(String containerId, String name) {
        return Pier.sh("ip netns exec pier-" + containerId.substring(0, 12) + " dig +time=5 +tries=1 @127.0.0.11 " + name + " A").out();
    }

    @Test
    void aLoopbackHostServerIsAskedFromTheHostsNamespace() {
        String web = run("web", net);
        assertThat(pier.pier("exec", "web", "cat", "/etc/resolv.conf").ok().out())
                .isEqualTo("nameserver 127.0.0.11\nsearch corp.test\noptions timeout:1 attempts:2 ndots:0\n");
        int before = upstream.questions("via.upstream.test", Type.A);
        assertThat(pier.pier("exec", "web", "nslookup", "via.upstream.test").ok().out()).contains("192.0.2.3");
        assertThat(upstream.questions("via.upstream.test", Type.A)).isEqualTo(before + 1);
        // Its NXDOMAIN comes back as it is, over TCP too.
        assertThat(dig(web, "absent.example")).contains("status: NXDOMAIN");
        assertThat(Pier.sh("ip netns exec pier-" + web.substring(0, 12) + " dig +time=5 +tries=1 +tcp @127.0.0.11 tcp.upstream.test A").out())
                .contains("192.0.2.3");
        assertThat(upstream.tcpQuestions.get(TestUpstream.key("tcp.upstream.test", Type.A)).get()).isEqualTo(1);
    }

    @Test
    void aContainersOwnDnsIsAskedFromItsNamespaceWhereTheHostsLoopbackIsNotReachable() {
        // The same address given with --dns means the container's own loopback, where nothing listens.
        String web = run("web", net, "--dns", loopback);
        assertThat(dig(web, "mine.upstream.test")).contains("status: SERVFAIL");
        assertThat(upstream.questions("mine.upstream.test", Type.A)).isZero();
    }

    @Test
    void theDefaultBridgeDropsTheLoopbackServerAndFallsBackToGooglesKeepingSearchAndOptions() {
        run("old", "bridge");
        assertThat(pier.pier("exec", "old", "cat", "/etc/resolv.conf").ok().out())
                .isEqualTo("search corp.test\nnameserver 8.8.8.8\nnameserver 8.8.4.4\noptions timeout:1 attempts:2\n");
    }
}
