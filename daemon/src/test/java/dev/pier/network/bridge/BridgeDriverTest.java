package dev.pier.network.bridge;

import dev.pier.linux.IpPrefix;
import dev.pier.linux.KernelException;
import dev.pier.linux.Link;
import dev.pier.linux.LinkKind;
import dev.pier.linux.LinkSpec;
import dev.pier.linux.NetNamespace;
import dev.pier.linux.Netlink;
import dev.pier.network.EndpointSpec;
import dev.pier.network.NetworkPlan;
import dev.pier.network.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bridges on the real kernel: a removed network's bridge is renamed, kept a moment, reused or deleted. */
class BridgeDriverTest {
    private final String prefix = "pbt" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    private final int group = 0x51000000 | ThreadLocalRandom.current().nextInt(0xFFFFFF);
    private final Netlink host = Netlink.open();

    private static NetworkPlan plan(String bridge, String gateway, int mtu) {
        IpPrefix gw = IpPrefix.parse(gateway);
        IpPrefix subnet = IpPrefix.parse(gateway.replaceAll("\\.\\d+/", ".0/"));
        return new NetworkPlan("id-" + bridge, bridge, "bridge", bridge, mtu, List.of(gw), List.of(subnet), false, true, true, false, List.of());
    }

    @AfterEach
    void cleanUp() {
        for (Link l : host.links()) {
            if (!l.name().startsWith(prefix) && l.group() != group) continue;
            try {
                host.deleteLink(l.index());
            } catch (KernelException e) {
                if (e.errno() != KernelException.ENODEV) throw e;   // a veth's peer, gone with it
            }
        }
        host.close();
    }

    private List<Link> spares() {
        return host.links().stream().filter(l -> l.group() == group).toList();
    }

    @Test
    void theNextNetworkTakesTheRemovedOnesBridgeAsNew() {
        BridgeDriver driver = new BridgeDriver(host, group, Duration.ofMinutes(1));
        NetworkPlan first = plan(prefix + "a", "10.241.1.1/24", 1500);
        driver.createNetwork(first);
        int index = host.requireLink(prefix + "a").index();
        driver.deleteNetwork(first);
        // Gone by name at once, and without its address; kept down, tagged with the daemon's group.
        assertThat(host.link(prefix + "a")).isEmpty();
        assertThat(spares()).singleElement().satisfies(spare -> {
            assertThat(spare.index()).isEqualTo(index);
            assertThat(spare.isUp()).isFalse();
            assertThat(host.addresses(4, index)).isEmpty();
        });

        NetworkPlan second = plan(prefix + "b", "10.241.2.1/24", 1400);
        driver.createNetwork(second);
        Link reused = host.requireLink(prefix + "b");
        assertThat(reused.index()).isEqualTo(index);
        assertThat(reused.isUp()).isTrue();
        assertThat(reused.mtu()).isEqualTo(1400);
        assertThat(reused.group()).isZero();
        assertThat(host.addresses(4, index)).extracting(a -> a.prefix().toString()).containsExactly("10.241.2.1/24");
        assertThat(spares()).isEmpty();

        driver.deleteNetwork(second);
        driver.awaitDeletions();
        assertThat(spares()).isEmpty();
        assertThat(host.link(index)).isEmpty();
    }

    /** What the last network set on a spare does not carry over: route_localnet off, IPv6 forwarding as the new network needs. */
    @Test
    void aTakenSpareForgetsItsLastNetworksSysctls() throws Exception {
        BridgeDriver driver = new BridgeDriver(host, group, Duration.ofMinutes(1));
        NetworkPlan first = plan(prefix + "c", "10.241.3.1/24", 1500);
        driver.createNetwork(first);
        java.nio.file.Path localnet = java.nio.file.Path.of("/proc/sys/net/ipv4/conf/" + prefix + "c/route_localnet");
        java.nio.file.Files.writeString(localnet, "1"); // as a port published on 127.0.0.1 leaves it
        driver.deleteNetwork(first);

        IpPrefix v6 = IpPrefix.parse("fd41:3::1/64");
        NetworkPlan second = new NetworkPlan("id-" + prefix + "d", prefix + "d", "bridge", prefix + "d", 1500,
                List.of(IpPrefix.parse("10.241.4.1/24"), v6), List.of(IpPrefix.parse("10.241.4.0/24"), IpPrefix.parse("fd41:3::/64")),
                false, true, true, false, List.of());
        driver.createNetwork(second);
        assertThat(spares()).as("the spare was taken").isEmpty();
        assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/conf/" + prefix + "d/route_localnet")).strip())
                .isEqualTo("0");
        java.nio.file.Path forwarding = java.nio.file.Path.of("/proc/sys/net/ipv6/conf/" + prefix + "d/force_forwarding");
        if (java.nio.file.Files.exists(forwarding)) assertThat(java.nio.file.Files.readString(forwarding).strip()).isEqualTo("1");
        driver.deleteNetwork(second);
        driver.awaitDeletions();
    }

    @Test
    void aSpareNobodyTakesIsDeletedAfterItsLifetime() throws InterruptedException {
        BridgeDriver driver = new BridgeDriver(host, group, Duration.ofMillis(100));
        NetworkPlan net = plan(prefix + "c", "10.241.3.1/24", 1500);
        driver.createNetwork(net);
        driver.deleteNetwork(net);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!spares().isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(spares()).isEmpty();
        // Without a spare, a new network gets a bridge of its own.
        driver.createNetwork(plan(prefix + "d", "10.241.4.1/24", 1500));
        assertThat(host.link(prefix + "d")).isPresent();
    }

    @Test
    void aSpareCannotTakeANameSomeoneElseHas() {
        BridgeDriver driver = new BridgeDriver(host, group, Duration.ofMinutes(1));
        NetworkPlan first = plan(prefix + "e", "10.241.5.1/24", 1500);
        driver.createNetwork(first);
        driver.deleteNetwork(first);
        // A bridge of that name exists already (not the spare): the network adopts it, the spare is deleted.
        NetworkPlan taken = plan(prefix + "f", "10.241.6.1/24", 1500);
        host.addLink(dev.pier.linux.LinkSpec.bridge(prefix + "f"));
        int theirs = host.requireLink(prefix + "f").index();
        driver.createNetwork(taken);
        assertThat(host.requireLink(prefix + "f").index()).isEqualTo(theirs);
        driver.awaitDeletions();
        assertThat(spares()).isEmpty();
    }

    @Test
    void aJoinReplacesItsOwnEndpointsLeftOverVethButNobodyElses() {
        BridgeDriver driver = new BridgeDriver(host, group, Duration.ofMinutes(1));
        NetworkPlan net = plan(prefix + "g", "10.241.7.1/24", 1500);
        driver.createNetwork(net);
        // What a container started again at once may meet: its previous pair, whose namespace the kernel
        // is still destroying, tagged with this daemon's group.
        String ours = prefix + "o";
        host.addLink(LinkSpec.veth(ours, LinkKind.Peer.named(prefix + "op")).group(group));
        String theirs = prefix + "t";
        host.addLink(LinkSpec.veth(theirs, LinkKind.Peer.named(prefix + "tp")));
        Path netns = Path.of("/run/netns");
        String nsName = prefix + "ns";
        try (Sandbox sandbox = new Sandbox(NetNamespace.create(netns, nsName))) {
            driver.join(net, new EndpointSpec("c", "eth0", ours, null, IpPrefix.parse("10.241.7.2/24"), null, null, null), sandbox);
            assertThat(host.requireLink(ours).masterIndex()).isEqualTo(host.requireLink(prefix + "g").index());
            assertThat(host.link(prefix + "op")).as("the old pair is gone").isEmpty();

            EndpointSpec other = new EndpointSpec("c", "eth1", theirs, null, IpPrefix.parse("10.241.7.3/24"), null, null, null);
            assertThatThrownBy(() -> driver.join(net, other, sandbox)).isInstanceOf(KernelException.class);
            assertThat(host.link(theirs)).as("not ours to remove").isPresent();
            assertThat(host.link(prefix + "tp")).isPresent();
        } finally {
            NetNamespace.delete(netns, nsName);
        }
    }
}
