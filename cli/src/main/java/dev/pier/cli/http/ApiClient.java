package dev.pier.cli.http;

import dev.pier.cli.CliError;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A small HTTP/1.1 client for the Engine API: one connection per request (the CLI makes a handful),
 * Content-Length, chunked and read-until-close bodies, and hijacked connections for attach/exec.
 */
public final class ApiClient {
    /** Every path is sent with this version prefix; the daemon routes it with or without. */
    public static final String API_PREFIX = "/v1.41";
    public static final String USER_AGENT = "Pier-Client/0.1.0 (linux)";

    private static final byte[] NO_BODY = new byte[0];

    private final Host host;

    public ApiClient(Host host) {
        this.host = host;
    }

    public Host host() {
        return host;
    }

    /** Sends a request with an optional in-memory body; the response is not status-checked. */
    public Response request(String method, String path, byte[] body, String contentType)
            throws IOException, CliError.CannotConnect {
        return exchange(method, path, body, contentType, null, -1, false);
    }

    /** Sends a request asking to hijack the connection ({@code Upgrade: tcp}): attach and exec start. */
    public Response upgrade(String method, String path, byte[] body) throws IOException, CliError.CannotConnect {
        return exchange(method, path, body, body == null ? null : "application/json", null, -1, true);
    }

    /** Streams {@code body} as the request body: Content-Length when known, else chunked. */
    public Response stream(String method, String path, InputStream body, long length, String contentType)
            throws IOException, CliError.CannotConnect {
        return exchange(method, path, null, contentType, body, length, false);
    }

    /** GET, status-checked, body parsed. */
    public Object getJson(String path) throws IOException, CliError {
        try (Response response = request("GET", path, null, null).check()) {
            return response.json();
        }
    }

    /** POST with a JSON body (or none), status-checked, body parsed (null when empty). */
    public Object postJson(String path, byte[] body) throws IOException, CliError {
        try (Response response = request("POST", path, body, body == null ? null : "application/json").check()) {
            return response.json();
        }
    }

    /** A request whose answer only matters for its status. */
    public void call(String method, String path) throws IOException, CliError {
        try (Response response = request(method, path, null, null).check()) {
            response.bytes();
        }
    }

    /** Sends the request headers now and returns the open connection; call {@link #read} later. */
    public Pending send(String method, String path, byte[] body) throws IOException, CliError.CannotConnect {
        Connection connection = open();
        try {
            writeRequest(connection, method, path, body, body == null ? null : "application/json", null, -1, false);
        } catch (IOException e) {
            connection.close();
            throw e;
        }
        return new Pending(connection, method);
    }

    /** A request already written whose response is read later (wait before start). */
    public static final class Pending {
        private final Connection connection;
        private final String method;

        private Pending(Connection connection, String method) {
            this.connection = connection;
            this.method = method;
        }

        public Response read() throws IOException {
            return readResponse(connection, method);
        }

        public void cancel() {
            try {
                connection.close();
            } catch (IOException ignored) {
                // closing only releases the socket
            }
        }
    }

    private Response exchange(String method, String path, byte[] body, String contentType, InputStream stream,
                              long length, boolean upgrade) throws IOException, CliError.CannotConnect {
        Connection connection = open();
        try {
            writeRequest(connection, method, path, body, contentType, stream, length, upgrade);
            return readResponse(connection, method);
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private Connection open() throws CliError.CannotConnect {
        Transport transport;
        try {
            transport = host.connect();
        } catch (InterruptedIOException e) {
            throw new CliError.CannotConnect("interrupted while connecting to the Pier daemon at " + host.uri());
        } catch (javax.net.ssl.SSLException e) {
            throw new CliError.CannotConnect("TLS with the Pier daemon at " + host.uri() + " failed: " + e.getMessage());
        } catch (IOException | SecurityException e) {
            String detail = e.getMessage() == null ? "" : e.getMessage();
            if (detail.contains("Permission denied") || e instanceof SecurityException) {
                throw new CliError.CannotConnect("permission denied while trying to connect to the Pier daemon socket at "
                        + host.uri());
            }
            throw new CliError.CannotConnect("Cannot connect to the Pier daemon at " + host.uri() + ". Is pierd running?");
        }
        return new Connection(transport);
    }

    private static void writeRequest(Connection connection, String method, String path, byte[] body,
                                     String contentType, InputStream stream, long length, boolean upgrade)
            throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append(method).append(' ').append(API_PREFIX).append(path).append(" HTTP/1.1\r\n");
        head.append("Host: pier\r\n");
        head.append("User-Agent: ").append(USER_AGENT).append("\r\n");
        if (upgrade) {
            head.append("Connection: Upgrade\r\nUpgrade: tcp\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        boolean chunked = false;
        if (stream != null) {
            if (length >= 0) {
                head.append("Content-Length: ").append(length).append("\r\n");
            } else {
                head.append("Transfer-Encoding: chunked\r\n");
                chunked = true;
            }
        } else if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
            head.append("Content-Length: 0\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body != null && body.length > 0) {
            byte[] all = new byte[headBytes.length + body.length];
            System.arraycopy(headBytes, 0, all, 0, headBytes.length);
            System.arraycopy(body, 0, all, headBytes.length, body.length);
            connection.out.write(all, 0, all.length);
        } else {
            connection.out.write(headBytes, 0, headBytes.length);
        }
        if (stream != null) {
            if (chunked) {
                Connection.writeChunked(connection.out, stream);
            } else {
                copyExactly(stream, connection.out, length);
            }
        }
    }

    private static void copyExactly(InputStream in, java.io.OutputStream out, long length) throws IOException {
        byte[] data = new byte[65536];
        long remaining = length;
        while (remaining > 0) {
            int n = in.read(data, 0, (int) Math.min(data.length, remaining));
            if (n < 0) {
                throw new IOException("the input ended " + remaining + " bytes before its announced length");
            }
            out.write(data, 0, n);
            remaining -= n;
        }
    }

    static Response readResponse(Connection connection, String method) throws IOException {
        String statusLine = connection.readLine();
        if (statusLine == null) {
            throw new IOException("the daemon closed the connection without answering");
        }
        // HTTP/1.1 200 OK
        int firstSpace = statusLine.indexOf(' ');
        if (!statusLine.startsWith("HTTP/") || firstSpace < 0) {
            throw new IOException("malformed HTTP status line: " + statusLine);
        }
        int secondSpace = statusLine.indexOf(' ', firstSpace + 1);
        String code = secondSpace < 0 ? statusLine.substring(firstSpace + 1) : statusLine.substring(firstSpace + 1, secondSpace);
        int status;
        try {
            status = Integer.parseInt(code.trim());
        } catch (NumberFormatException e) {
            throw new IOException("malformed HTTP status line: " + statusLine);
        }
        String reason = secondSpace < 0 ? "" : statusLine.substring(secondSpace + 1);
        Map<String, String> headers = new HashMap<>();
        String line;
        while ((line = connection.readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                String previous = headers.get(name);
                headers.put(name, previous == null ? value : previous + ", " + value);
            }
        }
        InputStream body;
        String transferEncoding = headers.get("transfer-encoding");
        String contentLength = headers.get("content-length");
        if (status == 101) {
            body = connection.in;
        } else if (method.equals("HEAD") || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            body = InputStream.nullInputStream();
        } else if (transferEncoding != null && transferEncoding.toLowerCase(java.util.Locale.ROOT).contains("chunked")) {
            body = new Connection.ChunkedInput(connection);
        } else if (contentLength != null) {
            long length;
            try {
                length = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                throw new IOException("malformed Content-Length: " + contentLength);
            }
            body = new Connection.FixedLengthInput(connection.in, length);
        } else {
            body = connection.in; // hijacked 200 or close-delimited
        }
        return new Response(connection, status, reason, headers, body);
    }

    // ---- paths and queries ------------------------------------------------------------------------

    /** Percent-encodes a path segment, keeping what image references need ({@code / : @}). */
    public static String segment(String value) {
        return encode(value, true);
    }

    /** Percent-encodes a query value. */
    public static String queryValue(String value) {
        return encode(value, false);
    }

    private static String encode(String value, boolean pathSegment) {
        boolean plain = true;
        for (int i = 0; i < value.length(); i++) {
            if (!keep(value.charAt(i), pathSegment)) {
                plain = false;
                break;
            }
        }
        if (plain) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 16);
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && keep(c, pathSegment)) {
                out.append(c);
            } else {
                out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
        }
        return out.toString();
    }

    private static boolean keep(char c, boolean pathSegment) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        return switch (c) {
            case '-', '_', '.', '~' -> true;
            case '/', ':', '@', '+' -> pathSegment;
            default -> false;
        };
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Builds {@code ?a=1&b=x} with encoded values. */
    public static final class Query {
        private final StringBuilder text = new StringBuilder();

        public Query add(String name, String value) {
            text.append(text.isEmpty() ? '?' : '&').append(name).append('=').append(queryValue(value));
            return this;
        }

        public Query addIf(boolean condition, String name, String value) {
            return condition ? add(name, value) : this;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
