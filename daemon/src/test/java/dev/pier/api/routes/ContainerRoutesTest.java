package dev.pier.api.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pier.ports.PortRequest;
import dev.pier.ports.Protocol;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContainerRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void portBindingsFromDockersJson() throws Exception {
        var body = JSON.readTree("{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"},{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}],"
                + "\"53/udp\":null,\"90\":[]}");
        assertThat(ContainerRoutes.portBindings(body)).containsExactly(
                new PortRequest(80, Protocol.TCP, "", 8080, 8080), new PortRequest(80, Protocol.TCP, "127.0.0.1", 0, 0),
                new PortRequest(53, Protocol.UDP, "", 0, 0), new PortRequest(90, Protocol.TCP, "", 0, 0));
        assertThatThrownBy(() -> ContainerRoutes.portBindings(JSON.readTree("{\"80/tcp\":[{\"HostPort\":\"x\"}]}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("invalid hostPort: x");
    }
}
