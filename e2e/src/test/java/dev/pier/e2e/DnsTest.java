package dev.pier.e2e;

import dev.pier.linux.NetNamespace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded resolver on real namespaces: containers ask 127.0.0.11 with busybox nslookup (and
 * dig over TCP from the host, inside the container's namespace); the outside is a {@link TestUpstream}
 * on the gateways of the test's own networks.
 */
class DnsTest {
    static Pier pier;
    static String net;   // "10.x." for this class's networks: network k is net + k + ".0/24", gateway .1
    static TestUpstream upstream;
    static String front, back, sealed;

    @BeforeAll
    static void start() throws Exception {
        pier = new Pier();
        net = "10." + (100 + (pier.prefix.hashCode() & 0x1F)) + ".";
        front = pier.prefix + "-front";
        back = pier.prefix + "-back";
        sealed = pier.prefix + "-sealed";
        pier.pier("network", "create", "--subnet", net + "1.0/24", "--gateway", net + "1.1", front).ok();
        pier.pier("network", "create", "--subnet", net + "2.0/24", "--gateway", net + "2.1", back).ok();
        pier.pier("network", "create", "--internal", "--subnet", net + "3.0/24", "--gateway", net + "3.1", sealed).ok();
        upstream = new TestUpstream(List.of(net + "1.1", net + "2.1", net + "3.1", pier.subnetPrefix + "1"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (upstream != null) upstream.close();
        if (pier == null) return;
        pier.close();   // removes the containers, then the networks (their bridges outlive a daemon by design)
        assertThat(pier.leftovers()).isEmpty();
        assertThat(Pier.sh("ip -o addr").out()).doesNotContain(" " + net + "1.1/").doesNotContain(" " + net + "2.1/")
                .doesNotContain(" " + net + "3.1/").doesNotContain(" " + net + "4.1/");
    }

    @AfterEach
    void clean() {
        pier.removeAllContainers();
    }

    /** A sleeping busybox whose other names go to the test's upstream (never to a real server). */
    private String run(String name, String network, String... flags) {
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", network,
                "--dns", gatewayOf(network)));
        args.addAll(List.of(flags));
        args.addAll(List.of("busybox", "sleep", "300"));
        return pier.pier(args.toArray(String[]::new)).ok().out().strip();
    }

    private String gatewayOf(String network) {
        if (network.equals(front)) return net + "1.1";
        if (network.equals(back)) return net + "2.1";
        if (network.equals(sealed)) return net + "3.1";
        return pier.subnetPrefix + "1";
    }

    private String ip(String container, String network) {
        return pier.pier("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", container).ok().out().strip();
    }

    private static final Pattern ADDRESS = Pattern.compile("(?m)^Address:\\s+(\\S+)\\s*$");
    private static final Pattern PTR_NAME = Pattern.compile("name = (\\S+)");

    /** The A addresses busybox nslookup prints, in answer order; empty when the name is not found. */
    private List<String> lookup(String from, String name) {
        Pier.Result r = pier.pier("exec", from, "nslookup", "-type=a", name);
        List<String> found = new ArrayList<>();
        Matcher m = ADDRESS.matcher(r.out());
        while (m.find()) if (!m.group(1).contains("#") && !m.group(1).endsWith(":53")) found.add(m.group(1));
        return found;
    }

    private String pointer(String from, String address) {
        String out = pier.pier("exec", from, "nslookup", address).out();
        Matcher m = PTR_NAME.matcher(out);
        return m.find() ? m.group(1) : out;
    }

    @Test
    void containersFindEachOtherByNameAliasShortIdHostnameAndNetworkQualifiedName() {
        run("web", front, "--hostname", "webhost", "--network-alias", "shared");
        String dbId = run("db", front, "--network-alias", "shared");
        String web = ip("web", front), db = ip("db", front);
        assertThat(pier.pier("exec", "web", "cat", "/etc/resolv.conf").ok().out())
                .contains("nameserver 127.0.0.11").contains("ndots:0").doesNotContain(net + "1.1");
        assertThat(lookup("web", "db")).containsExactly(db);
        assertThat(lookup("web", "DB")).containsExactly(db);
        assertThat(lookup("web", dbId.substring(0, 12))).containsExactly(db);
        assertThat(lookup("web", "db." + front)).containsExactly(db);
        assertThat(lookup("db", "webhost")).containsExactly(web);
        assertThat(lookup("db", "web")).containsExactly(web);
        // A shared alias: every address, in varying order.
        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 12 && orders.size() < 2; i++) {
            List<String> got = lookup("web", "shared");
            assertThat(got).containsExactlyInAnyOrder(web, db);
            orders.add(got);
        }
        assertThat(orders).hasSize(2);
        assertThat(pointer("web", db)).isEqualTo("db." + front);
        // Nothing about container names went outside.
        assertThat(upstream.questions("db.", Type.A) + upstream.questions("shared.", Type.A)).isZero();
    }

    @Test
    void dnsSearchAndOptionsKeepTheirPlaceBesideTheResolver() {
        run("web", front, "--dns-search", "corp.test", "--dns-option", "ndots:2", "--dns-option", "timeout:1");
        assertThat(pier.pier("exec", "web", "cat", "/etc/resolv.conf").ok().out())
                .isEqualTo("nameserver 127.0.0.11\nsearch corp.test\noptions ndots:2 timeout:1\n");
    }

    @Test
    void ipv6AddressesAnswerAaaaAndPtr() {
        String v6 = pier.prefix + "-v6";
        pier.pier("network", "create", "--ipv6", "--subnet", net + "4.0/24", "--gateway", net + "4.1",
                "--subnet", "fd43:" + Integer.toHexString(pier.prefix.hashCode() & 0xFFFF) + "::/64", v6).ok();
        try {
            String webId = pier.pier("run", "-d", "--name", "web", "--network", v6, "--dns", net + "4.1", "busybox", "sleep", "300").ok().out().strip();
            pier.pier("run", "-d", "--name", "db", "--network", v6, "--dns", net + "4.1", "busybox", "sleep", "300").ok();
            String db6 = pier.pier("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + v6 + "\").GlobalIPv6Address}}", "db").ok().out().strip();
            assertThat(db6).contains(":");
            String aaaa = dig(webId, "db", "AAAA", false);
            assertThat(aaaa).contains("status: NOERROR").containsPattern("IN\\s+AAAA\\s+" + Pattern.quote(db6));
            assertThat(dig(webId, "-x " + db6, "", false)).containsPattern("IN\\s+PTR\\s+" + Pattern.quote("db." + v6 + "."));
        } finally {
            pier.pier("rm", "-f", "web", "db");
            pier.pier("network", "rm", v6);
        }
    }

    @Test
    void theResolversSocketsCloseWithTheirContainers() throws Exception {
        run("web", front);
        long before = sockets();
        for (int i = 0; i < 5; i++) run("c" + i, front);
        assertThat(sockets()).isGreaterThanOrEqualTo(before + 5 * 4);
        for (int i = 0; i < 3; i++) pier.pier("stop", "-t", "0", "c" + i).ok();
        pier.pier("rm", "-f", "c3", "c4").ok();
        // Closed channels leave the selector at its next wake-up: give it a moment.
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (sockets() > before + 2 && System.nanoTime() < deadline) Thread.sleep(100);
        assertThat(sockets()).isLessThanOrEqualTo(before + 2);   // a CLI connection or two may be open meanwhile
        assertThat(lookup("web", "web")).containsExactly(ip("web", front));
    }

    /** Sockets the daemon holds open. */
    private static long sockets() throws Exception {
        try (var fds = java.nio.file.Files.list(Path.of("/proc/" + pier.daemonPid() + "/fd"))) {
            return fds.filter(f -> {
                try {
                    return java.nio.file.Files.readSymbolicLink(f).toString().startsWith("socket:");
                } catch (Exception e) {
                    return false;
                }
            }).count();
        }
    }

    @Test
    void linkAliasesAreSeenByTheLinkingContainerOnly() {
        run("db", front);
        run("web", front, "--link", "db:database");
        run("other", front);
        assertThat(lookup("web", "database")).containsExactly(ip("db", front));
        assertThat(lookup("other", "database")).isEmpty();
        // A link given when connecting, as `network connect --link` gives it; refused where nothing resolves.
        run("late", back);
        pier.pier("network", "connect", "--link", "db:store", front, "late").ok();
        assertThat(lookup("late", "store")).containsExactly(ip("db", front));
        assertThat(pier.pier("network", "connect", "--link", "nosuch:x", back, "other").err()).contains("could not get container for nosuch");
        assertThat(pier.pier("network", "connect", "--link", "db:y", "bridge", "other").err()).contains("only for user-defined networks");
        assertThat(pier.pier("inspect", "-f", "{{len .NetworkSettings.Networks}}", "other").ok().out().strip()).isEqualTo("1");
    }

    @Test
    void legacyLinksOnTheDefaultBridgeGoToHostsAndTheEnvironmentAndCarryPackets() {
        // A server on the default bridge: every connection reads one line naming it.
        String dbId = pier.pier("run", "-d", "--name", "db", "--dns", gatewayOf("bridge"), "--expose", "5432", "--expose", "9000/udp",
                "-e", "SECRET=s3cr3t", "busybox", "sh", "-c", "while true; do echo pong-$SECRET | nc -l -p 5432; done").ok().out().strip();
        String db = ip("db", "bridge");
        run("web", "bridge", "--link", "db:database", "--add-host", "extra.test:192.0.2.9", "-e", "DATABASE_ENV_SECRET=mine");
        String hosts = pier.pier("exec", "web", "cat", "/etc/hosts").ok().out();
        assertThat(hosts).contains(db + "\tdatabase " + dbId.substring(0, 12) + " db\n");
        // Docker's order: --add-host, then the links, then the container's own address.
        assertThat(hosts.indexOf("extra.test")).isLessThan(hosts.indexOf("database"));
        assertThat(hosts.indexOf("database")).isLessThan(hosts.indexOf(ip("web", "bridge") + "\t"));

        String env = pier.pier("exec", "web", "env").ok().out();
        assertThat(env).contains("DATABASE_NAME=/web/database\n", "DATABASE_PORT=tcp://" + db + ":5432\n",
                "DATABASE_PORT_5432_TCP=tcp://" + db + ":5432\n", "DATABASE_PORT_5432_TCP_ADDR=" + db + "\n",
                "DATABASE_PORT_5432_TCP_PORT=5432\n", "DATABASE_PORT_5432_TCP_PROTO=tcp\n",
                "DATABASE_PORT_9000_UDP=udp://" + db + ":9000\n", "DATABASE_PORT_9000_UDP_PROTO=udp\n")
                // The container's own variable wins over the link's; HOME and PATH are not passed on.
                .contains("DATABASE_ENV_SECRET=mine\n").doesNotContain("DATABASE_ENV_SECRET=s3cr3t").doesNotContain("DATABASE_ENV_PATH");
        // The main process sees them too, not only exec.
        assertThat(pier.pier("exec", "web", "sh", "-c", "tr '\\0' '\\n' < /proc/1/environ").ok().out())
                .contains("DATABASE_PORT_5432_TCP_ADDR=" + db + "\n");

        // Real packets to the names in /etc/hosts.
        assertThat(pier.pier("exec", "web", "ping", "-c", "1", "-W", "2", "database").ok().out()).contains("1 packets received").contains(db);
        assertThat(pier.pier("exec", "web", "sh", "-c", "for i in 1 2 3 4 5; do nc -w 2 database 5432 && exit 0; sleep 0.3; done; exit 1")
                .ok().out()).contains("pong-s3cr3t");
        assertThat(pier.pier("exec", "web", "ping", "-c", "1", "-W", "2", "db").ok().out()).contains(db);

        // A link is not a name for anyone else on the bridge.
        run("other", "bridge");
        assertThat(pier.pier("exec", "other", "cat", "/etc/hosts").ok().out()).doesNotContain("database");
        assertThat(pier.pier("exec", "other", "env").ok().out()).doesNotContain("DATABASE_");
    }

    @Test
    void aLinkToAMissingOrStoppedContainerIsAClearError() {
        Pier.Result missing = pier.pier("run", "-d", "--name", "web", "--link", "nosuch:db", "busybox", "sleep", "300");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("could not get container for nosuch");
        assertThat(pier.pier("ps", "-aq").ok().out()).isBlank();

        pier.pier("create", "--name", "idle", "busybox", "sleep", "300").ok();
        Pier.Result stopped = pier.pier("run", "-d", "--name", "web", "--link", "idle:db", "busybox", "sleep", "300");
        assertThat(stopped.exit()).isNotZero();
        assertThat(stopped.err()).contains("Cannot link to a non running container: /idle AS /web/db");
        assertThat(pier.pier("inspect", "-f", "{{.State.Running}}", "web").ok().out().strip()).isEqualTo("false");
        // Once the linked container runs, the same container starts.
        pier.pier("start", "idle").ok();
        pier.pier("start", "web").ok();
        assertThat(pier.pier("exec", "web", "cat", "/etc/hosts").ok().out()).contains(ip("idle", "bridge") + "\tdb ");

        Pier.Result host = pier.pier("run", "-d", "--network", "host", "--link", "idle:db", "busybox", "sleep", "300");
        assertThat(host.exit()).isNotZero();
        assertThat(host.err()).contains("host type networking can't be used with links");
    }

    @Test
    void aDefaultBridgeContainerConnectedToAUserNetworkGetsTheResolver() {
        run("web", front);
        run("old", "bridge");
        assertThat(pier.pier("exec", "old", "cat", "/etc/resolv.conf").ok().out()).doesNotContain("127.0.0.11");
        pier.pier("network", "connect", front, "old").ok();
        assertThat(pier.pier("exec", "old", "cat", "/etc/resolv.conf").ok().out()).contains("nameserver 127.0.0.11");
        assertThat(lookup("old", "web")).containsExactly(ip("web", front));
    }

    @Test
    void namesStillResolveAfterTheDaemonIsKilledAndRestarted() throws Exception {
        run("web", front);
        run("db", front);
        pier.killDaemon();
        pier.startDaemon();
        assertThat(lookup("web", "db")).containsExactly(ip("db", front));
        assertThat(lookup("web", "after.upstream.test")).containsExactly("192.0.2.5");
    }

    @Test
    void aKnownNameWithoutTheAskedFamilyIsAnsweredEmptyNotForwarded() {
        String webId = run("web", front);
        run("db", front);
        String out = dig(webId, "db", "AAAA", false);
        assertThat(out).contains("status: NOERROR").contains("ANSWER: 0");
        assertThat(upstream.questions("db.", Type.AAAA)).isZero();
    }

    @Test
    void anotherNetworkCannotSeeTheNamesAndTheDefaultBridgeHasNone() {
        run("web", front);
        run("stranger", back);
        assertThat(lookup("stranger", "web")).isEmpty();
        // It was a question for the outside, which said NXDOMAIN.
        assertThat(upstream.questions("web.", Type.A)).isPositive();
        assertThat(pointer("stranger", ip("web", front))).doesNotContain("web." + front);

        run("d1", "bridge");
        run("d2", "bridge");
        String resolv = pier.pier("exec", "d1", "cat", "/etc/resolv.conf").ok().out();
        assertThat(resolv).doesNotContain("127.0.0.11").contains("nameserver " + pier.subnetPrefix + "1");
        assertThat(lookup("d1", "d2")).isEmpty();
    }

    @Test
    void aRenamedContainerAnswersToItsNewNameAtOnceAndLinksFollowIt() {
        run("web", front);
        // Names of this test's own: a name no longer known is asked upstream, which other tests count.
        run("olddb", front);
        String db = ip("olddb", front);
        assertThat(lookup("web", "olddb")).containsExactly(db);
        pier.pier("rename", "olddb", "store").ok();
        assertThat(lookup("web", "store")).containsExactly(db);
        assertThat(lookup("web", "olddb")).isEmpty();
        assertThat(pointer("web", db)).isEqualTo("store." + front);
        assertThat(pier.pier("ps", "--format", "{{.Names}}").ok().out()).contains("store\n").doesNotContain("olddb\n");

        // A link names its target: renamed, the link follows it under the same alias.
        run("app", front, "--link", "store:database");
        assertThat(lookup("app", "database")).containsExactly(db);
        pier.pier("container", "rename", "store", "vault").ok();
        assertThat(lookup("app", "database")).containsExactly(db);
        assertThat(pier.pier("inspect", "-f", "{{.HostConfig.Links}}", "app").ok().out()).contains("/vault:/app/database");
        // On the default bridge too, where the link is a hosts line written at each start.
        pier.pier("run", "-d", "--name", "cache", "busybox", "sleep", "300").ok();
        run("client", "bridge", "--link", "cache");
        pier.pier("rename", "cache", "cache2").ok();
        pier.pier("restart", "-t", "0", "client").ok();
        assertThat(pier.pier("exec", "client", "cat", "/etc/hosts").ok().out()).contains(ip("cache2", "bridge") + "\tcache ");

        // Refusals change nothing.
        Pier.Result taken = pier.pier("rename", "vault", "web");
        assertThat(taken.exit()).isNotZero();
        assertThat(taken.err()).contains("The container name \"/web\" is already in use");
        assertThat(pier.pier("rename", "vault", "vault").err()).contains("same name as its current name");
        assertThat(pier.pier("rename", "vault", "bad name!").err()).contains("Invalid container name (bad name!)");
        assertThat(pier.pier("rename", "nosuch", "other").err()).contains("No such container: nosuch");
        Pier.Result usage = pier.pier("rename", "vault");
        assertThat(usage.exit()).isNotZero();
        assertThat(usage.err()).contains("requires 2 arguments");
        assertThat(lookup("web", "vault")).containsExactly(db);
    }

    @Test
    void changesShowAtOnce() {
        run("web", front);
        run("late", back);
        assertThat(lookup("web", "late")).isEmpty();
        pier.pier("network", "connect", "--alias", "newcomer", front, "late").ok();
        String late = ip("late", front);
        assertThat(lookup("web", "late")).containsExactly(late);
        assertThat(lookup("web", "newcomer")).containsExactly(late);
        assertThat(lookup("late", "web")).containsExactly(ip("web", front));
        pier.pier("network", "disconnect", front, "late").ok();
        assertThat(lookup("web", "late")).isEmpty();
        run("temp", front);
        assertThat(lookup("web", "temp")).containsExactly(ip("temp", front));
        pier.pier("stop", "-t", "0", "temp").ok();
        assertThat(lookup("web", "temp")).isEmpty();
        pier.pier("start", "temp").ok();
        assertThat(lookup("web", "temp")).containsExactly(ip("temp", front));
        pier.pier("rm", "-f", "temp").ok();
        assertThat(lookup("web", "temp")).isEmpty();
    }

    @Test
    void otherNamesGoToTheContainersServersInOrderAndAreCached() {
        // The first server is an unused address on the test's bridge: it never answers.
        pier.pier("run", "-d", "--name", "client", "--network", front, "--dns", net + "1.250", "--dns", net + "1.1",
                "busybox", "sleep", "300").ok();
        long t0 = System.nanoTime();
        assertThat(lookup("client", "one.upstream.test")).containsExactly("192.0.2.3");
        assertThat(upstream.questions("one.upstream.test", Type.A)).isEqualTo(1);
        // Answered from the cache.
        assertThat(lookup("client", "one.upstream.test")).containsExactly("192.0.2.3");
        assertThat(upstream.questions("one.upstream.test", Type.A)).isEqualTo(1);
        // The server that failed is now asked last: the next name needs no timeout.
        long t1 = System.nanoTime();
        assertThat(lookup("client", "second.upstream.test")).containsExactly("192.0.2.6");
        assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan((t1 - t0) / 1_000_000);
        assertThat(lookup("client", "absent.example")).isEmpty();
    }

    @Test
    void tcpQuestionsAreAnsweredAndForwardedOverTcp() {
        String webId = run("web", front);
        run("db", front);
        String local = dig(webId, "db", "A", true);
        assertThat(local).contains("status: NOERROR").contains(ip("db", front));
        // A client that connects and never finishes its question holds only its own connection.
        try (NetNamespace ns = NetNamespace.open(Path.of("/run/netns/pier-" + webId.substring(0, 12)))) {
            java.nio.channels.SocketChannel slow = ns.run(() -> java.nio.channels.SocketChannel.open());
            try (slow) {
                slow.connect(new InetSocketAddress("127.0.0.11", 53));
                slow.write(ByteBuffer.wrap(new byte[]{0}));
                assertThat(dig(webId, "db", "A", true)).contains(ip("db", front));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        String outside = dig(webId, "tcp.upstream.test", "A", true);
        assertThat(outside).contains("192.0.2.3");
        assertThat(upstream.tcpQuestions.get(TestUpstream.key("tcp.upstream.test", Type.A)).get()).isEqualTo(1);
    }

    @Test
    void internalNetworksDoNotForward() {
        run("inside", sealed);
        run("peer", sealed);
        assertThat(lookup("inside", "peer")).containsExactly(ip("peer", sealed));
        assertThat(lookup("inside", "sealed.upstream.test")).isEmpty();
        assertThat(upstream.questions("sealed.upstream.test", Type.A)).isZero();
    }

    @Test
    void malformedPacketsAreAnsweredOrDroppedAndTheResolverGoesOn() throws Exception {
        String webId = run("web", front);
        run("db", front);
        try (NetNamespace ns = NetNamespace.open(Path.of("/run/netns/pier-" + webId.substring(0, 12)))) {
            DatagramChannel ch = ns.run(() -> DatagramChannel.open());
            try (ch) {
                ch.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.11"), 53));
                ch.socket().setSoTimeout(1000);
                // Too short to carry an id: no answer.
                ch.write(ByteBuffer.wrap(new byte[]{1, 2, 3}));
                assertThat(receive(ch)).isNull();
                // A header that promises a question and stops: FORMERR with the same id.
                Message q = Message.newQuery(Record.newRecord(Name.fromString("db."), Type.A, DClass.IN));
                q.getHeader().setID(0x1234);
                byte[] cut = java.util.Arrays.copyOf(q.toWire(), 15);
                ch.write(ByteBuffer.wrap(cut));
                Message formerr = new Message(receive(ch));
                assertThat(formerr.getRcode()).isEqualTo(Rcode.FORMERR);
                assertThat(formerr.getHeader().getID()).isEqualTo(0x1234);
                // Random bytes, many times: answered or dropped, never a crash.
                java.util.Random random = new java.util.Random(42);
                for (int i = 0; i < 200; i++) {
                    byte[] junk = new byte[3 + random.nextInt(300)];
                    random.nextBytes(junk);
                    junk[2] &= 0x7f; // a "query" (QR=0), so most get read
                    ch.write(ByteBuffer.wrap(junk));
                }
                while (receive(ch) != null) { /* drain */ }
                // Still serving.
                ch.write(ByteBuffer.wrap(q.toWire()));
                Message ok = new Message(receive(ch));
                assertThat(ok.getRcode()).isEqualTo(Rcode.NOERROR);
                assertThat(ok.getSectionArray(1)[0].rdataToString()).isEqualTo(ip("db", front));
            }
        }
        assertThat(lookup("web", "db")).containsExactly(ip("db", front));
    }

    /** The next datagram, or null after a second of silence (the socket adaptor honours SO_TIMEOUT). */
    private static byte[] receive(DatagramChannel ch) throws Exception {
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[4096], 4096);
        try {
            ch.socket().receive(p);
        } catch (java.net.SocketTimeoutException e) {
            return null;
        }
        return java.util.Arrays.copyOf(p.getData(), p.getLength());
    }

    /** dig from the host, inside the container's namespace (busybox has no TCP resolver). */
    private static String dig(String containerId, String name, String type, boolean tcp) {
        return Pier.sh("ip netns exec pier-" + containerId.substring(0, 12) + " dig +time=3 +tries=1 @127.0.0.11 "
                + (tcp ? "+tcp " : "") + name + " " + type).out();
    }
}
