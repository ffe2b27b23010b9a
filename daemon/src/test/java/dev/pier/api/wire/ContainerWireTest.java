package dev.pier.api.wire;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pier.engine.ContainerRecord;
import dev.pier.ports.PortRequest;
import dev.pier.ports.Protocol;
import dev.pier.ports.PublishedPort;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Ports in Docker's shapes: inspect's NetworkSettings.Ports and HostConfig.PortBindings, ps's Ports. */
class ContainerWireTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ContainerRecord container(boolean running, List<PortRequest> bindings, List<String> exposed, List<PublishedPort> ports) {
        ContainerRecord.Settings s = new ContainerRecord.Settings(null, null, List.of(), "", "", "h", "", false, false, Map.of(),
                exposed, "bridge", Map.of(), false, "", 0, List.of(), List.of(), false, List.of(), List.of(), List.of(),
                List.of(), List.of(), "runc", List.of("nc"), bindings, false, Map.of());
        ContainerRecord.RunState state = running
                ? new ContainerRecord.RunState(ContainerRecord.Status.RUNNING, 42, 0, Instant.now(), null, "")
                : ContainerRecord.RunState.created();
        return new ContainerRecord("a".repeat(64), "web", Instant.now(), "sha256:x", "busybox", s, state, List.of(), "", ports);
    }

    @Test
    void linksReadAsDockersFromSourceToAliasUnderTheContainer() {
        assertThat(ContainerWire.links("web", List.of("db:database", "cache", "/queue:/q")))
                .containsExactly("/db:/web/database", "/cache:/web/cache", "/queue:/web/q");
    }

    @Test
    void runningContainersShowBindingsAndNullForExposedOnlyPorts() throws Exception {
        List<PortRequest> bindings = List.of(PortRequest.parse("80/tcp", "", "8080"), PortRequest.parse("80/tcp", "127.0.0.1", "8000-8010"));
        ContainerRecord r = container(true, bindings, List.of("443/tcp", "80/tcp"), List.of(
                new PublishedPort(Protocol.TCP, 80, "", 8080, "10.0.0.2"), new PublishedPort(Protocol.TCP, 80, "127.0.0.1", 8003, "10.0.0.2")));
        assertThat(JSON.writeValueAsString(ContainerWire.ports(r))).isEqualTo(
                "{\"443/tcp\":null,\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"},{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8003\"}]}");
        assertThat(JSON.writeValueAsString(ContainerWire.portBindings(r.settings()))).isEqualTo(
                "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"},{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8000-8010\"}]}");
        assertThat(JSON.writeValueAsString(ContainerWire.summaryPorts(r))).isEqualTo(
                "[{\"PrivatePort\":443,\"Type\":\"tcp\"},"
                        + "{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},"
                        + "{\"IP\":\"127.0.0.1\",\"PrivatePort\":80,\"PublicPort\":8003,\"Type\":\"tcp\"}]");
    }

    @Test
    void aContainerThatDoesNotRunShowsNoPorts() throws Exception {
        ContainerRecord r = container(false, List.of(PortRequest.parse("80/tcp", "", "8080")), List.of("80/tcp"), List.of());
        assertThat(JSON.writeValueAsString(ContainerWire.ports(r))).isEqualTo("{}");
        assertThat(ContainerWire.summaryPorts(r)).isEmpty();
    }

    @Test
    void commandQuotesArgumentsWithSpacesAsDockerDoes() {
        assertThat(ContainerWire.command(List.of("sh", "-c", "echo hi; sleep 1"))).isEqualTo("sh -c 'echo hi; sleep 1'");
        assertThat(ContainerWire.command(List.of("sleep", "60"))).isEqualTo("sleep 60");
    }
}
