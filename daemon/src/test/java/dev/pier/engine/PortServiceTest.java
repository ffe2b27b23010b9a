package dev.pier.engine;

import dev.pier.firewall.Firewall;
import dev.pier.network.NetworkPlan;
import dev.pier.ports.HostPorts;
import dev.pier.ports.PortAllocator;
import dev.pier.ports.PortRequest;
import dev.pier.ports.PortUnavailableException;
import dev.pier.ports.Protocol;
import dev.pier.ports.PublishedPort;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Publication as a whole, on 127.0.0.1 with real binds and a firewall that records what it is told. */
class PortServiceTest {
    /** The firewall's view: elements by owner. */
    static final class RecordingFirewall implements Firewall {
        final Map<String, List<PublishedPort>> published = new LinkedHashMap<>();
        boolean fail;

        @Override public void apply(List<NetworkPlan> networks, Set<String> isolatedPorts) {}
        @Override public void isolatePort(String hostInterface) {}
        @Override public void releasePort(String hostInterface) {}
        @Override public void link(dev.pier.firewall.Link link) {}
        @Override public void removeAll() {}

        @Override
        public void publish(String owner, List<PublishedPort> ports) {
            if (fail) throw new IllegalStateException("nft said no");
            published.computeIfAbsent(owner, k -> new ArrayList<>()).addAll(ports);
        }

        @Override
        public void unpublish(String owner) {
            published.remove(owner);
        }
    }

    private final RecordingFirewall firewall = new RecordingFirewall();
    private final HostPorts held = new HostPorts();
    private final List<String> localnet = new ArrayList<>();
    private final List<PublishedPort> forgotten = new ArrayList<>();
    private final PortService ports = new PortService(new PortAllocator(40000, 40010, new BitSet()), held, firewall, localnet::add,
            forgotten::add);

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void publishesHoldsAndUndoesTogether() throws Exception {
        int port = freePort();
        List<PublishedPort> got = ports.publish("c1", List.of(PortRequest.parse("80/tcp", "127.0.0.1", Integer.toString(port))),
                "10.9.0.2", "", "pbr0");
        assertThat(got).containsExactly(new PublishedPort(Protocol.TCP, 80, "127.0.0.1", port, "10.9.0.2"));
        assertThat(firewall.published).containsEntry("c1", got);
        assertThat(localnet).containsExactly("pbr0");
        assertThat(bindable(port)).isFalse();
        ports.unpublish("c1");
        assertThat(firewall.published).isEmpty();
        assertThat(bindable(port)).isTrue();
        assertThat(forgotten).as("TCP flows end by themselves").isEmpty();
        List<PublishedPort> udp = ports.publish("c2", List.of(PortRequest.parse("53/udp", "127.0.0.1", Integer.toString(port))),
                "10.9.0.2", "", "pbr0");
        ports.unpublish("c2");
        assertThat(forgotten).isEqualTo(udp);
    }

    @Test
    void aFailureLeavesNoPortHeldAndNoElement() throws Exception {
        int free = freePort();
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            int taken = other.getLocalPort();
            assertThatThrownBy(() -> ports.publish("c1", List.of(
                    PortRequest.parse("80/tcp", "127.0.0.1", Integer.toString(free)),
                    PortRequest.parse("81/tcp", "127.0.0.1", Integer.toString(taken))), "10.9.0.2", "", "pbr0"))
                    .isInstanceOf(PortUnavailableException.class)
                    .hasMessage("Bind for 127.0.0.1:" + taken + " failed: port is already allocated");
        }
        assertThat(bindable(free)).isTrue();
        assertThat(firewall.published).isEmpty();
        firewall.fail = true;
        assertThatThrownBy(() -> ports.publish("c1", List.of(PortRequest.parse("80/tcp", "127.0.0.1", Integer.toString(free))),
                "10.9.0.2", "", "pbr0")).hasMessage("nft said no");
        assertThat(bindable(free)).isTrue();
    }

    @Test
    void theDefaultBindingTakesTheSamePortOnBothFamiliesWhenTheContainerHasIpv6() throws Exception {
        int port = freePort();
        List<PublishedPort> got = ports.publish("c1", List.of(PortRequest.parse("80/tcp", "", Integer.toString(port)),
                        PortRequest.parse("81/tcp", "0.0.0.0", Integer.toString(port + 1)),
                        PortRequest.parse("82/udp", "[::]", Integer.toString(port))),
                "10.9.0.2", "fd42::2", "pbr0");
        assertThat(got).containsExactly(new PublishedPort(Protocol.TCP, 80, "", port, "10.9.0.2"),
                new PublishedPort(Protocol.TCP, 80, "::", port, "fd42::2"),
                new PublishedPort(Protocol.TCP, 81, "", port + 1, "10.9.0.2"),
                new PublishedPort(Protocol.UDP, 82, "::", port, "fd42::2"));
        assertThat(bindable(port)).isFalse();
        ports.unpublish("c1");
        assertThat(bindable(port)).isTrue();
        // Without IPv6, the default binding is IPv4 alone, and an IPv6 one is refused.
        assertThat(ports.publish("c2", List.of(PortRequest.parse("80/tcp", "", Integer.toString(port))), "10.9.0.2", "", "pbr0"))
                .containsExactly(new PublishedPort(Protocol.TCP, 80, "", port, "10.9.0.2"));
        ports.unpublish("c2");
        assertThatThrownBy(() -> ports.publish("c3", List.of(PortRequest.parse("80/tcp", "::", Integer.toString(port))),
                "10.9.0.2", "", "pbr0")).isInstanceOf(PortUnavailableException.class).hasMessageContaining("no IPv6 address");
        assertThat(firewall.published).isEmpty();
        assertThat(bindable(port)).isTrue();
    }

    @Test
    void ipv6HostAddressesAreCanonicalAndLoopbackIsRefusedWithTheReason() {
        assertThat(PortRequest.parse("80/tcp", "[FD42:0:0:0::0001]", "8080").hostIp()).isEqualTo("fd42::1");
        assertThat(PortRequest.parse("80/tcp", "2001:db8:0:1:0:0:0:1", "8080").hostIp()).isEqualTo("2001:db8:0:1::1");
        assertThat(PortRequest.parse("80/tcp", "::", "").hostIp()).isEqualTo("::");
        assertThatThrownBy(() -> PortRequest.parse("80/tcp", "[::1]", "8080")).hasMessageContaining("route_localnet");
        assertThatThrownBy(() -> PortRequest.parse("80/tcp", "fd42::zz", "8080")).hasMessage("invalid IP address: fd42::zz");
        assertThatThrownBy(() -> PortRequest.parse("80/tcp", "::ffff:10.0.0.1", "8080")).hasMessageStartingWith("invalid IP address");
    }

    @Test
    void publishAllAddsEveryExposedPortWithoutABinding() {
        ContainerRecord.Settings s = new ContainerRecord.Settings(null, null, List.of(), "", "", "", "", false, false, Map.of(),
                List.of("53/udp", "80/tcp", "90/tcp"), "bridge", Map.of(), false, "", 0, List.of(), List.of(), false, List.of(),
                List.of(), List.of(), List.of(), List.of(), "runc", List.of(), List.of(PortRequest.parse("80/tcp", "", "8080")), true, Map.of());
        assertThat(PortService.requests(s, "")).containsExactly(new PortRequest(80, Protocol.TCP, "", 8080, 8080),
                new PortRequest(53, Protocol.UDP, "", 0, 0), new PortRequest(90, Protocol.TCP, "", 0, 0));
        assertThat(PortService.requests(new ContainerRecord.Settings(null, null, List.of(), "", "", "", "", false, false, Map.of(),
                List.of("53/udp"), "bridge", Map.of(), false, "", 0, List.of(), List.of(), false, List.of(), List.of(), List.of(),
                List.of(), List.of(), "runc", List.of(), List.of(), false, Map.of()), "")).isEmpty();
    }
}
