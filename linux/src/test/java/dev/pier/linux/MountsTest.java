package dev.pier.linux;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MountsTest {
    @Test
    void mountRootsAreToldApartFromPlainDirectories() throws Exception {
        // The fast path answers itself, without falling back to mountinfo.
        assertThat(dev.pier.linux.internal.Libc.isMountRoot("/proc")).isEqualTo(1);
        assertThat(dev.pier.linux.internal.Libc.isMountRoot("/proc/self/fd")).isEqualTo(0);
        assertThat(Mounts.isMountPoint(Path.of("/proc"))).isTrue();
        assertThat(Mounts.isMountPoint(Path.of("/proc/self"))).isFalse();
        Path dir = Files.createTempDirectory("pmnt");
        try {
            assertThat(Mounts.isMountPoint(dir)).isFalse();
            assertThat(Mounts.isMountPoint(dir.resolve("missing"))).isFalse();
        } finally {
            Files.delete(dir);
        }
    }
}
