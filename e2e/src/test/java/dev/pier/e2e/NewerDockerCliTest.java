package dev.pier.e2e;

import java.nio.file.Path;

/**
 * {@link DockerCliTest} with a newer docker client (API 1.47+, negotiated down to pierd's): the one in
 * PIER_TEST_DOCKER_CLI, else /usr/local/bin/docker; skipped when there is none.
 */
class NewerDockerCliTest extends DockerCliTest {
    @Override
    Path client() {
        String given = System.getenv("PIER_TEST_DOCKER_CLI");
        return Path.of(given != null && !given.isEmpty() ? given : "/usr/local/bin/docker");
    }
}
