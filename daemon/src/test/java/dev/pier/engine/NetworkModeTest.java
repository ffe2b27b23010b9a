package dev.pier.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkModeTest {
    @Test
    void parsesDockersModes() {
        assertThat(NetworkMode.parse("")).isEqualTo(new NetworkMode.Attached("bridge"));
        assertThat(NetworkMode.parse("default")).isEqualTo(new NetworkMode.Attached("bridge"));
        assertThat(NetworkMode.parse("host")).isEqualTo(new NetworkMode.Host());
        assertThat(NetworkMode.parse("none")).isEqualTo(new NetworkMode.None());
        assertThat(NetworkMode.parse("container:web")).isEqualTo(new NetworkMode.Shared("web"));
        assertThat(NetworkMode.parse("app")).isEqualTo(new NetworkMode.Attached("app"));
        assertThat(NetworkMode.parse("container:web").text()).isEqualTo("container:web");
        assertThatThrownBy(() -> NetworkMode.parse("container:")).hasMessageContaining("container:");
    }

    @Test
    void hostInterfaceNamesShowTheContainerAndFitTheKernelsLimit() {
        String name = NetworkService.hostInterfaceName("0123456789abcdef0123", 3);
        assertThat(name).isEqualTo("pv0123456789e3").hasSizeLessThanOrEqualTo(15);
        assertThat(NetworkService.macFor(dev.pier.linux.IpPrefix.parseAddress("172.17.0.2")).toString()).isEqualTo("02:42:ac:11:00:02");
    }
}
