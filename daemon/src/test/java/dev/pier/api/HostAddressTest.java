package dev.pier.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HostAddressTest {

    @Test
    void parsesDockerStyleHosts() {
        assertThat(HostAddress.parse("unix:///run/pier/pier.sock")).isEqualTo(new HostAddress.Unix(Path.of("/run/pier/pier.sock")));
        assertThat(HostAddress.parse("unix://")).isEqualTo(new HostAddress.Unix(Path.of("/run/pier/pier.sock")));
        assertThat(HostAddress.parse("tcp://127.0.0.1:2375")).isEqualTo(new HostAddress.Tcp("127.0.0.1", 2375));
        assertThat(HostAddress.parse("tcp://:2376")).isEqualTo(new HostAddress.Tcp("127.0.0.1", 2376));
        assertThat(HostAddress.parse("tcp://localhost")).isEqualTo(new HostAddress.Tcp("localhost", 2375));
        assertThat(HostAddress.parse("tcp://[::1]:2375")).isEqualTo(new HostAddress.Tcp("::1", 2375));
        assertThat(HostAddress.parse("tcp://[::1]:2375").uri()).isEqualTo("tcp://[::1]:2375");
    }

    @Test
    void refusesWhatItCannotServe() {
        assertThatThrownBy(() -> HostAddress.parse("fd://")).hasMessageContaining("not supported");
        assertThatThrownBy(() -> HostAddress.parse("npipe:////./pipe/docker")).hasMessageContaining("unsupported API host");
        assertThatThrownBy(() -> HostAddress.parse("unix://relative.sock")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> HostAddress.parse("unix:///run/pier/")).hasMessageContaining("directory");
        assertThatThrownBy(() -> HostAddress.parse("tcp://127.0.0.1:70000")).hasMessageContaining("bad port");
        assertThatThrownBy(() -> HostAddress.parse("tcp://127.0.0.1:http")).hasMessageContaining("bad port");
        assertThatThrownBy(() -> HostAddress.parse("tcp://::1:2375")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> HostAddress.parse("tcp://h:1/path")).hasMessageContaining("only host:port");
        assertThatThrownBy(() -> HostAddress.parse(" ")).hasMessageContaining("empty");
    }
}
