package dev.pier.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** User-defined networks through bin/pier: every flag changes what a container sees or reaches. */
class UserNetworksTest {
    static Pier pier;
    static String net;   // "10.x.y." for this class's user networks

    @BeforeAll
    static void start() throws Exception {
        pier = new Pier();
        net = "10." + (150 + (pier.prefix.hashCode() & 0x1F)) + ".";
    }

    @AfterAll
    static void stop() throws Exception {
        if (pier == null) return;
        pier.close();
        assertThat(pier.leftovers()).isEmpty();
        assertThat(Pier.sh("ip -o link").out()).doesNotContain(pier.prefix);
    }

    @AfterEach
    void clean() {
        pier.removeAllContainers();
        pier.pier("network", "prune", "-f");
    }

    private String ip(String container, String network) {
        return pier.pier("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", container).ok().out().strip();
    }

    private boolean ping(String from, String address) {
        return pier.pier("exec", from, "ping", "-c", "1", "-W", "1", address).exit() == 0;
    }

    @Test
    void everyCreateFlagShowsInsideTheContainer() {
        String id = pier.pier("network", "create", "--subnet", net + "1.0/24", "--gateway", net + "1.254", "--ip-range", net + "1.128/25",
                "--aux-address", "printer=" + net + "1.128", "--label", "team=blue", "-o", "com.docker.network.driver.mtu=1400",
                "-o", "com.docker.network.bridge.name=" + pier.prefix + "nb", pier.prefix + "-app").ok().out().strip();
        assertThat(id).matches("[0-9a-f]{64}");
        String inspect = pier.pier("network", "inspect", pier.prefix + "-app").ok().out();
        assertThat(inspect).contains("\"Subnet\": \"" + net + "1.0/24\"").contains("\"Gateway\": \"" + net + "1.254\"")
                .contains("\"IPRange\": \"" + net + "1.128/25\"").contains("\"printer\": \"" + net + "1.128\"").contains("\"team\": \"blue\"");
        assertThat(Pier.sh("ip -br addr show " + pier.prefix + "nb").ok().out()).contains(net + "1.254/24");
        assertThat(Pier.sh("ip link show " + pier.prefix + "nb").ok().out()).contains("mtu 1400");

        String addr = pier.pier("run", "--rm", "--network", pier.prefix + "-app", "busybox", "ip", "-o", "addr", "show", "eth0").ok().out();
        assertThat(addr).contains(net + "1.129/24");   // .128 is the aux address: the range's next one
        String link = pier.pier("run", "--rm", "--network", pier.prefix + "-app", "busybox", "ip", "link", "show", "eth0").ok().out();
        assertThat(link).contains("mtu 1400");
        String route = pier.pier("run", "--rm", "--network", pier.prefix + "-app", "busybox", "ip", "route").ok().out();
        assertThat(route).contains("default via " + net + "1.254");
        String fixed = pier.pier("run", "--rm", "--network", pier.prefix + "-app", "--ip", net + "1.10", "--mac-address", "02:42:de:ad:be:ef",
                "busybox", "ip", "addr", "show", "eth0").ok().out();
        assertThat(fixed).contains(net + "1.10/24").contains("02:42:de:ad:be:ef");
        String ls = pier.pier("network", "ls", "--filter", "label=team=blue", "--format", "{{.Name}}").ok().out().strip();
        assertThat(ls).isEqualTo(pier.prefix + "-app");
    }

    @Test
    void containersReachTheirOwnNetworkAndNoOther() {
        pier.pier("network", "create", pier.prefix + "-a").ok();
        pier.pier("network", "create", pier.prefix + "-b").ok();
        pier.pier("run", "-d", "--name", "a1", "--network", pier.prefix + "-a", "busybox", "sleep", "120").ok();
        pier.pier("run", "-d", "--name", "a2", "--network", pier.prefix + "-a", "busybox", "sleep", "120").ok();
        pier.pier("run", "-d", "--name", "b1", "--network", pier.prefix + "-b", "busybox", "sleep", "120").ok();
        assertThat(ping("a1", ip("a2", pier.prefix + "-a"))).isTrue();
        assertThat(ping("a1", ip("b1", pier.prefix + "-b"))).isFalse();
        assertThat(ping("b1", ip("a1", pier.prefix + "-a"))).isFalse();
        // A second network joined live makes b1 reachable from a1, and leaving it cuts it again.
        pier.pier("network", "connect", pier.prefix + "-a", "b1").ok();
        String eth1 = pier.pier("exec", "b1", "ip", "-o", "-4", "addr", "show", "eth1").ok().out();
        assertThat(eth1).contains("inet ");
        assertThat(ping("a1", ip("b1", pier.prefix + "-a"))).isTrue();
        String inA = ip("b1", pier.prefix + "-a");
        pier.pier("network", "disconnect", pier.prefix + "-a", "b1").ok();
        assertThat(pier.pier("exec", "b1", "ip", "link", "show", "eth1").exit()).isNotZero();
        assertThat(ping("a1", inA)).isFalse();
    }

    @Test
    void iccOffBlocksNeighboursButNotTheGateway() {
        pier.pier("network", "create", "--subnet", net + "2.0/24", "-o", "com.docker.network.bridge.enable_icc=false", pier.prefix + "-noicc").ok();
        pier.pier("run", "-d", "--name", "n1", "--network", pier.prefix + "-noicc", "busybox", "sleep", "120").ok();
        pier.pier("run", "-d", "--name", "n2", "--network", pier.prefix + "-noicc", "busybox", "sleep", "120").ok();
        assertThat(ping("n1", net + "2.1")).isTrue();
        assertThat(ping("n1", ip("n2", pier.prefix + "-noicc"))).isFalse();
    }

    @Test
    void internalNetworksHaveNoWayOut() {
        pier.pier("network", "create", "--internal", "--subnet", net + "3.0/24", pier.prefix + "-int").ok();
        String route = pier.pier("run", "--rm", "--network", pier.prefix + "-int", "busybox", "ip", "route").ok().out();
        assertThat(route).doesNotContain("default");
        pier.pier("run", "-d", "--name", "i1", "--cap-add", "NET_ADMIN", "--network", pier.prefix + "-int", "busybox", "sleep", "120").ok();
        pier.pier("run", "-d", "--name", "i2", "--network", pier.prefix + "-int", "busybox", "sleep", "120").ok();
        assertThat(ping("i1", ip("i2", pier.prefix + "-int"))).isTrue();
        // The default bridge's gateway is another network: unreachable from an internal one.
        pier.pier("exec", "i1", "ip", "route", "add", "default", "via", net + "3.1").ok();
        assertThat(ping("i1", pier.subnetPrefix + "1")).isFalse();
        assertThat(Pier.sh("nft list table inet " + pier.table).ok().out()).doesNotContain(net + "3.0/24 }");
    }

    @Test
    void ipv6SubnetsGiveContainersBothFamilies() {
        pier.pier("network", "create", "--ipv6", "--subnet", net + "4.0/24", "--subnet", "fd42:" + Integer.toHexString(pier.prefix.hashCode() & 0xFFFF) + "::/64", pier.prefix + "-v6").ok();
        String addr = pier.pier("run", "--rm", "--network", pier.prefix + "-v6", "busybox", "ip", "addr", "show", "eth0").ok().out();
        assertThat(addr).contains("inet " + net + "4.2/24").contains("inet6 fd42:");
    }

    @Test
    void aHundredConcurrentRunsGetAHundredDistinctAddresses() throws Exception {
        pier.pier("network", "create", "--subnet", net + "5.0/24", pier.prefix + "-many").ok();
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        try (var pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 100; i++) {
                pool.submit(() -> ids.add(pier.pier("run", "-d", "--network", pier.prefix + "-many", "busybox", "sleep", "300").ok().out().strip()));
            }
        }
        assertThat(ids).hasSize(100);
        Set<String> ips = new HashSet<>();
        for (String id : ids) ips.add(ip(id, pier.prefix + "-many"));
        assertThat(ips).hasSize(100).allMatch(a -> a.startsWith(net + "5."));
    }

    /**
     * The administrator's bridge with an address of its own (what pipework does by hand): a network
     * on it takes its subnet and address, puts a running container there with a fixed address, and
     * when it goes leaves the bridge and its address as they were. Docker deletes such a bridge.
     */
    @Test
    void aNetworkOnTheAdministratorsBridgeUsesItAndLeavesIt() {
        String bridge = pier.prefix + "-adm", dummy = pier.prefix + "-dum", lan = pier.prefix + "-lan", lan2 = pier.prefix + "-lan2";
        Pier.sh("ip link add " + bridge + " type bridge && ip addr add " + net + "20.1/24 dev " + bridge + " && ip link set " + bridge + " up").ok();
        try {
            pier.pier("network", "create", "-o", "com.docker.network.bridge.name=" + bridge, "--subnet", net + "20.0/24",
                    "--gateway", net + "20.1", lan).ok();
            pier.pier("run", "-d", "--name", "lanhost", "busybox", "sleep", "60").ok();
            pier.pier("network", "connect", "--ip", net + "20.40", lan, "lanhost").ok();
            assertThat(Pier.sh("ping -c 1 -W 2 " + net + "20.40").ok().out()).contains("1 received");
            assertThat(pier.pier("exec", "lanhost", "ping", "-c", "1", "-W", "2", net + "20.1").ok().out()).contains("1 packets received");
            pier.pier("network", "disconnect", lan, "lanhost").ok();
            pier.pier("network", "rm", lan).ok();
            assertThat(Pier.sh("ip -o -4 addr show dev " + bridge).ok().out()).contains(net + "20.1/24");

            // Without a gateway of its own, the network adds one and takes only that one back.
            pier.pier("network", "create", "-o", "com.docker.network.bridge.name=" + bridge, "--subnet", net + "21.0/24", lan2).ok();
            assertThat(Pier.sh("ip -o -4 addr show dev " + bridge).ok().out()).contains(net + "21.1/24").contains(net + "20.1/24");
            pier.pier("network", "rm", lan2).ok();
            assertThat(Pier.sh("ip -o -4 addr show dev " + bridge).ok().out()).doesNotContain(net + "21.1/24").contains(net + "20.1/24");

            // An interface of that name that is not a bridge is a clear refusal, and nothing changes.
            Pier.sh("ip link add " + dummy + " type veth peer name " + dummy + "p").ok();
            String before = pier.pier("network", "ls", "-q").ok().out();
            Pier.Result notBridge = pier.pier("network", "create", "-o", "com.docker.network.bridge.name=" + dummy, lan);
            assertThat(notBridge.exit()).isNotZero();
            assertThat(notBridge.err()).contains("interface " + dummy + " exists and is not a bridge");
            assertThat(pier.pier("network", "ls", "-q").ok().out()).isEqualTo(before);
        } finally {
            Pier.sh("ip link del " + bridge + " 2>/dev/null; ip link del " + dummy + " 2>/dev/null");
        }
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        pier.pier("network", "create", "--subnet", net + "6.0/24", pier.prefix + "-dup").ok();
        String before = pier.pier("network", "ls", "-q").ok().out();
        String linksBefore = Pier.sh("ip -o link show type bridge").out();
        Pier.Result dup = pier.pier("network", "create", pier.prefix + "-dup");
        assertThat(dup.exit()).isNotZero();
        assertThat(dup.err()).contains("network with name " + pier.prefix + "-dup already exists");
        assertThat(pier.pier("network", "create", "--subnet", net + "6.128/25", pier.prefix + "-overlap").err())
                .contains("overlaps").contains(net + "6.128/25");
        assertThat(pier.pier("network", "create", "--subnet", net + "7.0/24", "--gateway", net + "8.1", pier.prefix + "-gw").err())
                .contains(net + "8.1");
        assertThat(pier.pier("network", "create", "--subnet", net + "7.0/24", "--ip-range", net + "9.0/25", pier.prefix + "-range").err())
                .contains(net + "9.0/25");
        assertThat(pier.pier("network", "create", "--subnet", net + "300.0/24", pier.prefix + "-cidr").err())
                .contains(net + "300.0/24");
        assertThat(pier.pier("network", "create", "--scope", "swarm", pier.prefix + "-swarm").err()).contains("needs a swarm");
        assertThat(pier.pier("network", "create", "--ingress", pier.prefix + "-ingress").err()).contains("need a swarm");
        assertThat(pier.pier("network", "ls", "-q").ok().out()).isEqualTo(before);
        // No bridge got a gateway in a refused subnet (the host's whole bridge list is not compared:
        // other daemons, e.g. a concurrent test run, may add or remove theirs meanwhile).
        assertThat(Pier.sh("ip -o -4 addr").out()).doesNotContain(" " + net + "6.129/").doesNotContain(" " + net + "7.")
                .doesNotContain(" " + net + "8.").doesNotContain(" " + net + "9.");
        assertThat(Pier.sh("ip -o link show type bridge").out().lines().filter(l -> l.contains(pier.prefix)).toList())
                .isEqualTo(linksBefore.lines().filter(l -> l.contains(pier.prefix)).toList());

        assertThat(pier.pier("network", "rm", "bridge").err()).contains("pre-defined network and cannot be removed");
        pier.pier("run", "-d", "--name", "busy", "--network", pier.prefix + "-dup", "busybox", "sleep", "60").ok();
        assertThat(pier.pier("network", "rm", pier.prefix + "-dup").err()).contains("has active endpoints");
        Pier.Result taken = pier.pier("run", "--rm", "--network", pier.prefix + "-dup", "--ip", ip("busy", pier.prefix + "-dup"), "busybox", "true");
        assertThat(taken.exit()).isNotZero();
        assertThat(taken.err()).contains("Address already in use");
        pier.pier("rm", "-f", "busy").ok();
        pier.pier("network", "rm", pier.prefix + "-dup").ok();
        assertThat(pier.pier("network", "ls", "--filter", "type=custom").ok().out().strip().lines().skip(1).toList()).isEmpty();
    }
}
