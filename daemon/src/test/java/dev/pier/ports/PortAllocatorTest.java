package dev.pier.ports;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PortAllocatorTest {
    /** A fake kernel: a port is free until someone takes it. */
    private final Set<Integer> taken = new HashSet<>();
    private final PortAllocator.Taker take = taken::add;

    private static PortRequest request(String port, String ip, String hostPort) {
        return PortRequest.parse(port, ip, hostPort);
    }

    @Test
    void anExplicitPortIsTakenOrRefusedWithDockersMessage() {
        PortAllocator a = new PortAllocator(40000, 40009, new BitSet());
        assertThat(a.allocate(request("80/tcp", "", "8080"), take)).isEqualTo(8080);
        assertThatThrownBy(() -> a.allocate(request("81/tcp", "", "8080"), take))
                .isInstanceOf(PortUnavailableException.class)
                .hasMessage("Bind for 0.0.0.0:8080 failed: port is already allocated");
        assertThatThrownBy(() -> a.allocate(request("81/tcp", "127.0.0.1", "8080"), take))
                .hasMessage("Bind for 127.0.0.1:8080 failed: port is already allocated");
    }

    @Test
    void aRangeGivesItsFirstFreePort() {
        PortAllocator a = new PortAllocator(40000, 40009, new BitSet());
        taken.add(8000);
        assertThat(a.allocate(request("80", "", "8000-8002"), take)).isEqualTo(8001);
        assertThat(a.allocate(request("80", "", "8000-8002"), take)).isEqualTo(8002);
        assertThatThrownBy(() -> a.allocate(request("80", "", "8000-8002"), take))
                .hasMessage("Bind for 0.0.0.0:8000-8002 failed: all ports are allocated");
    }

    @Test
    void randomPortsGoRoundRobinThroughTheRangeSkippingReservedAndTakenOnes() {
        BitSet reserved = PortAllocator.parseReserved("40001,40005-40006\n");
        PortAllocator a = new PortAllocator(40000, 40007, reserved);
        taken.add(40003);
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) got.add(a.allocate(request("80/udp", "", ""), take));
        assertThat(got).containsExactly(40000, 40002, 40004, 40007);
        assertThatThrownBy(() -> a.allocate(request("80/udp", "", ""), take))
                .hasMessage("Bind for 0.0.0.0:40000-40007 failed: all ports are allocated");
        // A freed port is not given again at once: the search goes on after the last one.
        taken.remove(40002);
        taken.remove(40004);
        assertThat(a.allocate(request("80/udp", "", ""), take)).isEqualTo(40002);
        taken.remove(40000);
        assertThat(a.allocate(request("80/udp", "", ""), take)).isEqualTo(40004);
    }

    @Test
    void readsTheKernelsEphemeralRange(@TempDir Path proc) throws Exception {
        Files.writeString(proc.resolve("ip_local_port_range"), "32768\t60999\n");
        Files.writeString(proc.resolve("ip_local_reserved_ports"), "\n");
        PortAllocator a = PortAllocator.fromKernel(proc);
        assertThat(a.first()).isEqualTo(32768);
        assertThat(a.last()).isEqualTo(60999);
        PortAllocator fallback = PortAllocator.fromKernel(proc.resolve("missing"));
        assertThat(fallback.first()).isEqualTo(49153);
        assertThat(fallback.last()).isEqualTo(65535);
    }

    @Test
    void parsesDockersWireForms() {
        assertThat(request("80", "", "")).isEqualTo(new PortRequest(80, Protocol.TCP, "", 0, 0));
        // 0.0.0.0 is IPv4 alone; "" the default, both families where the container has them.
        assertThat(request("53/udp", "0.0.0.0", "5353")).isEqualTo(new PortRequest(53, Protocol.UDP, "0.0.0.0", 5353, 5353));
        assertThat(request("80/tcp", "[127.0.0.1]", "8000-8010").hostPortText()).isEqualTo("8000-8010");
        assertThatThrownBy(() -> request("80/icmp", "", "")).hasMessage("invalid proto: icmp");
        assertThatThrownBy(() -> request("x/tcp", "", "")).hasMessage("invalid containerPort: x/tcp");
        assertThatThrownBy(() -> request("80/tcp", "", "70000")).hasMessage("invalid hostPort: 70000");
        assertThatThrownBy(() -> request("80/tcp", "", "9-8")).hasMessage("invalid hostPort: 9-8");
        assertThatThrownBy(() -> request("80/tcp", "1.2.3", "")).hasMessage("invalid IP address: 1.2.3");
        assertThatThrownBy(() -> request("80/tcp", "::1", "")).hasMessageContaining("IPv6 loopback");
    }
}
