package dev.pier.cli.http;

import dev.pier.cli.CliError;
import dev.pier.cli.json.Json;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A response whose body is read as a stream. After a 101 (or a hijacked 200 without framing) the
 * body is the raw connection and {@link #rawOutput()} writes to the container's stdin.
 */
public final class Response implements Closeable {
    private final Connection connection;
    private final int status;
    private final String reason;
    private final Map<String, String> headers;
    private final InputStream body;

    Response(Connection connection, int status, String reason, Map<String, String> headers, InputStream body) {
        this.connection = connection;
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /** A header value by case-insensitive name, or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    public boolean ok() {
        return status >= 100 && status < 300;
    }

    public InputStream body() {
        return body;
    }

    public byte[] bytes() throws IOException {
        return body.readAllBytes();
    }

    /** The body as a JSON tree, or null when there is none. */
    public Object json() throws IOException {
        byte[] data = bytes();
        if (isBlank(data)) {
            return null;
        }
        return Json.parse(data);
    }

    /** The connection's write side, for hijacked streams (stdin). */
    public OutputStream rawOutput() {
        return connection.out;
    }

    /** Half-closes the write side: the container sees end of stdin. */
    public void closeWrite() throws IOException {
        connection.shutdownOutput();
    }

    /** Throws the daemon's error when the status is not a success. */
    public Response check() throws IOException, CliError.Daemon {
        if (!ok()) {
            CliError.Daemon error = error();
            close();
            throw error;
        }
        return this;
    }

    /** Reads the body as Docker's error document {@code {"message": "..."}}. */
    public CliError.Daemon error() throws IOException {
        byte[] data;
        try {
            data = bytes();
        } catch (IOException e) {
            data = new byte[0];
        }
        String message = null;
        if (!isBlank(data)) {
            try {
                Object tree = Json.parse(data);
                if (tree instanceof Map<?, ?> map && map.get("message") instanceof String s) {
                    message = s;
                }
            } catch (IOException notJson) {
                message = new String(data, StandardCharsets.UTF_8).strip();
            }
        }
        if (message == null || message.isEmpty()) {
            message = status + " " + reason;
        }
        return new CliError.Daemon(status, message);
    }

    private static boolean isBlank(byte[] data) {
        for (byte b : data) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
