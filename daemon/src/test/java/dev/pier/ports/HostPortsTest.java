package dev.pier.ports;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.net.StandardProtocolFamily;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real binds on 127.0.0.1 (and the wildcard), on ports the kernel said were free a moment ago. */
class HostPortsTest {
    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aHeldPortCannotBeTakenByAnotherProgramUntilReleased() throws Exception {
        HostPorts held = new HostPorts();
        int port = freePort();
        assertThat(held.hold("c1", Protocol.TCP, "", port)).isTrue();
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            assertThatThrownBy(() -> other.bind(new InetSocketAddress("127.0.0.1", port))).hasMessageContaining("in use");
        }
        // Nor by this daemon, on a narrower address.
        assertThat(held.hold("c2", Protocol.TCP, "127.0.0.1", port)).isFalse();
        assertThat(held.count("c1")).isEqualTo(1);
        held.release("c1");
        assertThat(held.count("c1")).isZero();
        assertThat(held.hold("c2", Protocol.TCP, "127.0.0.1", port)).isTrue();
        held.release("c2");
    }

    @Test
    void aPortHeldByAnotherProgramIsInUse() throws Exception {
        HostPorts held = new HostPorts();
        try (DatagramChannel other = DatagramChannel.open(StandardProtocolFamily.INET)) {
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) other.getLocalAddress()).getPort();
            assertThat(held.hold("c1", Protocol.UDP, "127.0.0.1", port)).isFalse();
            assertThat(held.hold("c1", Protocol.TCP, "127.0.0.1", port)).as("another protocol").isTrue();
        }
        held.release("c1");
    }

    @Test
    void anAddressTheHostDoesNotHaveIsAClearError() {
        HostPorts held = new HostPorts();
        assertThatThrownBy(() -> held.hold("c1", Protocol.TCP, "192.0.2.77", 8080))
                .isInstanceOf(PortUnavailableException.class).hasMessageContaining("192.0.2.77:8080/tcp");
        assertThat(held.count("c1")).isZero();
    }

    @Test
    void theIpv6WildcardHoldsIpv6AloneAndTwoAddressesAreHeldTogetherOrNotAtAll() throws Exception {
        HostPorts held = new HostPorts();
        int port = freePort();
        assertThat(held.hold("c1", Protocol.TCP, "::", port)).isTrue();
        // IPV6_V6ONLY: the IPv4 port is still free for anyone...
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            other.bind(new InetSocketAddress("127.0.0.1", port));
        }
        // ...but not the IPv6 one.
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            assertThatThrownBy(() -> other.bind(new InetSocketAddress("::1", port))).hasMessageContaining("in use");
        }
        // Both families at once: the IPv6 half is taken, so the IPv4 half is let go too.
        assertThat(held.hold("c2", Protocol.TCP, java.util.List.of("", "::"), port)).isFalse();
        assertThat(held.count("c2")).isZero();
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            other.bind(new InetSocketAddress("0.0.0.0", port));
        }
        held.release("c1");
        assertThat(held.hold("c2", Protocol.TCP, java.util.List.of("", "::"), port)).isTrue();
        assertThat(held.count("c2")).isEqualTo(2);
        held.release("c2");
    }

    @Test
    void sctpPortsAreKeptFromOtherContainers() {
        HostPorts held = new HostPorts();
        assertThat(held.hold("c1", Protocol.SCTP, "", 9)).isTrue();
        assertThat(held.hold("c2", Protocol.SCTP, "127.0.0.1", 9)).isFalse();
        held.release("c1");
        assertThat(held.hold("c2", Protocol.SCTP, "127.0.0.1", 9)).isTrue();
        held.release("c2");
        // Both families at once, as the default binding of a container with IPv6 asks.
        assertThat(held.hold("c3", Protocol.SCTP, java.util.List.of("", "::"), 9)).isTrue();
        assertThat(held.hold("c4", Protocol.SCTP, "::", 9)).isFalse();
        held.release("c3");
    }
}
