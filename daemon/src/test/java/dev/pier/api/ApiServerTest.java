package dev.pier.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server for real: a unix socket under /tmp/papi-* and tcp on 127.0.0.1:<ephemeral>. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiServerTest {

    private static final long WAIT_SECONDS = 30;

    private Path dir;
    private Path socket;
    private ApiServer server;
    private int tcpPort;
    private HttpClient http;

    // Coordination with the handlers of the tests that need it.
    private final Semaphore nextLine = new Semaphore(0);
    private final CountDownLatch streamEnded = new CountDownLatch(1);
    private final AtomicReference<Throwable> streamFailure = new AtomicReference<>();
    private final AtomicReference<Boolean> streamSawGone = new AtomicReference<>();
    private final CountDownLatch waitEnded = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "papi-");
        socket = dir.resolve("run/pier/pier.sock");
        server = ApiServer.start(List.of("unix://" + socket, "tcp://127.0.0.1:0"), router());
        String tcp = server.listening().stream().filter(uri -> uri.startsWith("tcp://")).findFirst().orElseThrow();
        tcpPort = Integer.parseInt(tcp.substring(tcp.lastIndexOf(':') + 1));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() throws IOException {
        try {
            if (server != null) {
                server.close();
            }
            if (http != null) {
                http.close();
            }
        } finally {
            if (dir != null) {
                try (Stream<Path> paths = Files.walk(dir)) {
                    for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(path);
                    }
                }
            }
        }
    }

    private Router router() {
        return new Router()
                .get("/networks", request -> Response.ok(List.of(Map.of("Name", "bridge", "Driver", "bridge"))))
                .get("/containers/{id}/json", request -> Response.ok(describe(request)))
                .get("/images/{name:.*}/json", request -> Response.ok(describe(request)))
                .post("/containers/{id}/start", request -> switch (request.pathParam("id")) {
                    case "busy" -> throw ApiException.conflict("container busy is restarting");
                    case "running" -> throw ApiException.notModified();
                    case "bad" -> throw ApiException.badRequest("invalid restart policy");
                    default -> Response.noContent();
                })
                .get("/boom", request -> {
                    throw new IllegalStateException("kaboom");
                })
                .get("/overflow", request -> {
                    throw new StackOverflowError("deep");
                })
                .post("/upload", this::upload)
                .get("/logs", this::logs)
                .get("/export", this::export)
                .get("/wait", this::waitForClientToLeave)
                .post("/containers/{id}/attach", this::attach)
                .post("/exec/{id}/start", this::execStart);
    }

    private static Map<String, Object> describe(Request request) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("method", request.method());
        out.put("path", request.path());
        out.put("pathParams", request.pathParams());
        out.put("query", request.query());
        out.put("headers", request.headers());
        out.put("apiVersion", request.apiVersion());
        out.put("all", request.queryBool("all"));
        return out;
    }

    /** Waits until the body stream has stopped socket reads (proof of back-pressure), then digests it. */
    private Response upload(Request request) throws Exception {
        InboundStream body = (InboundStream) request.body();
        if (request.queryBool("throttle")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!body.isThrottled() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            if (!body.isThrottled()) {
                throw new IllegalStateException("body never throttled");
            }
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[16 * 1024];
        long size = 0;
        int n;
        while ((n = body.read(buffer)) >= 0) {
            sha.update(buffer, 0, n);
            size += n;
        }
        return Response.ok(Map.of("size", size, "sha256", HexFormat.of().formatHex(sha.digest()),
                "peakBuffered", body.peakBuffered()));
    }

    /** Three lines, each released by the test after it read the one before; then lines until the client goes. */
    private Response logs(Request request) {
        return Response.stream("text/plain", out -> {
            try {
                for (int i = 0; ; i++) {
                    out.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (i < 3) {
                        nextLine.acquire();
                    } else if (i > 1_000_000) {
                        throw new IllegalStateException("client never seen leaving");
                    }
                }
            } catch (Throwable e) {
                streamFailure.set(e);
                streamSawGone.set(request.client().gone());
                throw e;
            } finally {
                streamEnded.countDown();
            }
        });
    }

    private final java.util.concurrent.atomic.AtomicLong exported = new java.util.concurrent.atomic.AtomicLong();
    private static final int EXPORT_SIZE = 20 * 1024 * 1024;

    /** 20 MB of deterministic bytes in 64 KiB writes, counting what the writes have accepted. */
    private Response export(Request request) {
        return Response.stream("application/x-tar", out -> {
            Random random = new Random(99);
            byte[] block = new byte[64 * 1024];
            for (int done = 0; done < EXPORT_SIZE; done += block.length) {
                random.nextBytes(block);
                out.write(block);
                exported.addAndGet(block.length);
            }
        });
    }

    private Response waitForClientToLeave(Request request) throws Exception {
        CompletableFuture<Void> left = new CompletableFuture<>();
        request.client().onGone(() -> left.complete(null));
        left.get(WAIT_SECONDS, TimeUnit.SECONDS);
        waitEnded.countDown();
        return Response.ok(Map.of("StatusCode", 0));
    }

    /** Echoes stdin upper-cased; says bye after the client's half-close, then ends. */
    private Response attach(Request request) {
        return Response.hijack(request, Response.RAW_STREAM, (in, out) -> {
            out.write("ready\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(new String(buffer, 0, n, StandardCharsets.US_ASCII).toUpperCase().getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            out.write("bye\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        });
    }

    private Response execStart(Request request) throws IOException {
        Map<?, ?> config = request.bodyJson(Map.class);
        return Response.hijack(request, Response.MULTIPLEXED_STREAM, (in, out) -> {
            out.write(("tty=" + config.get("Tty") + "\n").getBytes(StandardCharsets.US_ASCII));
            out.close();
        });
    }

    private static JsonNode json(String text) throws IOException {
        return Json.mapper().readTree(text);
    }

    private HttpResponse<String> tcpGet(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tcpPort + path))
                .header("X-Test", "yes").GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---------------------------------------------------------------- routing

    @Test
    void routesWithAndWithoutVersionPrefixOverTcp() throws Exception {
        HttpResponse<String> plain = tcpGet("/containers/abc/json?all=1&x=1&x=2&filters="
                + "%7B%22label%22%3A%7B%22a%3Db%3Bc%22%3Atrue%7D%7D");
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = json(plain.body());
        assertThat(body.get("path").asText()).isEqualTo("/containers/abc/json");
        assertThat(body.get("pathParams").get("id").asText()).isEqualTo("abc");
        assertThat(body.get("apiVersion").asText()).isEqualTo("1.47");
        assertThat(body.get("all").asBoolean()).isTrue();
        assertThat(body.get("query").get("x").toString()).isEqualTo("[\"1\",\"2\"]");
        assertThat(body.get("query").get("filters").get(0).asText()).isEqualTo("{\"label\":{\"a=b;c\":true}}");
        assertThat(body.get("headers").get("x-test").asText()).isEqualTo("yes");

        JsonNode versioned = json(tcpGet("/v1.41/containers/abc/json").body());
        assertThat(versioned.get("path").asText()).isEqualTo("/containers/abc/json");
        assertThat(versioned.get("apiVersion").asText()).isEqualTo("1.41");
        assertThat(versioned.get("all").asBoolean()).isFalse();

        JsonNode image = json(tcpGet("/v1.41/images/docker.io/library/busybox:latest/json").body());
        assertThat(image.get("pathParams").get("name").asText()).isEqualTo("docker.io/library/busybox:latest");
        JsonNode escaped = json(tcpGet("/images/my%2Fimage%20x/json").body());
        assertThat(escaped.get("pathParams").get("name").asText()).isEqualTo("my/image x");
    }

    @Test
    void everyResponseCarriesDockerHeaders() throws Exception {
        for (HttpResponse<String> response : List.of(tcpGet("/networks"), tcpGet("/nope"), tcpGet("/_ping"))) {
            assertThat(response.headers().firstValue("Api-Version")).hasValue("1.47");
            assertThat(response.headers().firstValue("Ostype")).hasValue("linux");
            assertThat(response.headers().firstValue("Server")).hasValue("Pier/0.1.0 (linux)");
            assertThat(response.headers().firstValue("Docker-Experimental")).hasValue("false");
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache, no-store, must-revalidate");
            assertThat(response.headers().firstValue("Pragma")).hasValue("no-cache");
        }
    }

    @Test
    void routesOverUnixSocketWithKeepAlive() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            for (String path : List.of("/networks", "/v1.41/networks", "/v1.47/networks")) {
                RawClient.Reply reply = client.get(path);
                assertThat(reply.status()).isEqualTo(200);
                assertThat(json(reply.text()).get(0).get("Name").asText()).isEqualTo("bridge");
                assertThat(reply.header("Api-Version")).isEqualTo("1.47");
            }
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            client.send("GET /containers/one/json HTTP/1.1\r\nHost: docker\r\n\r\n"
                    + "POST /containers/busy/start HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n\r\n"
                    + "GET /containers/two/json HTTP/1.1\r\nHost: docker\r\n\r\n");
            assertThat(json(client.readReply(false).text()).get("pathParams").get("id").asText()).isEqualTo("one");
            assertThat(client.readReply(false).status()).isEqualTo(409);
            assertThat(json(client.readReply(false).text()).get("pathParams").get("id").asText()).isEqualTo("two");
        }
    }

    @Test
    void pingAnswersGetAndHead() throws Exception {
        HttpResponse<String> get = tcpGet("/_ping");
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("OK");
        assertThat(get.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(tcpGet("/v1.41/_ping").body()).isEqualTo("OK");

        try (RawClient client = RawClient.unix(socket)) {
            RawClient.Reply head = client.exchange("HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n", true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Api-Version")).isEqualTo("1.47");
            // No body came after the HEAD headers: the next reply parses cleanly on the same connection.
            RawClient.Reply next = client.get("/v1.24/_ping");
            assertThat(next.text()).isEqualTo("OK");
            RawClient.Reply headOfJson = client.exchange("HEAD /networks HTTP/1.1\r\nHost: docker\r\n\r\n", true);
            assertThat(headOfJson.status()).isEqualTo(200);
            assertThat(headOfJson.header("content-type")).isEqualTo("application/json");
            assertThat(client.get("/_ping").text()).isEqualTo("OK");
        }
    }

    // ---------------------------------------------------------------- errors

    @Test
    void errorsAreDockerJson() throws Exception {
        HttpResponse<String> missing = tcpGet("/v1.41/containers/abc/nothing");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(missing.body()).isEqualTo("{\"message\":\"page not found\"}");

        HttpResponse<String> wrongMethod = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tcpPort + "/networks"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(404);

        HttpResponse<String> conflict = tcpPost("/containers/busy/start");
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflict.body()).isEqualTo("{\"message\":\"container busy is restarting\"}");

        HttpResponse<String> bad = tcpPost("/containers/bad/start");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad.body()).get("message").asText()).isEqualTo("invalid restart policy");

        HttpResponse<String> notModified = tcpPost("/containers/running/start");
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();

        HttpResponse<String> ok = tcpPost("/containers/idle/start");
        assertThat(ok.statusCode()).isEqualTo(204);

        HttpResponse<String> boom = tcpGet("/boom");
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(boom.body()).isEqualTo("{\"message\":\"kaboom\"}");
    }

    private HttpResponse<String> tcpPost(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tcpPort + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void handlerErrorEndsTheConnectionInsteadOfHangingIt() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            client.send("GET /overflow HTTP/1.1\r\nHost: docker\r\n\r\n");
            // Like Go's server after a handler panic: no answer, the connection closes.
            assertThat(client.readToEof()).isEmpty();
        }
        assertThat(tcpGet("/_ping").body()).isEqualTo("OK");
    }

    @Test
    void versionOutsideTheSupportedRangeIsRefused() throws Exception {
        HttpResponse<String> tooNew = tcpGet("/v1.99/networks");
        assertThat(tooNew.statusCode()).isEqualTo(400);
        assertThat(tooNew.body()).isEqualTo(
                "{\"message\":\"client version 1.99 is too new. Maximum supported API version is 1.47\"}");
        HttpResponse<String> tooOld = tcpGet("/v1.12/networks");
        assertThat(tooOld.statusCode()).isEqualTo(400);
        assertThat(json(tooOld.body()).get("message").asText()).startsWith("client version 1.12 is too old.");
    }

    @Test
    void malformedRequestGets400AndClose() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            RawClient.Reply reply = client.exchange("GET /networks HTTP/1.1\r\nHost: docker\r\nBad Header\r\n\r\n", false);
            assertThat(reply.status()).isEqualTo(400);
            assertThat(json(reply.text()).get("message").asText()).startsWith("malformed HTTP request");
            assertThat(client.readToEof()).isEmpty();
        }
    }

    // ---------------------------------------------------------------- headers docker clients send

    @Test
    void emptyOrMissingHostHeaderIsAccepted() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            assertThat(client.exchange("GET /_ping HTTP/1.1\r\nHost: \r\n\r\n", false).text()).isEqualTo("OK");
            assertThat(client.exchange("GET /v1.41/networks HTTP/1.1\r\n\r\n", false).status()).isEqualTo(200);
        }
    }

    @Test
    void http10ClientGetsItsAnswerThenClose() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            RawClient.Reply reply = client.exchange("GET /_ping HTTP/1.0\r\n\r\n", false);
            assertThat(reply.text()).isEqualTo("OK");
            assertThat(reply.header("connection")).isEqualToIgnoringCase("close");
            assertThat(client.readToEof()).isEmpty();
        }
    }

    // ---------------------------------------------------------------- request bodies

    @Test
    void twentyMegabyteBodyIsStreamedIntactWithBoundedBuffering() throws Exception {
        byte[] payload = new byte[20 * 1024 * 1024];
        new Random(42).nextBytes(payload);
        try (RawClient client = RawClient.unix(socket)) {
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    client.send("POST /v1.41/upload?throttle=1 HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\n"
                            + "Content-Length: " + payload.length + "\r\n\r\n");
                    client.send(payload);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            RawClient.Reply reply = client.readReply(false);
            sent.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(reply.status()).as(reply.text()).isEqualTo(200);
            JsonNode result = json(reply.text());
            assertThat(result.get("size").asLong()).isEqualTo(payload.length);
            assertThat(result.get("sha256").asText()).isEqualTo(sha256(payload));
            // The handler waited until reading had stopped, so the whole body was on offer: only a
            // bounded window of it was ever held.
            assertThat(result.get("peakBuffered").asLong()).isLessThan(4L * 1024 * 1024);
            assertThat(client.get("/_ping").text()).isEqualTo("OK");
        }
    }

    @Test
    void chunkedRequestBodyArrivesIntact() throws Exception {
        byte[] payload = new byte[5 * 1024 * 1024 + 7];
        new Random(7).nextBytes(payload);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tcpPort + "/upload"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(payload))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response.body()).get("sha256").asText()).isEqualTo(sha256(payload));
    }

    @Test
    void unreadSmallBodyIsSkippedAndConnectionKept() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            String body = "x".repeat(10_000);
            RawClient.Reply reply = client.exchange("POST /containers/idle/start HTTP/1.1\r\nHost: docker\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body, false);
            assertThat(reply.status()).isEqualTo(204);
            assertThat(client.get("/_ping").text()).isEqualTo("OK");
        }
    }

    @Test
    void handlerAnsweringBeforeTheBodyEndedKeepsTheConnectionUsable() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            int length = 100_000;
            client.send("POST /containers/idle/start HTTP/1.1\r\nHost: docker\r\nContent-Length: " + length + "\r\n\r\n"
                    + "y".repeat(1_000));
            assertThat(client.readReply(false).status()).isEqualTo(204);
            // The rest of the body arrives after the answer: skipped, then the next request is served.
            client.send("y".repeat(length - 1_000) + "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n");
            assertThat(client.readReply(false).text()).isEqualTo("OK");
        }
    }

    @Test
    void largeUnreadBodyEndsTheConnectionAfterTheAnswer() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            int length = 8 * 1024 * 1024;
            client.send("POST /containers/idle/start HTTP/1.1\r\nHost: docker\r\nContent-Length: " + length + "\r\n\r\n");
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    client.send(new byte[length]);
                } catch (IOException e) {
                    // expected: the server stops reading and closes
                }
            });
            assertThat(client.readReply(false).status()).isEqualTo(204);
            assertThat(client.readToEof()).isEmpty();
            sender.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    // ---------------------------------------------------------------- streamed responses

    @Test
    void streamIsDeliveredIncrementallyAndStopsWhenClientLeaves() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            client.send("GET /v1.41/logs?follow=1 HTTP/1.1\r\nHost: docker\r\n\r\n");
            RawClient.Reply head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(head.header("content-type")).isEqualTo("text/plain");
            for (int i = 0; i < 3; i++) {
                // The handler is blocked until we release it: this chunk can only be here if it was sent at flush.
                assertThat(new String(client.readChunk(), StandardCharsets.US_ASCII)).isEqualTo("line " + i + "\n");
                nextLine.release();
            }
        }
        assertThat(streamEnded.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(streamFailure.get()).isInstanceOf(IOException.class).hasMessageContaining("client disconnected");
        assertThat(streamSawGone.get()).isTrue();
    }

    @Test
    void largeStreamWaitsForASlowClientAndArrivesIntact() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            client.send("GET /export HTTP/1.1\r\nHost: docker\r\n\r\n");
            RawClient.Reply head = client.readHead();
            assertThat(head.header("transfer-encoding")).isEqualTo("chunked");
            // While we read nothing, the producer must be held back by the socket, not buffered in the heap.
            for (int i = 0; i < 100 && exported.get() < EXPORT_SIZE; i++) {
                Thread.sleep(10);
            }
            assertThat(exported.get()).isLessThan(4L * 1024 * 1024);

            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long received = 0;
            byte[] chunk;
            while ((chunk = client.readChunk()) != null) {
                sha.update(chunk);
                received += chunk.length;
            }
            assertThat(received).isEqualTo(EXPORT_SIZE);
            Random random = new Random(99);
            MessageDigest expected = MessageDigest.getInstance("SHA-256");
            byte[] block = new byte[64 * 1024];
            for (int done = 0; done < EXPORT_SIZE; done += block.length) {
                random.nextBytes(block);
                expected.update(block);
            }
            assertThat(sha.digest()).isEqualTo(expected.digest());
            assertThat(client.get("/_ping").text()).isEqualTo("OK");
        }
    }

    @Test
    void waitingHandlerLearnsThatClientLeft() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            client.send("GET /wait HTTP/1.1\r\nHost: docker\r\n\r\n");
        }
        assertThat(waitEnded.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    // ---------------------------------------------------------------- hijack

    @Test
    void upgradeHijacksWithRawBytesBothWaysAndHalfClose() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            // Empty Host, as the docker 20.10 CLI sends on attach.
            client.send("POST /v1.41/containers/abc/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: \r\n"
                    + "Content-Type: text/plain\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
            RawClient.Reply head = client.readHead();
            assertThat(head.status()).isEqualTo(101);
            assertThat(head.reason()).isEqualTo("UPGRADED");
            assertThat(head.header("content-type")).isEqualTo("application/vnd.docker.raw-stream");
            assertThat(head.header("connection")).isEqualTo("Upgrade");
            assertThat(head.header("upgrade")).isEqualTo("tcp");
            assertThat(head.header("api-version")).isEqualTo("1.47");
            assertThat(readString(client, "ready\n".length())).isEqualTo("ready\n");

            client.send("hello\n");
            assertThat(readString(client, 6)).isEqualTo("HELLO\n");
            // Something that looks like HTTP is just bytes now.
            client.send("GET / HTTP/1.1\r\n\r\n");
            assertThat(readString(client, 18)).isEqualTo("GET / HTTP/1.1\r\n\r\n");

            client.shutdownOutput();
            assertThat(new String(client.readToEof(), StandardCharsets.US_ASCII)).isEqualTo("bye\n");
        }
    }

    @Test
    void stdinSentBeforeTheResponseIsNotLost() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            client.send("POST /containers/abc/attach?stdin=1 HTTP/1.1\r\nHost: docker\r\n"
                    + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\nearly\n");
            client.shutdownOutput();
            assertThat(client.readHead().status()).isEqualTo(101);
            assertThat(new String(client.readToEof(), StandardCharsets.US_ASCII)).isEqualTo("ready\nEARLY\nbye\n");
        }
    }

    @Test
    void hijackWithoutUpgradeAnswers200() throws Exception {
        try (RawClient client = RawClient.tcp(tcpPort)) {
            client.send("POST /containers/abc/attach?stdin=1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
            RawClient.Reply head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-type")).isEqualTo("application/vnd.docker.raw-stream");
            assertThat(head.header("upgrade")).isNull();
            assertThat(readString(client, 6)).isEqualTo("ready\n");
            client.send("abc");
            assertThat(readString(client, 3)).isEqualTo("ABC");
            client.shutdownOutput();
            assertThat(new String(client.readToEof(), StandardCharsets.US_ASCII)).isEqualTo("bye\n");
        }
    }

    @Test
    void execStartReadsItsJsonBodyThenHijacks() throws Exception {
        try (RawClient client = RawClient.unix(socket)) {
            String body = "{\"Detach\":false,\"Tty\":true}";
            client.send("POST /v1.47/exec/e1/start HTTP/1.1\r\nHost: api.moby.localhost\r\nConnection: Upgrade\r\n"
                    + "Upgrade: tcp\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            RawClient.Reply head = client.readHead();
            assertThat(head.status()).isEqualTo(101);
            assertThat(head.header("content-type")).isEqualTo("application/vnd.docker.multiplexed-stream");
            // Closing the output ends the connection.
            assertThat(new String(client.readToEof(), StandardCharsets.US_ASCII)).isEqualTo("tty=true\n");
        }
    }

    private static String readString(RawClient client, int length) throws IOException {
        return new String(client.readExactly(length), StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------- the socket file

    @Test
    void socketFileHasMode0660() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
        assertThat(server.listening()).contains("unix://" + socket);
    }

    @Test
    void staleSocketFileIsReplaced() throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists();
        try (ApiServer second = ApiServer.start(List.of("unix://" + stale), new Router())) {
            try (RawClient client = RawClient.unix(stale)) {
                assertThat(client.get("/_ping").text()).isEqualTo("OK");
            }
        }
        assertThat(stale).doesNotExist();
    }

    @Test
    void liveSocketOrNonSocketPathIsRefusedAndLeftAlone() throws Exception {
        assertThatThrownBy(() -> ApiServer.start(List.of("unix://" + socket), new Router()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already listening on " + socket);
        try (RawClient client = RawClient.unix(socket)) {
            assertThat(client.get("/_ping").text()).isEqualTo("OK");
        }

        Path regular = dir.resolve("not-a-socket");
        Files.writeString(regular, "keep me");
        assertThatThrownBy(() -> ApiServer.start(List.of("tcp://127.0.0.1:0", "unix://" + regular), new Router()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a socket");
        assertThat(Files.readString(regular)).isEqualTo("keep me");

        Path other = dir.resolve("other/pier.sock");
        assertThatThrownBy(() -> ApiServer.start(List.of("unix://" + other, "tcp://127.0.0.1:" + tcpPort), new Router()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot listen on tcp://127.0.0.1:" + tcpPort);
        assertThat(other).doesNotExist(); // the unix bind before the failed one was undone

        assertThatThrownBy(() -> ApiServer.start(List.of("fd://"), new Router()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fd://");
        assertThatThrownBy(() -> ApiServer.start(List.of(), new Router()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeFreesTheSocketAndThePort() throws Exception {
        server.close();
        assertThat(socket).doesNotExist();
        assertThatThrownBy(() -> SocketChannel.open(UnixDomainSocketAddress.of(socket)).close()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> RawClient.tcp(tcpPort).close()).isInstanceOf(ConnectException.class);
        server.close(); // idempotent

        server = ApiServer.start(List.of("unix://" + socket, "tcp://127.0.0.1:" + tcpPort), new Router());
        try (RawClient client = RawClient.unix(socket)) {
            assertThat(client.get("/_ping").text()).isEqualTo("OK");
        }
        try (RawClient client = RawClient.tcp(tcpPort)) {
            assertThat(client.get("/_ping").text()).isEqualTo("OK");
        }
    }

    @Test
    void routerIsFrozenOnceServing() {
        Router router = new Router();
        try (ApiServer other = ApiServer.start(List.of("tcp://127.0.0.1:0"), router)) {
            assertThatThrownBy(() -> router.get("/late", request -> Response.noContent()))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    // ---------------------------------------------------------------- overhead

    /**
     * Not an assertion on time: prints the cost of a GET /networks round trip on a warm keep-alive
     * connection, next to the same client against a bare JDK unix-socket server that answers canned bytes
     * from a platform thread. The difference is what the API server adds (parsing, routing, a virtual
     * thread, JSON, headers), whatever else the machine is doing.
     */
    @Test
    void measureRequestOverhead() throws Exception {
        String request = "GET /v1.41/networks HTTP/1.1\r\nHost: docker\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\n\r\n";
        long pier;
        try (RawClient client = RawClient.unix(socket)) {
            pier = microsPerRequest(client, request);
        }
        byte[] canned;
        try (RawClient client = RawClient.unix(socket)) {
            client.send(request);
            canned = client.readReply(false).body();
        }
        Path bareSocket = dir.resolve("bare.sock");
        byte[] response = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + canned.length
                + "\r\n\r\n" + new String(canned, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        long bare;
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(bareSocket));
            Thread responder = Thread.ofPlatform().daemon().start(() -> answerCanned(listener, response));
            try (RawClient client = RawClient.unix(bareSocket)) {
                bare = microsPerRequest(client, request);
            }
            responder.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
        System.out.printf("[bench] GET /v1.41/networks, unix socket, keep-alive round trip: pier %d us, bare JDK socket %d us,"
                + " server overhead ~%d us (load average %s)%n", pier, bare, pier - bare,
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    private static long microsPerRequest(RawClient client, String request) throws IOException {
        // Long enough for the JIT to finish compiling the path, or compiler threads are what gets measured.
        for (int i = 0; i < 20_000; i++) {
            client.exchange(request, false);
        }
        int rounds = 5_000;
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            if (client.exchange(request, false).status() != 200) {
                throw new IllegalStateException("unexpected status");
            }
        }
        return (System.nanoTime() - start) / 1_000 / rounds;
    }

    /** Reads each request head (ends with a blank line) and writes the canned reply, until the client closes. */
    private static void answerCanned(ServerSocketChannel listener, byte[] response) {
        try (SocketChannel connection = listener.accept()) {
            java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(8192);
            int matched = 0;
            while (connection.read(in.clear()) > 0) {
                in.flip();
                while (in.hasRemaining()) {
                    byte b = in.get();
                    matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
                    if (matched == 4) {
                        matched = 0;
                        java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(response);
                        while (out.hasRemaining()) {
                            connection.write(out);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the client went away: measurement over
        }
    }
}
