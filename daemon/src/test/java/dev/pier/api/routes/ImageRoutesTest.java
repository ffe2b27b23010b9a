package dev.pier.api.routes;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** `docker images NAME[:TAG]`: Docker's reference filter. */
class ImageRoutesTest {
    @Test
    void aRepositoryMatchesEveryTagAndATagOnlyItself() {
        assertThat(ImageRoutes.referenceMatches("busybox", "busybox:latest")).isTrue();
        assertThat(ImageRoutes.referenceMatches("busybox:latest", "busybox:latest")).isTrue();
        assertThat(ImageRoutes.referenceMatches("busybox:1", "busybox:latest")).isFalse();
        assertThat(ImageRoutes.referenceMatches("busy", "busybox:latest")).isFalse();
        assertThat(ImageRoutes.referenceMatches("busy*", "busybox:latest")).isTrue();
        assertThat(ImageRoutes.referenceMatches("*:v?", "app:v1")).isTrue();
        assertThat(ImageRoutes.referenceMatches("localhost:5000/app", "localhost:5000/app:v1")).isTrue();
        assertThat(ImageRoutes.referenceMatches("localhost:5000/app:v2", "localhost:5000/app:v1")).isFalse();
    }
}
