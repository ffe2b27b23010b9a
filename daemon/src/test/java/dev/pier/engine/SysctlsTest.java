package dev.pier.engine;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SysctlsTest {
    @Test
    void namespacedParametersOnlyAndNetNeverOnTheHostsNamespace() {
        var bridge = new NetworkMode.Attached("bridge");
        assertThat(Sysctls.checked(Map.of("net.ipv4.ip_forward", "1", "kernel.shmmax", "1024", "fs.mqueue.msg_max", "20"), bridge))
                .hasSize(3);
        assertThat(Sysctls.checked(null, bridge)).isEmpty();
        assertThat(Sysctls.checked(Map.of("kernel.sem", "1 2 3 4"), new NetworkMode.Host())).containsEntry("kernel.sem", "1 2 3 4");
        assertThat(Sysctls.checked(Map.of("net.core.somaxconn", "512"), new NetworkMode.Shared("web"))).hasSize(1);
        assertThatThrownBy(() -> Sysctls.checked(Map.of("net.ipv4.ip_forward", "0"), new NetworkMode.Host()))
                .isInstanceOf(EngineException.class).hasMessage("sysctl 'net.ipv4.ip_forward' not allowed in host network namespace");
        assertThatThrownBy(() -> Sysctls.checked(Map.of("kernel.hostname", "x"), bridge))
                .isInstanceOf(EngineException.class).hasMessage("sysctl 'kernel.hostname' is not whitelisted");
        assertThatThrownBy(() -> Sysctls.checked(Map.of("vm.swappiness", "1"), bridge)).hasMessageContaining("not whitelisted");
    }
}
