package dev.pier.engine;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LinksTest {
    @Test
    void linksAsTheCliAndAsDockerWriteThem() {
        assertThat(ContainerService.links(List.of("db:database", "/cache:/web/memo", "queue")))
                .isEqualTo(Map.of("database", "db", "memo", "cache", "queue", "queue"));
        assertThat(ContainerService.links(List.of())).isEmpty();
    }
}
