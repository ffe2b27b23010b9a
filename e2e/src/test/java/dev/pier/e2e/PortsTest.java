package dev.pier.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Published ports with real connections: from the host to its bridge address and to 127.0.0.1,
 * from another container through the host (hairpin), and from "the outside", a namespace of the
 * test's own behind a veth. Never to an address the test or its daemon did not make.
 */
class PortsTest {
    static Pier pier;
    static String outside;
    static String hostEnd;
    static String net;       // "10.x.y.": the veth pair is net+1 (host) and net+2 (outside)
    static String gateway;   // the default bridge's address on the host

    @BeforeAll
    static void start() throws Exception {
        pier = new Pier();
        outside = pier.prefix + "pout";
        hostEnd = pier.prefix + "p0";
        net = "10.252." + (pier.subnetPrefix.hashCode() & 0xFF) + ".";
        gateway = pier.subnetPrefix + "1";
        Pier.sh("ip netns add " + outside + " && ip link add " + hostEnd + " type veth peer name eth0 netns " + outside
                + " && ip addr add " + net + "1/30 dev " + hostEnd + " && ip link set " + hostEnd + " up"
                + " && ip -n " + outside + " addr add " + net + "2/30 dev eth0 && ip -n " + outside + " link set eth0 up"
                + " && ip -n " + outside + " link set lo up").ok();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            Pier.sh("ip link del " + hostEnd + "; ip netns del " + outside);
        } finally {
            if (pier != null) pier.close();
        }
        assertThat(pier.leftovers()).isEmpty();
    }

    @AfterEach
    void clean() {
        pier.removeAllContainers();
    }

    // ---------------------------------------------------------------- helpers

    /** A port the kernel says is free now, outside the ephemeral range the daemon picks from. */
    private static int freePort() throws IOException {
        for (int i = 0; i < 100; i++) {
            int port = 20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(8000);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("0.0.0.0", port));
                try (ServerSocket s2 = new ServerSocket()) {
                    s2.bind(new InetSocketAddress("0.0.0.0", port + 1));
                }
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port");
    }

    /** A container that answers "hello" to every TCP connection on port 80. */
    private String helloServer(String... publish) {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        for (String p : publish) {
            args.add("-p");
            args.add(p);
        }
        args.addAll(List.of("busybox", "nc", "-ll", "-p", "80", "-e", "echo", "hello"));
        return pier.pier(args.toArray(String[]::new)).ok().out().strip();
    }

    /** One attempt only: for addresses that must not answer. */
    private static String fetchOnce(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            s.setSoTimeout(1500);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static String fromOutside(String host, int port) {
        for (int i = 0; i < 10; i++) {
            String got = Pier.sh("ip netns exec " + outside + " busybox nc -w 2 " + host + " " + port + " </dev/null").out().strip();
            if (!got.isEmpty()) return got;
            sleep(200);
        }
        return "";
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String elements() {
        return Pier.sh("nft list map inet " + pier.table + " published_any; nft list map inet " + pier.table + " published_addr").ok().out();
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("0.0.0.0", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- tests

    @Test
    void aPublishedPortAnswersOnTheHostsAddressesOnLoopbackFromOutsideAndFromAnotherContainer() throws Exception {
        int port = freePort();
        String id = helloServer(port + ":80");
        assertThat(Pier.fetch(gateway, port)).isEqualTo("hello");
        assertThat(Pier.fetch("127.0.0.1", port)).isEqualTo("hello");
        assertThat(Pier.fetch(net + "1", port)).as("another host address").isEqualTo("hello");
        assertThat(fromOutside(net + "1", port)).as("from outside, through the veth").isEqualTo("hello");
        String containerIp = pier.pier("inspect", "-f", "{{.NetworkSettings.IPAddress}}", id).ok().out().strip();
        Pier.sh("ip -n " + outside + " route replace " + pier.subnetPrefix + "0/24 via " + net + "1").ok();
        assertThat(Pier.sh("ip netns exec " + outside + " busybox nc -w 2 " + containerIp + " 80 </dev/null").out())
                .as("the container's own address is not reachable from outside").isEmpty();
        String hairpin = pier.pier("run", "--rm", "busybox", "sh", "-c",
                "for i in 1 2 3 4 5; do nc -w 2 " + gateway + " " + port + " </dev/null && exit 0; sleep 0.3; done; exit 1").ok().out();
        assertThat(hairpin.strip()).as("hairpin, through the host's address").isEqualTo("hello");

        assertThat(pier.pier("port", id).ok().out()).isEqualTo("80/tcp -> 0.0.0.0:" + port + "\n");
        assertThat(pier.pier("port", id, "80").ok().out()).isEqualTo("0.0.0.0:" + port + "\n");
        assertThat(pier.pier("ps", "--format", "{{.Ports}}").ok().out()).contains("0.0.0.0:" + port + "->80/tcp");
        assertThat(pier.pier("inspect", "-f", "{{json .NetworkSettings.Ports}}", id).ok().out().strip())
                .isEqualTo("{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"" + port + "\"}]}");
        assertThat(pier.pier("inspect", "-f", "{{json .HostConfig.PortBindings}}", id).ok().out().strip())
                .isEqualTo("{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"" + port + "\"}]}");
        assertThat(bindable(port)).as("pierd holds the port").isFalse();
        assertThat(elements()).contains("tcp . " + port + " : ");

        pier.pier("stop", "-t", "1", id).ok();
        assertThat(elements()).doesNotContain(" . " + port + " : ");
        assertThat(bindable(port)).as("released at stop").isTrue();
        assertThat(pier.pier("inspect", "-f", "{{json .NetworkSettings.Ports}}", id).ok().out().strip()).isEqualTo("{}");
        pier.pier("start", id).ok();
        assertThat(Pier.fetch("127.0.0.1", port)).as("published again at start").isEqualTo("hello");
        pier.pier("rm", "-f", id).ok();
        assertThat(elements()).doesNotContain(" . " + port + " : ");
        assertThat(bindable(port)).as("released at rm").isTrue();

        // Leaving the network the ports lead to takes them away too.
        String again = helloServer(port + ":80");
        assertThat(Pier.fetch("127.0.0.1", port)).isEqualTo("hello");
        pier.pier("network", "disconnect", "bridge", again).ok();
        assertThat(elements()).doesNotContain(" . " + port + " : ");
        assertThat(bindable(port)).as("released at disconnect").isTrue();
        assertThat(pier.pier("port", again).ok().out()).isEmpty();
    }

    /**
     * IPv6: on a network with IPv6 the default binding takes the port on both families, an IPv6
     * address binds that address alone; connections from the host and from an outside namespace,
     * over IPv6, through the ip6 DNAT maps.
     */
    @Test
    void ipv6BindingsAnswerOverIpv6AndTheDefaultBindingTakesBothFamilies() throws Exception {
        int h = pier.prefix.hashCode() & 0xFFFF;
        String v6 = "fd45:" + Integer.toHexString(h) + "::", outside6 = "fd46:" + Integer.toHexString(h) + "::";
        String network = pier.prefix + "-p6";
        pier.pier("network", "create", "--ipv6", "--subnet", "10.251." + (h & 0xFF) + ".0/24", "--subnet", v6 + "/64", network).ok();
        try {
            int port = freePort(), port6 = port + 1;
            String id = pier.pier("run", "-d", "--network", network, "-p", port + ":80", "-p", "[" + v6 + "1]:" + port6 + ":80",
                    "busybox", "nc", "-ll", "-p", "80", "-e", "echo", "hello").ok().out().strip();
            assertThat(Pier.fetch(v6 + "1", port)).as("the default binding, over IPv6 to the gateway").isEqualTo("hello");
            assertThat(Pier.fetch("127.0.0.1", port)).as("the default binding, over IPv4").isEqualTo("hello");
            assertThat(Pier.fetch(v6 + "1", port6)).as("a binding to one IPv6 address").isEqualTo("hello");
            assertThat(fetchOnce("127.0.0.1", port6)).as("that one is not on IPv4").isEmpty();
            assertThat(fetchOnce("::1", port)).as("::1 cannot be sent to a container: refused").isEmpty();

            // From outside, over IPv6, to another address of the host (the outside end forwards on its own).
            Pier.sh("ip addr add " + outside6 + "1/64 dev " + hostEnd + " nodad && ip -n " + outside + " addr add " + outside6
                    + "2/64 dev eth0 nodad && ip -n " + outside + " route add " + v6 + "/64 via " + outside6 + "1").ok();
            if (Pier.sh("test -e /proc/sys/net/ipv6/conf/all/force_forwarding").exit() == 0) {
                Pier.sh("sysctl -qw net.ipv6.conf." + hostEnd + ".force_forwarding=1").ok();
                assertThat(fromOutside(outside6 + "1", port)).as("from outside, over IPv6").isEqualTo("hello");
                String containerIp6 = pier.pier("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.GlobalIPv6Address}}{{end}}", id)
                        .ok().out().strip();
                assertThat(containerIp6).startsWith(v6);
                assertThat(Pier.sh("ip netns exec " + outside + " busybox nc -w 2 " + containerIp6 + " 80 </dev/null").out())
                        .as("the container's own IPv6 address is not reachable from outside").isEmpty();
            }

            assertThat(pier.pier("inspect", "-f", "{{json .NetworkSettings.Ports}}", id).ok().out().strip())
                    .isEqualTo("{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"" + port + "\"},{\"HostIp\":\"::\",\"HostPort\":\""
                            + port + "\"},{\"HostIp\":\"" + v6 + "1\",\"HostPort\":\"" + port6 + "\"}]}");
            assertThat(pier.pier("port", id, "80").ok().out()).contains("[::]:" + port + "\n").contains("[" + v6 + "1]:" + port6 + "\n");
            assertThat(elements6()).contains("tcp . " + port + " : " + v6).contains(v6 + "1 . tcp . " + port6 + " : ");
            pier.pier("rm", "-f", id).ok();
            assertThat(elements6()).doesNotContain(" . " + port + " : ").doesNotContain(" . " + port6 + " : ");
        } finally {
            pier.removeAllContainers();
            pier.pier("network", "rm", network);
            Pier.sh("ip addr flush dev " + hostEnd + " scope global; ip addr add " + net + "1/30 dev " + hostEnd
                    + "; ip -n " + outside + " -6 addr flush dev eth0 scope global");
        }

        // A network without IPv6: the default binding is IPv4 alone, an IPv6 one is refused, ::1 always.
        int port = freePort();
        String v4only = helloServer(port + ":80");
        assertThat(pier.pier("inspect", "-f", "{{json .NetworkSettings.Ports}}", v4only).ok().out().strip())
                .isEqualTo("{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"" + port + "\"}]}");
        Pier.Result refused = pier.pier("run", "-d", "-p", "[::]:" + (port + 1) + ":80", "busybox", "sleep", "60");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("no IPv6 address");
        Pier.Result loopback = pier.pier("run", "-d", "-p", "[::1]:" + (port + 1) + ":80", "busybox", "sleep", "60");
        assertThat(loopback.exit()).isNotZero();
        assertThat(loopback.err()).contains("IPv6 loopback");
    }

    private static String elements6() {
        return Pier.sh("nft list map inet " + pier.table + " published6_any; nft list map inet " + pier.table + " published6_addr").ok().out();
    }

    @Test
    void aLoopbackBindingIsNotReachableThroughAnyOtherAddress() throws Exception {
        int port = freePort();
        String id = helloServer("127.0.0.1:" + port + ":80");
        assertThat(Pier.fetch("127.0.0.1", port)).isEqualTo("hello");
        assertThat(fetchOnce(gateway, port)).isEmpty();
        assertThat(fetchOnce(net + "1", port)).isEmpty();
        assertThat(Pier.sh("ip netns exec " + outside + " busybox nc -w 2 " + net + "1 " + port + " </dev/null").out()).isEmpty();
        assertThat(pier.pier("port", id).ok().out()).isEqualTo("80/tcp -> 127.0.0.1:" + port + "\n");
        assertThat(elements()).contains("127.0.0.1 . tcp . " + port + " : ");
    }

    /** com.docker.network.bridge.host_binding_ipv4: where the network's ports bind when -p names no address. */
    @Test
    void aNetworksHostBindingAddressIsWherePortsWithoutOneBind() throws Exception {
        String network = pier.prefix + "-hb";
        pier.pier("network", "create", "-o", "com.docker.network.bridge.host_binding_ipv4=127.0.0.1", network).ok();
        try {
            int port = freePort();
            String id = pier.pier("run", "-d", "--network", network, "-p", port + ":80",
                    "busybox", "nc", "-ll", "-p", "80", "-e", "echo", "hello").ok().out().strip();
            assertThat(pier.pier("port", id).ok().out()).isEqualTo("80/tcp -> 127.0.0.1:" + port + "\n");
            assertThat(Pier.fetch("127.0.0.1", port)).isEqualTo("hello");
            String networkGateway = pier.pier("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Gateway}}{{end}}", network).ok().out().strip();
            assertThat(fetchOnce(networkGateway, port)).as("not on the network's other addresses").isEmpty();
            pier.pier("rm", "-f", id).ok();
            assertThat(pier.pier("network", "create", "-o", "com.docker.network.bridge.host_binding_ipv4=nowhere", network + "x").err())
                    .contains("invalid value for com.docker.network.bridge.host_binding_ipv4: nowhere");
        } finally {
            pier.pier("network", "rm", network);
        }
    }

    @Test
    void udpIsPublishedToo() throws Exception {
        int port = freePort();
        String id = pier.pier("run", "-d", "-p", port + ":53/udp", "busybox", "sleep", "60").ok().out().strip();
        // The image has no UDP server: a Python echo runs in the container's network namespace.
        String sandbox = pier.pier("inspect", "-f", "{{.NetworkSettings.SandboxID}}", id).ok().out().strip();
        Process echo = new ProcessBuilder("nsenter", "--net=" + pier.execRoot.resolve("netns").resolve(sandbox), "/usr/bin/python3", "-c",
                "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',53))\n"
                        + "while True:\n d,a=s.recvfrom(512)\n s.sendto(b'pong '+d,a)\n")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (DatagramSocket client = new DatagramSocket()) {
            client.setSoTimeout(500);
            for (String host : List.of("127.0.0.1", gateway)) {
                String answer = "";
                for (int i = 0; i < 20 && answer.isEmpty(); i++) {
                    byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
                    client.send(new DatagramPacket(ping, ping.length, InetAddress.getByName(host), port));
                    DatagramPacket in = new DatagramPacket(new byte[512], 512);
                    try {
                        client.receive(in);
                        answer = new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
                    } catch (java.net.SocketTimeoutException e) {
                        // not yet
                    }
                }
                assertThat(answer).as("via " + host).isEqualTo("pong ping");
            }
        } finally {
            echo.destroyForcibly();
            echo.waitFor();
        }
        assertThat(pier.pier("port", id, "53/udp").ok().out()).isEqualTo("0.0.0.0:" + port + "\n");
        assertThat(elements()).contains("udp . " + port + " : ");
        // The flows' conntrack entries go with the container: they would steer datagrams to it still.
        assertThat(udpFlows(port)).isNotEmpty();
        pier.pier("rm", "-f", id).ok();
        assertThat(udpFlows(port)).isEmpty();
    }

    private static java.util.List<String> udpFlows(int port) throws IOException {
        return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/nf_conntrack")).stream()
                .filter(l -> l.contains(" udp ") && l.contains(" dport=" + port + " ")).toList();
    }

    @Test
    void aRangeGivesAFreePortAndEqualRangesMapPortByPort() throws Exception {
        int first = freePort();
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("0.0.0.0", first));
            String id = helloServer(first + "-" + (first + 1) + ":80");
            assertThat(pier.pier("port", id, "80").ok().out()).isEqualTo("0.0.0.0:" + (first + 1) + "\n");
            assertThat(Pier.fetch("127.0.0.1", first + 1)).isEqualTo("hello");
        }
        int base = freePort();
        String id = pier.pier("run", "-d", "-p", base + "-" + (base + 1) + ":80-81", "busybox", "sleep", "60").ok().out().strip();
        assertThat(pier.pier("port", id).ok().out())
                .isEqualTo("80/tcp -> 0.0.0.0:" + base + "\n81/tcp -> 0.0.0.0:" + (base + 1) + "\n");
    }

    @Test
    void publishAllGivesEveryExposedPortARandomPortFromTheEphemeralRange() {
        String id = pier.pier("run", "-d", "--expose", "80", "--expose", "90/udp", "-P",
                "busybox", "nc", "-ll", "-p", "80", "-e", "echo", "hello").ok().out().strip();
        String[] range = Pier.sh("cat /proc/sys/net/ipv4/ip_local_port_range").ok().out().strip().split("\\s+");
        String line = pier.pier("port", id, "80/tcp").ok().out().strip();
        int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
        assertThat(port).isBetween(Integer.parseInt(range[0]), Integer.parseInt(range[1]));
        assertThat(Pier.fetch("127.0.0.1", port)).isEqualTo("hello");
        assertThat(pier.pier("port", id).ok().out()).contains("90/udp -> 0.0.0.0:");
        // An exposed port without -P is listed, unpublished.
        String quiet = pier.pier("run", "-d", "--expose", "7000", "busybox", "sleep", "60").ok().out().strip();
        assertThat(pier.pier("inspect", "-f", "{{json .NetworkSettings.Ports}}", quiet).ok().out().strip())
                .isEqualTo("{\"7000/tcp\":null}");
        assertThat(pier.pier("ps", "--filter", "id=" + quiet, "--format", "{{.Ports}}").ok().out().strip()).isEqualTo("7000/tcp");
        // ps filters by published and by exposed container ports, as Docker's does (ranges too).
        String published = pier.pier("ps", "-q", "--no-trunc", "--filter", "publish=90/udp").ok().out().strip();
        assertThat(published).isEqualTo(id);
        assertThat(pier.pier("ps", "-q", "--no-trunc", "--filter", "publish=85-95/udp").ok().out().strip()).isEqualTo(id);
        assertThat(pier.pier("ps", "-q", "--filter", "publish=90").ok().out()).as("tcp unless told").isBlank();
        assertThat(pier.pier("ps", "-q", "--no-trunc", "--filter", "expose=7000").ok().out().strip()).isEqualTo(quiet);
        assertThat(pier.pier("ps", "-q", "--no-trunc", "--filter", "publish=7000").ok().out()).isBlank();
        // and by order of creation.
        assertThat(pier.pier("ps", "-q", "--no-trunc", "--filter", "since=" + id).ok().out().strip()).isEqualTo(quiet);
        assertThat(pier.pier("ps", "-q", "--no-trunc", "--filter", "before=" + quiet, "--filter", "publish=80").ok().out().strip()).isEqualTo(id);
        Pier.Result hostPart = pier.pier("ps", "--filter", "publish=8080:80");
        assertThat(hostPart.exit()).isNotZero();
        assertThat(hostPart.err()).contains("filter for 'publish' should not contain ':'");
    }

    @Test
    void aPortAlreadyPublishedOrInUseFailsTheStartAndLeavesNothing() throws Exception {
        int port = freePort();
        helloServer(port + ":80");
        String before = elements();
        Pier.Result second = pier.pier("run", "-d", "--name", pier.prefix + "second", "-p", port + ":80", "busybox", "sleep", "60");
        assertThat(second.exit()).isNotZero();
        assertThat(second.err()).contains("Bind for 0.0.0.0:" + port + " failed: port is already allocated");
        assertThat(pier.pier("inspect", "-f", "{{.State.Running}}", pier.prefix + "second").ok().out().strip()).isEqualTo("false");
        assertThat(elements()).isEqualTo(before);

        int held = freePort();
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("127.0.0.1", held));
            Pier.Result third = pier.pier("run", "-d", "-p", held + ":80", "-p", (held + 1) + ":81", "busybox", "sleep", "60");
            assertThat(third.exit()).isNotZero();
            assertThat(third.err()).contains("Bind for 0.0.0.0:" + held + " failed: port is already allocated");
        }
        assertThat(elements()).isEqualTo(before);
        assertThat(bindable(held + 1)).as("the ports taken before the failure are released").isTrue();
        assertThat(pier.pier("run", "-d", "-p", "1.2.3:80:80", "busybox", "true").exit()).isNotZero();
    }

    @Test
    void aDaemonRestartHoldsAndMapsTheRunningContainersPortsAgain() throws Exception {
        int port = freePort();
        String id = helloServer(port + ":80");
        assertThat(Pier.fetch("127.0.0.1", port)).isEqualTo("hello");
        pier.killDaemon();
        pier.startDaemon();
        assertThat(elements()).contains("tcp . " + port + " : ");
        assertThat(bindable(port)).as("held again").isFalse();
        assertThat(Pier.fetch("127.0.0.1", port)).isEqualTo("hello");
        assertThat(pier.pier("port", id).ok().out()).isEqualTo("80/tcp -> 0.0.0.0:" + port + "\n");
        pier.pier("rm", "-f", id).ok();
        assertThat(elements()).doesNotContain(" . " + port + " : ");
        assertThat(bindable(port)).isTrue();
    }

    /** The table's rules: statements in chains, not map elements. */
    private static long ruleCount() {
        return Pier.sh("nft list table inet " + pier.table).ok().out().lines().map(String::strip)
                .filter(l -> !l.contains(" : ") && l.matches(".*\\b(dnat|drop|accept|masquerade|jump)$")).count();
    }

    @Test
    void aThousandPortsStartAtOnceAndAddNoRule() throws Exception {
        int base = 0;
        for (int attempt = 0; attempt < 20 && base == 0; attempt++) {
            int candidate = 20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(9) * 1000;
            boolean free = true;
            for (int p = candidate; p < candidate + 1000 && free; p++) free = bindable(p);
            if (free) base = candidate;
        }
        assertThat(base).as("a free block of 1000 ports").isNotZero();
        long rules = ruleCount();
        int last = base + 999;
        long t0 = System.nanoTime();
        String id = pier.pier("run", "-d", "-p", base + "-" + last + ":" + base + "-" + last,
                "busybox", "nc", "-ll", "-p", Integer.toString(last), "-e", "echo", "hello").ok().out().strip();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(millis).as("pier run -d with 1000 published ports, in ms").isLessThan(5000);
        assertThat(ruleCount()).as("rules do not grow with ports").isEqualTo(rules);
        assertThat(Pier.fetch("127.0.0.1", last)).isEqualTo("hello");
        assertThat(pier.pier("port", id).ok().out().lines().count()).isEqualTo(1000);
        assertThat(bindable(base + 500)).isFalse();
        pier.pier("rm", "-f", id).ok();
        assertThat(elements()).doesNotContain("elements");
        assertThat(bindable(base + 500)).isTrue();
        System.out.println("1000 published ports: pier run -d took " + millis + " ms");
    }

    @Test
    void theAdministratorsRulesApplyToPublishedPortsBeforePiersAndOutliveItsRewrites() throws Exception {
        int port = freePort();
        helloServer(port + ":80");
        assertThat(fromOutside(net + "1", port)).isEqualTo("hello");
        String user = "inet " + pier.table + "_user";
        try {
            Pier.sh("nft add rule " + user + " forward ip saddr " + net + "2 meta l4proto tcp ct original proto-dst " + port + " drop").ok();
            // A network comes: Pier rewrites its own table, not the administrator's.
            pier.pier("network", "create", "--subnet", "10.254." + (pier.prefix.hashCode() & 0xFF) + ".0/24", pier.prefix + "-pn").ok();
            assertThat(Pier.sh("ip netns exec " + outside + " busybox nc -w 2 " + net + "1 " + port + " </dev/null").out()).isEmpty();
            assertThat(Pier.fetch(gateway, port)).as("the host itself is not forwarded").isEqualTo("hello");
        } finally {
            Pier.sh("nft flush chain " + user + " forward");
            pier.pier("network", "rm", pier.prefix + "-pn");
        }
        assertThat(fromOutside(net + "1", port)).isEqualTo("hello");
    }
}
