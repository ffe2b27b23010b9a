package dev.pier.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A scripted Engine API on a temporary unix socket: records every request and answers with what the
 * test's handler returns (fixed length, chunked, close-delimited, or a 101 upgrade with a raw stream).
 */
public final class TestDaemon implements AutoCloseable {
    /** One request as received. */
    public record Request(String method, String path, Map<String, String> headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The path without the /v1.xx prefix. */
        public String route() {
            if (path.startsWith("/v1.")) {
                int slash = path.indexOf('/', 1);
                return path.substring(slash);
            }
            return path;
        }
    }

    /** How to answer. */
    public sealed interface Reply permits Fixed, Chunked, Upgrade, CloseDelimited {
    }

    public record Fixed(int status, String contentType, byte[] body) implements Reply {
    }

    public record Chunked(int status, String contentType, List<byte[]> chunks) implements Reply {
    }

    public record CloseDelimited(int status, byte[] body) implements Reply {
    }

    /** 101, then {@code stream} raw; if {@code echoStdin} the bytes the client sends are framed back on stdout. */
    public record Upgrade(byte[] stream, boolean echoStdin) implements Reply {
    }

    public static Reply json(int status, String json) {
        return new Fixed(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public static Reply noContent() {
        return new Fixed(204, null, new byte[0]);
    }

    public static Reply error(int status, String message) {
        return json(status, "{\"message\":\"" + message + "\"}");
    }

    /** Docker's multiplexed frame. */
    public static byte[] frame(int stream, String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[8 + data.length];
        out[0] = (byte) stream;
        out[4] = (byte) (data.length >>> 24);
        out[5] = (byte) (data.length >>> 16);
        out[6] = (byte) (data.length >>> 8);
        out[7] = (byte) data.length;
        System.arraycopy(data, 0, out, 8, data.length);
        return out;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private final Path directory;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Function<Request, Reply> handler;
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Thread acceptor;

    public TestDaemon(Function<Request, Reply> handler) throws IOException {
        this.handler = handler;
        this.directory = Files.createTempDirectory("pier-cli-test");
        this.socket = directory.resolve("pier.sock");
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = Thread.ofPlatform().daemon().name("test-daemon").start(this::acceptLoop);
    }

    public String host() {
        return "unix://" + socket;
    }

    public List<Request> requests() {
        synchronized (requests) {
            return new ArrayList<>(requests);
        }
    }

    /** The first request whose route starts with {@code prefix}. */
    public Request request(String method, String prefix) {
        for (Request r : requests()) {
            if (r.method().equals(method) && r.route().startsWith(prefix)) {
                return r;
            }
        }
        throw new AssertionError("no " + method + " " + prefix + " in " + requests());
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread.ofPlatform().daemon().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            InputStream in = Channels.newInputStream(client);
            OutputStream out = Channels.newOutputStream(client);
            while (true) {
                Request request = readRequest(in);
                if (request == null) {
                    return;
                }
                requests.add(request);
                Reply reply = handler.apply(request);
                if (!write(reply, in, out, client)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** Returns whether the connection can serve another request. */
    private static boolean write(Reply reply, InputStream in, OutputStream out, SocketChannel client) throws IOException {
        switch (reply) {
            case Fixed fixed -> {
                StringBuilder head = new StringBuilder("HTTP/1.1 " + fixed.status() + " " + reason(fixed.status()) + "\r\n");
                if (fixed.contentType() != null) {
                    head.append("Content-Type: ").append(fixed.contentType()).append("\r\n");
                }
                if (fixed.status() != 204 && fixed.status() != 304) {
                    head.append("Content-Length: ").append(fixed.body().length).append("\r\n");
                }
                head.append("\r\n");
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(fixed.body());
                out.flush();
                return true;
            }
            case Chunked chunked -> {
                out.write(("HTTP/1.1 " + chunked.status() + " " + reason(chunked.status()) + "\r\nContent-Type: "
                        + chunked.contentType() + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                for (byte[] chunk : chunked.chunks()) {
                    out.write((Integer.toHexString(chunk.length) + ";ext=1\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
                out.write("0\r\nX-Trailer: yes\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return true;
            }
            case CloseDelimited raw -> {
                out.write(("HTTP/1.1 " + raw.status() + " " + reason(raw.status()) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(raw.body());
                out.flush();
                return false;
            }
            case Upgrade upgrade -> {
                out.write(("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
                        + "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(upgrade.stream());
                out.flush();
                if (upgrade.echoStdin()) {
                    byte[] stdin = in.readAllBytes(); // until the client half-closes
                    out.write(frame(1, "stdin:" + new String(stdin, StandardCharsets.UTF_8)));
                    out.flush();
                }
                client.shutdownOutput();
                return false;
            }
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            default -> "Status";
        };
    }

    private static Request readRequest(InputStream in) throws IOException {
        String line = readLine(in);
        if (line == null || line.isEmpty()) {
            return null;
        }
        String[] parts = line.split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        String header;
        while ((header = readLine(in)) != null && !header.isEmpty()) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(readLine(in).trim(), 16);
                if (size == 0) {
                    readLine(in);
                    break;
                }
                all.writeBytes(in.readNBytes(size));
                readLine(in);
            }
            body = all.toByteArray();
        } else {
            body = new byte[0];
        }
        return new Request(parts[0], parts[1], headers, body);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(directory);
    }

    // ---- running the CLI in-process -------------------------------------------------------------------

    /** What one in-process command printed and returned. */
    public record Outcome(int exitCode, String out, String err) {
    }

    /** Runs {@code pier args...} against this daemon with the given stdin. */
    public Outcome run(byte[] stdin, String... args) {
        return runAgainst(host(), stdin, args);
    }

    public Outcome run(String... args) {
        return run(new byte[0], args);
    }

    public static Outcome runAgainst(String host, byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        Map<String, String> environment = new LinkedHashMap<>();
        if (host != null) {
            environment.put("PIER_HOST", host);
        }
        Cli cli = new Cli(new java.io.ByteArrayInputStream(stdin), outStream, errStream, environment);
        int code = Main.run(args, cli);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
