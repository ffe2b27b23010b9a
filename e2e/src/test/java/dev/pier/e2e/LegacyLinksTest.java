package dev.pier.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Legacy links on the default bridge over time: the linking container's /etc/hosts follows the
 * linked one to its new address, and with ICC off a link opens exactly the linked container's
 * exposed ports to the linker, for as long as both run.
 */
class LegacyLinksTest {
    static Pier pier;       // ICC on, Docker's default
    static Pier isolated;   // --icc=false

    @BeforeAll
    static void start() throws Exception {
        pier = new Pier();
        isolated = new Pier(List.of("--icc=false"));
    }

    @AfterEach
    void clean() {
        pier.removeAllContainers().ok();
        isolated.removeAllContainers().ok();
    }

    @AfterAll
    static void stop() throws Exception {
        for (Pier p : new Pier[] {pier, isolated}) {
            if (p == null) continue;
            p.close();
            assertThat(p.leftovers()).isEmpty();
            assertThat(Pier.sh("nft list table inet " + p.table).exit()).isNotZero();
            assertThat(Pier.sh("nft list table bridge " + p.table).exit()).isNotZero();
            assertThat(Pier.sh("ip link show " + p.bridge).exit()).isNotZero();
        }
    }

    private static String ip(Pier p, String container) {
        return p.pier("inspect", "-f", "{{.NetworkSettings.IPAddress}}", container).ok().out().strip();
    }

    private static String run(Pier p, String name, List<String> flags, List<String> command) {
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
        args.addAll(flags);
        args.addAll(command);
        return p.pier(args.toArray(String[]::new)).ok().out().strip();
    }

    private static final List<String> SLEEP = List.of("busybox", "sleep", "300");

    /** Busybox answering every TCP connection on each port with "<word>-<port>". */
    private static List<String> servers(String word, int... ports) {
        StringBuilder sh = new StringBuilder();
        for (int port : ports) sh.append("(while true; do echo ").append(word).append('-').append(port).append(" | nc -l -p ").append(port).append("; done) & ");
        sh.append("wait");
        return List.of("busybox", "sh", "-c", sh.toString());
    }

    /** What one TCP connection from a container reads, retried ~3 s while the server starts; "" when it never answers. */
    private static String connect(Pier p, String from, String host, int port) {
        return p.pier("exec", from, "sh", "-c", "for i in 1 2 3 4 5 6; do nc -w 1 " + host + " " + port
                + " </dev/null && exit 0; sleep 0.3; done; exit 1").out().strip();
    }

    /** One attempt: a blocked port costs the one-second wait, not the retries. */
    private static boolean reaches(Pier p, String from, String host, int port) {
        return p.pier("exec", from, "sh", "-c", "nc -w 1 " + host + " " + port + " </dev/null").out().contains("-" + port);
    }

    private static String hosts(Pier p, String container) {
        return p.pier("exec", container, "cat", "/etc/hosts").ok().out();
    }

    @Test
    void theLinkersHostsFollowTheLinkedContainerToItsNewAddress() {
        String dbId = run(pier, "db", List.of(), servers("pong", 5432));
        String names = "\tdatabase " + dbId.substring(0, 12) + " db\n";
        String first = ip(pier, "db");
        run(pier, "web", List.of("--link", "db:database"), SLEEP);
        assertThat(hosts(pier, "web")).contains(first + names);
        // A line of the container's own, which no rewrite of the link may lose.
        pier.pier("exec", "web", "sh", "-c", "echo '192.0.2.77\tmine.test' >> /etc/hosts").ok();

        // Stop and start, with another container taking the old address meanwhile.
        pier.pier("stop", "-t", "1", "db").ok();
        run(pier, "squatter", List.of(), SLEEP);
        assertThat(ip(pier, "squatter")).isEqualTo(first);
        pier.pier("start", "db").ok();
        String second = ip(pier, "db");
        assertThat(second).isNotEqualTo(first);
        String after = hosts(pier, "web");
        assertThat(after).contains(second + names).doesNotContain(first + names).contains("192.0.2.77\tmine.test\n");
        assertThat(after.lines().filter(l -> l.contains("\tdatabase ")).count()).isEqualTo(1);
        // Real packets to the name: ping and a TCP connection land on the new address.
        assertThat(pier.pier("exec", "web", "ping", "-c", "1", "-W", "2", "database").ok().out())
                .contains(second).contains("1 packets received");
        assertThat(connect(pier, "web", "database", 5432)).isEqualTo("pong-5432");

        // restart, once the old address is free again: back to it.
        pier.pier("rm", "-f", "squatter").ok();
        pier.pier("restart", "-t", "1", "db").ok();
        assertThat(ip(pier, "db")).isEqualTo(first);
        assertThat(hosts(pier, "web")).contains(first + names).doesNotContain(second + names).contains("mine.test");
        assertThat(connect(pier, "web", "database", 5432)).isEqualTo("pong-5432");

        // The linker restarted after the linked one moved: its new hosts file has the current address.
        pier.pier("stop", "-t", "1", "web").ok();
        pier.pier("stop", "-t", "1", "db").ok();
        run(pier, "squatter2", List.of(), SLEEP);
        pier.pier("start", "db").ok();
        String third = ip(pier, "db");
        assertThat(third).isNotEqualTo(first);
        pier.pier("start", "web").ok();
        assertThat(hosts(pier, "web")).contains(third + names).doesNotContain(first + names);
        assertThat(pier.pier("exec", "web", "ping", "-c", "1", "-W", "2", "database").ok().out()).contains(third);
        // A container linking to nothing is left alone.
        run(pier, "other", List.of(), SLEEP);
        String other = hosts(pier, "other");
        pier.pier("restart", "-t", "1", "db").ok();
        assertThat(hosts(pier, "other")).isEqualTo(other).doesNotContain("database");
    }

    @Test
    void withIccOffALinkOpensTheLinkedContainersExposedPortsToTheLinkerOnly() throws Exception {
        Pier p = isolated;
        // 5432 exposed, 8080 published (so exposed too), 6000 neither.
        run(p, "db", List.of("--expose", "5432", "-p", "127.0.0.1::8080"), servers("db", 5432, 8080, 6000));
        run(p, "web", List.of("--link", "db:db"), SLEEP);
        run(p, "other", List.of(), SLEEP);
        String db = ip(p, "db");
        // Every server answers inside db itself: what is unreachable below is the firewall's doing.
        for (int port : new int[] {5432, 8080, 6000}) assertThat(connect(p, "db", "127.0.0.1", port)).isEqualTo("db-" + port);

        assertThat(connect(p, "web", "db", 5432)).isEqualTo("db-5432");
        assertThat(connect(p, "web", db, 8080)).isEqualTo("db-8080");
        assertThat(reaches(p, "web", db, 6000)).as("a port db does not expose").isFalse();
        assertThat(reaches(p, "other", db, 5432)).as("a container without the link").isFalse();
        assertThat(reaches(p, "other", db, 6000)).isFalse();
        assertThat(reaches(p, "db", ip(p, "web"), 5432)).as("the link is one way").isFalse();
        String sets = Pier.sh("nft list table bridge " + p.table).ok().out();
        assertThat(sets).contains(". tcp . 5432").contains(". tcp . 8080").doesNotContain("6000");

        // The linked container stops: the link's elements go; it starts again: they come back.
        p.pier("stop", "-t", "1", "db").ok();
        assertThat(linkElements(p)).isEmpty();
        p.pier("start", "db").ok();
        assertThat(connect(p, "web", "db", 5432)).isEqualTo("db-5432");
        assertThat(reaches(p, "other", ip(p, "db"), 5432)).isFalse();
        // The linker restarts: the same.
        p.pier("restart", "-t", "1", "web").ok();
        assertThat(connect(p, "web", "db", 5432)).isEqualTo("db-5432");

        // The daemon dies and comes back: the table is declared again, the link opened again.
        String before = linkElements(p);
        assertThat(before).isNotEmpty();
        p.killDaemon();
        p.startDaemon();
        assertThat(linkElements(p)).isEqualTo(before);
        assertThat(connect(p, "web", "db", 5432)).isEqualTo("db-5432");
        assertThat(reaches(p, "web", ip(p, "db"), 6000)).isFalse();
        assertThat(reaches(p, "other", ip(p, "db"), 5432)).isFalse();

        // Removing the linker removes the link; the isolation stays.
        p.pier("rm", "-f", "web").ok();
        assertThat(linkElements(p)).isEmpty();
        assertThat(Pier.sh("nft list set bridge " + p.table + " isolated").ok().out()).contains("elements");
    }

    /** The elements of the bridge table's three link sets, one per line; "" when there are none. */
    private static String linkElements(Pier p) {
        StringBuilder sb = new StringBuilder();
        for (String set : List.of("link_to", "link_from", "link_pairs")) {
            String out = Pier.sh("nft list set bridge " + p.table + " " + set).ok().out();
            int at = out.indexOf("elements = {");
            if (at >= 0) sb.append(out, at, out.indexOf('}', at) + 1).append('\n');
        }
        return sb.toString().replaceAll("\\s+", " ").strip();
    }
}
