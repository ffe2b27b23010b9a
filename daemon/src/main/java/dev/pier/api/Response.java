package dev.pier.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** What a {@link Handler} answers. The server adds Docker's common headers to every variant. */
public sealed interface Response {

    /** Attach and exec without a TTY on API < 1.42, and every TTY session. */
    String RAW_STREAM = "application/vnd.docker.raw-stream";
    /** Attach and exec without a TTY on API >= 1.42: stdout/stderr framed with 8-byte headers. */
    String MULTIPLEXED_STREAM = "application/vnd.docker.multiplexed-stream";

    int status();

    /** {@code application/json}; {@code json} is already serialised (see {@link dev.pier.api.Json}). */
    record Json(int status, byte[] json) implements Response {
        public Json {
            checkStatus(status);
            Objects.requireNonNull(json, "json");
        }
    }

    /** No body: 204, 304, or a 200/201 with nothing to say. */
    record Empty(int status) implements Response {
        public Empty {
            checkStatus(status);
        }
    }

    record Text(int status, String contentType, byte[] body) implements Response {
        public Text {
            checkStatus(status);
            checkContentType(contentType);
            Objects.requireNonNull(body, "body");
        }
    }

    /** A chunked body produced while it is sent: logs, events, stats, export. */
    record Stream(int status, String contentType, StreamBody body) implements Response {
        public Stream {
            checkStatus(status);
            checkContentType(contentType);
            Objects.requireNonNull(body, "body");
        }
    }

    /**
     * Takes the connection over after the response head (attach, exec start). Use {@link #hijack} to get
     * the status right: 101 when the client asked for {@code Upgrade: tcp}, else 200 (docker-java).
     */
    record Hijack(int status, String contentType, RawConnection session) implements Response {
        public Hijack {
            if (status != 101 && status != 200) {
                throw new IllegalArgumentException("a hijacked response is 101 or 200, not " + status);
            }
            checkContentType(contentType);
            Objects.requireNonNull(session, "session");
        }
    }

    static Json ok(Object value) {
        return new Json(200, dev.pier.api.Json.write(value));
    }

    static Json json(int status, Object value) {
        return new Json(status, dev.pier.api.Json.write(value));
    }

    static Json created(Object value) {
        return json(201, value);
    }

    static Empty noContent() {
        return new Empty(204);
    }

    static Empty empty(int status) {
        return new Empty(status);
    }

    static Text text(String body) {
        return new Text(200, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    static Stream stream(String contentType, StreamBody body) {
        return new Stream(200, contentType, body);
    }

    static Hijack hijack(Request request, String contentType, RawConnection session) {
        return new Hijack(request.wantsUpgrade() ? 101 : 200, contentType, session);
    }

    private static void checkStatus(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status must be 100-599, not " + status);
        }
    }

    private static void checkContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw new IllegalArgumentException("a content type is required");
        }
    }
}
