package dev.pier.linux;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetlinkTest {
    private KernelFixture k;
    private Netlink nl;

    @BeforeEach
    void setUp() throws Exception {
        k = new KernelFixture("plt");
        nl = k.host();
    }

    @AfterEach
    void tearDown() throws Exception {
        String prefix = k.prefix;
        k.close();
        try (Netlink check = Netlink.open()) {
            assertThat(check.links()).extracting(Link::name).noneMatch(n -> n.startsWith(prefix));
        }
    }

    /** Plumbs one "container": veth with its peer born inside ns as eth0, address, default route. */
    private void plumb(NetNamespace ns, String hostEnd, Link bridge, String address, String gateway) {
        nl.addLink(LinkSpec.veth(hostEnd, LinkKind.Peer.named("eth0").in(ns).mtu(1400))
                .master(bridge.index()).mtu(1400).up());
        try (Netlink inside = Netlink.openIn(ns)) {
            Link eth0 = inside.requireLink("eth0");
            inside.batch()
                    .setUp(1, true)
                    .setUp(eth0.index(), true)
                    .addAddress(eth0.index(), IpPrefix.parse(address))
                    .addRoute(Route.defaultVia(IpPrefix.parseAddress(gateway), eth0.index()))
                    .commit();
        }
    }

    @Test
    void twoNamespacesOnABridgeExchangeTcpBytes() throws Exception {
        nl.addLink(LinkSpec.bridge(k.name("br")).mtu(1400).up());
        Link bridge = nl.requireLink(k.name("br"));
        nl.addAddress(bridge.index(), IpPrefix.parse("10.231.7.1/24"));
        NetNamespace a = k.namespace("a");
        NetNamespace b = k.namespace("b");
        plumb(a, k.name("va"), bridge, "10.231.7.2/24", "10.231.7.1");
        plumb(b, k.name("vb"), bridge, "10.231.7.3/24", "10.231.7.1");

        try (Netlink inA = Netlink.openIn(a)) {
            Link eth0 = inA.requireLink("eth0");
            assertThat(eth0.mtu()).isEqualTo(1400);
            assertThat(eth0.isUp()).isTrue();
            assertThat(inA.addresses(4, eth0.index())).extracting(x -> x.prefix().toString()).containsExactly("10.231.7.2/24");
            assertThat(inA.routes(4)).anyMatch(r -> r.isDefault() && r.gateway() != null
                    && r.gateway().getHostAddress().equals("10.231.7.1") && r.outIndex() == eth0.index());
            assertThat(inA.link(k.name("vb"))).isEmpty();
        }
        Link hostEnd = nl.requireLink(k.name("va"));
        assertThat(hostEnd.masterIndex()).isEqualTo(bridge.index());
        assertThat(hostEnd.mtu()).isEqualTo(1400);

        ServerSocket server = a.run(() -> new ServerSocket(7007, 1, InetAddress.getByName("10.231.7.2")));
        try (server) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    String got = new String(in.readNBytes(5), StandardCharsets.US_ASCII);
                    out.write(("ack:" + got).getBytes(StandardCharsets.US_ASCII));
                    return got;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Socket client = b.run(() -> {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("10.231.7.2", 7007), 5000);
                return s;
            });
            try (client) {
                client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                String reply = new String(client.getInputStream().readNBytes(9), StandardCharsets.US_ASCII);
                assertThat(reply).isEqualTo("ack:hello");
                assertThat(client.getLocalAddress().getHostAddress()).isEqualTo("10.231.7.3");
            }
            assertThat(received.get()).isEqualTo("hello");
        }
        // The server socket lives in namespace a: the host has no such address.
        assertThat(nl.addresses(4)).noneMatch(x -> x.prefix().address().getHostAddress().equals("10.231.7.2"));
    }

    @Test
    void refusalsNameTheErrnoAndTheObject() {
        nl.addLink(LinkSpec.bridge(k.name("br")));
        Link bridge = nl.requireLink(k.name("br"));
        nl.addAddress(bridge.index(), IpPrefix.parse("10.231.8.1/24"));

        assertThatThrownBy(() -> nl.addAddress(bridge.index(), IpPrefix.parse("10.231.8.1/24")))
                .isInstanceOf(KernelException.class)
                .hasMessageContaining("EEXIST").hasMessageContaining("10.231.8.1/24")
                .satisfies(e -> assertThat(((KernelException) e).errno()).isEqualTo(KernelException.EEXIST));
        assertThatThrownBy(() -> nl.setUp(k.name("gone")))
                .isInstanceOf(KernelException.class).hasMessageContaining("ENODEV").hasMessageContaining(k.name("gone"));
        assertThatThrownBy(() -> nl.addLink(LinkSpec.bridge(k.name("br"))))
                .isInstanceOf(KernelException.class).hasMessageContaining("EEXIST").hasMessageContaining(k.name("br"));
        assertThatThrownBy(() -> nl.addLink(LinkSpec.bridge("pltnamewaytoolong0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too long").hasMessageContaining("pltnamewaytoolong0");
        assertThatThrownBy(() -> nl.addRoute(Route.via(IpPrefix.parse("10.231.99.0/24"), IpPrefix.parseAddress("10.99.99.99"), bridge.index())))
                .isInstanceOf(KernelException.class).hasMessageContaining("ENETUNREACH").hasMessageContaining("10.231.99.0/24");
        assertThat(nl.link(k.name("gone"))).isEmpty();
        assertThatThrownBy(() -> nl.deleteLinksInGroup(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBatchGoesInOneSendAndReportsTheFirstRefusal() {
        var batch = nl.batch()
                .addLink(LinkSpec.bridge(k.name("b1")).up())
                .addLink(LinkSpec.bridge(k.name("b2")))
                .addLink(LinkSpec.bridge(k.name("b1")))   // refused: exists
                .addLink(LinkSpec.bridge(k.name("b3")));
        assertThat(batch.size()).isEqualTo(4);
        assertThatThrownBy(batch::commit).isInstanceOf(KernelException.class)
                .hasMessageContaining("create link " + k.name("b1")).hasMessageContaining("EEXIST");
        // The kernel went on after the refusal: the caller sees exactly what exists.
        assertThat(nl.link(k.name("b2"))).isPresent();
        assertThat(nl.link(k.name("b3"))).isPresent();
        assertThat(nl.requireLink(k.name("b1")).isUp()).isTrue();
        // The socket stays in step after a partly refused batch.
        nl.batch().deleteLink(k.name("b1")).deleteLink(k.name("b2")).deleteLink(k.name("b3")).commit();
        assertThat(k.leftoverLinks()).isEmpty();
    }

    @Test
    void linkAttributesChangeAndReadBack() {
        nl.addLink(LinkSpec.bridge(k.name("br")));
        Link bridge = nl.requireLink(k.name("br"));
        nl.addLink(LinkSpec.veth(k.name("x0"), LinkKind.Peer.named(k.name("x1")).up()).up());
        MacAddress mac = MacAddress.parse("02:42:0a:e7:09:02");
        nl.setMtu(k.name("x0"), 1280);
        nl.setMac(k.name("x0"), mac);
        nl.setMaster(k.name("x0"), bridge.index());
        nl.setGroup(k.name("x0"), 4321);
        Link x0 = nl.requireLink(k.name("x0"));
        assertThat(x0.kind()).isEqualTo("veth");
        assertThat(x0.mtu()).isEqualTo(1280);
        assertThat(x0.mac()).isEqualTo(mac);
        assertThat(x0.masterIndex()).isEqualTo(bridge.index());
        assertThat(x0.group()).isEqualTo(4321);
        assertThat(x0.linkIndex()).isEqualTo(nl.requireLink(k.name("x1")).index());
        assertThat(nl.requireLink(k.name("x1")).isUp()).isTrue();
        nl.setDown(k.name("x0"));
        assertThat(nl.requireLink(k.name("x0")).isUp()).isFalse();
        nl.setMaster(k.name("x0"), 0);
        assertThat(nl.requireLink(k.name("x0")).masterIndex()).isZero();
        nl.rename(k.name("x0"), k.name("y0"));
        assertThat(nl.link(k.name("x0"))).isEmpty();
        assertThat(nl.requireLink(k.name("y0")).index()).isEqualTo(x0.index());
        assertThat(nl.links()).extracting(Link::name).contains(k.name("y0"), k.name("x1"), k.name("br"));
    }

    @Test
    void aLinkBroughtUpWithoutIpv6LinkLocalGetsNoFe80Address() throws Exception {
        nl.batch().addLink(LinkSpec.veth(k.name("q0"), LinkKind.Peer.named(k.name("q1"))))
                .withoutIpv6LinkLocal(k.name("q0")).setUp(k.name("q0"), true)
                .setUp(k.name("q1"), true)
                .commit();
        int q0 = nl.requireLink(k.name("q0")).index();
        int q1 = nl.requireLink(k.name("q1")).index();
        // The kernel adds the link-local address when the link's carrier comes up, shortly after.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (nl.addresses(6, q1).isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(nl.addresses(6, q1)).as("the control: default addrgenmode").isNotEmpty();
        assertThat(nl.addresses(6, q0)).isEmpty();
    }

    @Test
    void linksMoveIntoANamespaceAndDisappearFromTheHost() {
        NetNamespace ns = k.namespace("m");
        nl.addLink(LinkSpec.veth(k.name("m0"), LinkKind.Peer.named(k.name("m1"))));
        nl.moveTo(k.name("m1"), ns);
        assertThat(nl.link(k.name("m1"))).isEmpty();
        try (Netlink inside = Netlink.openIn(ns)) {
            assertThat(inside.link(k.name("m1"))).isPresent();
            assertThat(inside.links()).extracting(Link::name).containsExactlyInAnyOrder("lo", k.name("m1"));
        }
    }

    @Test
    void macvlanAndVxlanAreCreatedWithTheirParameters() {
        nl.addLink(LinkSpec.bridge(k.name("br")).up());
        Link parent = nl.requireLink(k.name("br"));
        nl.addLink(LinkSpec.of(k.name("mv"), new LinkKind.Macvlan(parent.index(), LinkKind.MacvlanMode.BRIDGE)));
        Link mv = nl.requireLink(k.name("mv"));
        assertThat(mv.kind()).isEqualTo("macvlan");
        assertThat(mv.linkIndex()).isEqualTo(parent.index());

        nl.addLink(LinkSpec.of(k.name("vx"), new LinkKind.Vxlan(4242, parent.index(), IpPrefix.parseAddress("10.231.9.1"), null, 0, false)).mtu(1450));
        Link vx = nl.requireLink(k.name("vx"));
        assertThat(vx.kind()).isEqualTo("vxlan");
        assertThat(vx.mtu()).isEqualTo(1450);
    }

    @Test
    void routesInATableAndOnLinkGatewaysAddListAndDelete() {
        nl.addLink(LinkSpec.bridge(k.name("br")).up());
        Link br = nl.requireLink(k.name("br"));
        nl.addAddress(br.index(), IpPrefix.parse("10.231.10.1/24"));
        nl.addAddress(br.index(), IpPrefix.parse("fd31:7::1/64"));
        Route inTable = Route.via(IpPrefix.parse("10.231.11.0/24"), IpPrefix.parseAddress("10.231.10.9"), br.index()).inTable(31007);
        Route onLink = Route.via(IpPrefix.parse("10.231.12.0/24"), IpPrefix.parseAddress("192.0.2.77"), br.index()).onLink();
        Route v6 = Route.via(IpPrefix.parse("fd31:8::/64"), IpPrefix.parseAddress("fd31:7::9"), br.index());
        nl.batch().addRoute(inTable).addRoute(onLink).addRoute(v6).commit();

        List<Route> v4 = nl.routes(4).stream().filter(r -> r.outIndex() == br.index()).toList();
        assertThat(v4).anyMatch(r -> r.table() == 31007 && r.destination().toString().equals("10.231.11.0/24"));
        assertThat(v4).anyMatch(r -> r.gatewayOnLink() && r.gateway().getHostAddress().equals("192.0.2.77"));
        assertThat(nl.routes(6)).anyMatch(r -> r.destination() != null && r.destination().toString().equals("fd31:8::/64"));
        assertThat(nl.addresses(6, br.index())).extracting(a -> a.prefix().toString()).contains("fd31:7::1/64");

        nl.batch().deleteRoute(inTable).deleteRoute(onLink).deleteRoute(v6).commit();
        assertThat(nl.routes(0)).noneMatch(r -> r.outIndex() == br.index() && r.protocol() == 4);
        nl.deleteAddress(br.index(), IpPrefix.parse("10.231.10.1/24"));
        assertThat(nl.addresses(4, br.index())).isEmpty();
    }

    @Test
    void oneRequestDeletesAWholeInterfaceGroup() {
        int group = 30000 + (k.prefix.hashCode() & 0xFFF);
        var batch = nl.batch();
        for (int i = 0; i < 20; i++) batch.addLink(LinkSpec.veth(k.name("g" + i), LinkKind.Peer.named(k.name("h" + i))).group(group));
        batch.commit();
        assertThat(k.leftoverLinks()).hasSize(40);
        nl.deleteLinksInGroup(group);
        assertThat(k.leftoverLinks()).isEmpty();
    }
}
