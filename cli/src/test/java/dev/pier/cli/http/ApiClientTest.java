package dev.pier.cli.http;

import dev.pier.cli.CliError;
import dev.pier.cli.TestDaemon;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client against a scripted daemon on a temporary unix socket. */
class ApiClientTest {

    private static ApiClient client(TestDaemon daemon) {
        return new ApiClient(Host.parse(daemon.host()));
    }

    @Test
    void contentLengthBodyAndTheRequestItSent() throws Exception {
        try (TestDaemon daemon = new TestDaemon(r -> TestDaemon.json(200, "[{\"Name\":\"bridge\"}]"))) {
            Object networks = client(daemon).getJson("/networks");
            assertThat(networks).isEqualTo(List.of(Map.of("Name", "bridge")));
            TestDaemon.Request request = daemon.request("GET", "/networks");
            assertThat(request.path()).isEqualTo("/v1.41/networks");
            assertThat(request.headers()).containsEntry("host", "pier").containsKey("user-agent");
        }
    }

    @Test
    void jsonBodyIsSentWithLengthAndType() throws Exception {
        try (TestDaemon daemon = new TestDaemon(r -> TestDaemon.json(201, "{\"Id\":\"x\"}"))) {
            Object created = client(daemon).postJson("/networks/create", "{\"Name\":\"a\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(created).isEqualTo(Map.of("Id", "x"));
            TestDaemon.Request request = daemon.request("POST", "/networks/create");
            assertThat(request.bodyText()).isEqualTo("{\"Name\":\"a\"}");
            assertThat(request.headers()).containsEntry("content-type", "application/json").containsEntry("content-length", "12");
        }
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailers() throws Exception {
        List<byte[]> chunks = List.of("{\"a\":".getBytes(StandardCharsets.UTF_8), "[1,2,".getBytes(StandardCharsets.UTF_8),
                "3]}".getBytes(StandardCharsets.UTF_8));
        try (TestDaemon daemon = new TestDaemon(r -> new TestDaemon.Chunked(200, "application/json", chunks))) {
            assertThat(client(daemon).getJson("/info")).isEqualTo(Map.of("a", List.of(1L, 2L, 3L)));
        }
    }

    @Test
    void closeDelimitedBody() throws Exception {
        try (TestDaemon daemon = new TestDaemon(r -> new TestDaemon.CloseDelimited(200, "raw bytes".getBytes(StandardCharsets.UTF_8)))) {
            try (Response response = client(daemon).request("GET", "/x", null, null)) {
                assertThat(new String(response.bytes(), StandardCharsets.UTF_8)).isEqualTo("raw bytes");
            }
        }
    }

    @Test
    void noContentHasAnEmptyBody() throws Exception {
        try (TestDaemon daemon = new TestDaemon(r -> TestDaemon.noContent())) {
            try (Response response = client(daemon).request("POST", "/containers/x/start", null, null)) {
                assertThat(response.status()).isEqualTo(204);
                assertThat(response.bytes()).isEmpty();
            }
            assertThat(daemon.request("POST", "/containers/x/start").headers()).containsEntry("content-length", "0");
        }
    }

    @Test
    void daemonErrorsCarryTheMessage() throws Exception {
        try (TestDaemon daemon = new TestDaemon(r -> TestDaemon.error(404, "No such container: nope"))) {
            assertThatThrownBy(() -> client(daemon).getJson("/containers/nope/json"))
                    .isInstanceOfSatisfying(CliError.Daemon.class, e -> {
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.getMessage()).isEqualTo("Error response from daemon: No such container: nope");
                    });
        }
        try (TestDaemon daemon = new TestDaemon(r -> new TestDaemon.Fixed(500, "text/plain",
                "plain failure\n".getBytes(StandardCharsets.UTF_8)))) {
            assertThatThrownBy(() -> client(daemon).getJson("/x")).hasMessage("Error response from daemon: plain failure");
        }
    }

    @Test
    void upgradeGivesTheRawStreamAndAWritableHalf() throws Exception {
        byte[] stream = TestDaemon.concat(TestDaemon.frame(1, "out\n"), TestDaemon.frame(2, "err\n"));
        try (TestDaemon daemon = new TestDaemon(r -> new TestDaemon.Upgrade(stream, true))) {
            try (Response response = client(daemon).upgrade("POST", "/containers/x/attach?stream=1&stdin=1", null)) {
                assertThat(response.status()).isEqualTo(101);
                response.rawOutput().write("typed".getBytes(StandardCharsets.UTF_8));
                response.closeWrite();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                StreamDemuxer.demux(response.body(), out, err);
                assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("out\nstdin:typed");
                assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("err\n");
            }
            TestDaemon.Request request = daemon.request("POST", "/containers/x/attach");
            assertThat(request.headers()).containsEntry("connection", "Upgrade").containsEntry("upgrade", "tcp");
        }
    }

    @Test
    void streamedBodiesUseLengthWhenKnownElseChunks() throws Exception {
        try (TestDaemon daemon = new TestDaemon(r -> TestDaemon.json(200, "{\"status\":\"ok\"}"))) {
            byte[] tar = new byte[200_000];
            for (int i = 0; i < tar.length; i++) {
                tar[i] = (byte) i;
            }
            client(daemon).stream("POST", "/images/load", new ByteArrayInputStream(tar), tar.length, "application/x-tar").close();
            client(daemon).stream("POST", "/images/create?fromSrc=-", new ByteArrayInputStream(tar), -1, "application/x-tar").close();
            List<TestDaemon.Request> requests = daemon.requests();
            assertThat(requests.get(0).headers()).containsEntry("content-length", "200000");
            assertThat(requests.get(0).body()).isEqualTo(tar);
            assertThat(requests.get(1).headers()).containsEntry("transfer-encoding", "chunked");
            assertThat(requests.get(1).body()).isEqualTo(tar);
        }
    }

    @Test
    void unreachableDaemonSaysSo() throws Exception {
        Path directory = Files.createTempDirectory("pier-cli-test");
        try {
            ApiClient client = new ApiClient(Host.parse("unix://" + directory.resolve("missing.sock")));
            assertThatThrownBy(() -> client.getJson("/networks"))
                    .isInstanceOf(CliError.CannotConnect.class)
                    .hasMessage("Cannot connect to the Pier daemon at unix://" + directory.resolve("missing.sock")
                            + ". Is pierd running?");
        } finally {
            Files.deleteIfExists(directory);
        }
    }

    @Test
    void hostParsing() {
        assertThat(Host.parse("unix:///run/pier/pier.sock")).isEqualTo(new Host.Unix("unix:///run/pier/pier.sock", "/run/pier/pier.sock"));
        assertThat(Host.parse("tcp://127.0.0.1:2375")).isEqualTo(new Host.Tcp("tcp://127.0.0.1:2375", "127.0.0.1", 2375));
        assertThat(Host.parse("tcp://[::1]:8080")).isEqualTo(new Host.Tcp("tcp://[::1]:8080", "::1", 8080));
        assertThatThrownBy(() -> Host.parse("/run/pier.sock")).hasMessage("Invalid bind address format: /run/pier.sock");
        assertThatThrownBy(() -> Host.parse("tcp://h:99999")).hasMessage("Invalid bind address format: tcp://h:99999");
    }

    @Test
    void queryAndPathEncoding() {
        assertThat(new ApiClient.Query().add("filters", "{\"name\":{\"a b\":true}}").add("all", "1").toString())
                .isEqualTo("?filters=%7B%22name%22%3A%7B%22a%20b%22%3Atrue%7D%7D&all=1");
        assertThat(ApiClient.segment("localhost:5000/busybox:latest")).isEqualTo("localhost:5000/busybox:latest");
        assertThat(ApiClient.segment("a b?")).isEqualTo("a%20b%3F");
    }
}
