package dev.pier.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real docker CLI against the server, with stand-in routes: version negotiation, {@code exec -i} and
 * {@code attach} through an Upgrade hijack, stdin, the CLI's half-close at the end of stdin, output after it,
 * exit codes. Runs every CLI found in {@code PIER_TEST_DOCKER_CLIS} (colon-separated paths) or at
 * /usr/local/bin/docker and /usr/bin/docker; skipped when there is none. The 20.10 CLI is the one that sends
 * an empty Host header on attach.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DockerCliCompatTest {

    private Path dir;
    private ApiServer server;
    private final Semaphore attachEnded = new Semaphore(0);
    private final List<String> versionsSeen = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "papi-cli-");
        server = ApiServer.start(List.of("unix://" + dir.resolve("pier.sock")), router());
    }

    @AfterEach
    void stop() throws IOException {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private Router router() {
        return new Router()
                .get("/version", request -> {
                    synchronized (versionsSeen) {
                        versionsSeen.add(request.apiVersion());
                    }
                    return Response.ok(Map.of("Version", "0.1.0", "ApiVersion", ApiVersion.MAX.toString(),
                            "MinAPIVersion", ApiVersion.MIN.toString(), "Os", "linux", "Arch", "amd64",
                            "GitCommit", "test", "GoVersion", "n/a", "KernelVersion", "n/a", "BuildTime", "n/a"));
                })
                .get("/containers/{id}/json", request -> Response.ok(Map.of("Id", request.pathParam("id"),
                        "Name", "/" + request.pathParam("id"),
                        "State", Map.of("Running", true, "Status", "running"),
                        "Config", Map.of("Tty", false, "OpenStdin", true, "AttachStdin", true))))
                .post("/containers/{id}/exec", request -> {
                    request.bodyJson(Map.class);
                    return Response.created(Map.of("Id", "exec1"));
                })
                .get("/exec/{id}/json", request -> Response.ok(Map.of("ID", request.pathParam("id"),
                        "Running", false, "ExitCode", 3, "ProcessConfig", Map.of())))
                .post("/exec/{id}/start", request -> {
                    request.bodyJson(Map.class);
                    return Response.hijack(request, Response.MULTIPLEXED_STREAM, (in, out) -> echoUpperCase(in, out, "exec"));
                })
                .post("/containers/{id}/attach", request -> Response.hijack(request,
                        request.apiVersionAtLeast("1.42") ? Response.MULTIPLEXED_STREAM : Response.RAW_STREAM,
                        (in, out) -> {
                            try {
                                echoUpperCase(in, out, "attach");
                            } finally {
                                attachEnded.release();
                            }
                        }))
                .post("/containers/{id}/wait", request -> {
                    attachEnded.tryAcquire(20, TimeUnit.SECONDS);
                    return Response.ok(Map.of("StatusCode", 5));
                });
    }

    /** Docker's multiplexed framing: stream id, three zero bytes, big-endian length. */
    private static void frame(OutputStream out, int stream, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {(byte) stream, 0, 0, 0, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        out.write(payload);
        out.flush();
    }

    private static void echoUpperCase(java.io.InputStream in, OutputStream out, String who) throws IOException {
        byte[] buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            frame(out, 1, new String(buffer, 0, n, StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8));
        }
        frame(out, 2, (who + " saw end of stdin\n").getBytes(StandardCharsets.UTF_8));
    }

    private static List<Path> dockerClis() {
        String configured = System.getenv("PIER_TEST_DOCKER_CLIS");
        List<String> candidates = configured != null && !configured.isBlank()
                ? Arrays.asList(configured.split(":"))
                : List.of("/usr/local/bin/docker", "/usr/bin/docker");
        return candidates.stream().map(Path::of).filter(Files::isExecutable).toList();
    }

    record Run(int exitCode, String stdout, String stderr) {
    }

    private Run docker(Path cli, String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(cli.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DOCKER_HOST", "unix://" + dir.resolve("pier.sock"));
        builder.environment().put("DOCKER_CONFIG", dir.resolve("docker-config").toString());
        builder.environment().remove("DOCKER_CONTEXT");
        builder.environment().remove("DOCKER_API_VERSION");
        Process process = builder.start();
        try {
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError(cli + " " + String.join(" ", args) + " did not finish");
            }
            return new Run(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } finally {
            process.destroyForcibly();
        }
    }

    private static String readAll(java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }

    @Test
    void dockerCliNegotiatesExecsAndAttaches() throws Exception {
        List<Path> clis = dockerClis();
        assumeTrue(!clis.isEmpty(), "no docker CLI on this machine");
        for (Path cli : clis) {
            Run version = docker(cli, "", "version", "--format", "{{.Server.APIVersion}}");
            assertThat(version.exitCode()).as(cli + ": " + version.stderr()).isZero();
            assertThat(version.stdout().strip()).isEqualTo(ApiVersion.MAX.toString());

            Run exec = docker(cli, "hello\n", "exec", "-i", "c1", "cat");
            assertThat(exec.stdout()).as(cli + " exec: " + exec.stderr()).isEqualTo("HELLO\n");
            assertThat(exec.stderr()).contains("exec saw end of stdin");
            assertThat(exec.exitCode()).isEqualTo(3);

            Run attach = docker(cli, "attached\n", "attach", "c1");
            assertThat(attach.stdout()).as(cli + " attach: " + attach.stderr()).isEqualTo("ATTACHED\n");
            assertThat(attach.stderr()).contains("attach saw end of stdin");
            assertThat(attach.exitCode()).isEqualTo(5);
        }
        synchronized (versionsSeen) {
            // Each CLI used min(its own max, ours): never more than we announce.
            assertThat(versionsSeen).hasSize(clis.size())
                    .allSatisfy(v -> assertThat(ApiVersion.parse(v)).isLessThanOrEqualTo(ApiVersion.MAX));
        }
    }
}
