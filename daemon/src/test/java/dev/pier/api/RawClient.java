package dev.pier.api;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A deliberately dumb HTTP/1.1 client over a blocking SocketChannel: sends bytes as given, parses replies by hand. */
final class RawClient implements AutoCloseable {

    record Reply(int status, String reason, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip();

    private RawClient(SocketChannel channel) {
        this.channel = channel;
    }

    static RawClient unix(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new RawClient(channel);
    }

    static RawClient tcp(int port) throws IOException {
        return new RawClient(SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
    }

    SocketChannel channel() {
        return channel;
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /** Sends a request and reads one full reply (Content-Length, chunked, or none for HEAD/204/304). */
    Reply exchange(String request, boolean headRequest) throws IOException {
        send(request);
        return readReply(headRequest);
    }

    Reply get(String path) throws IOException {
        return exchange("GET " + path + " HTTP/1.1\r\nHost: docker\r\n\r\n", false);
    }

    Reply readReply(boolean headRequest) throws IOException {
        Reply head = readHead();
        String length = head.header("content-length");
        byte[] body;
        if (headRequest || head.status() == 204 || head.status() == 304 || head.status() == 101) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] chunk;
            while ((chunk = readChunk()) != null) {
                all.writeBytes(chunk);
            }
            body = all.toByteArray();
        } else if (length != null) {
            body = readExactly(Integer.parseInt(length));
        } else {
            body = readToEof();
        }
        return new Reply(head.status(), head.reason(), head.headers(), body);
    }

    /** Status line and headers only. */
    Reply readHead() throws IOException {
        String headText = readUntil("\r\n\r\n");
        String[] lines = headText.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.merge(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip(),
                    (a, b) -> a + ", " + b);
        }
        return new Reply(Integer.parseInt(statusLine[1]), statusLine.length > 2 ? statusLine[2] : "", headers, new byte[0]);
    }

    /** One chunk of a chunked body; null at the last (zero) chunk, whose trailer is consumed. */
    byte[] readChunk() throws IOException {
        String sizeLine = readUntil("\r\n");
        int size = Integer.parseInt(sizeLine.split(";")[0].strip(), 16);
        if (size == 0) {
            readUntil("\r\n");
            return null;
        }
        byte[] chunk = readExactly(size);
        readExactly(2);
        return chunk;
    }

    byte[] readExactly(int count) throws IOException {
        byte[] out = new byte[count];
        int done = 0;
        while (done < count) {
            if (!in.hasRemaining() && !fill()) {
                throw new EOFException("connection closed after " + done + " of " + count + " bytes");
            }
            int n = Math.min(in.remaining(), count - done);
            in.get(out, done, n);
            done += n;
        }
        return out;
    }

    /** Whatever arrives until the server closes (or shuts down its side). */
    byte[] readToEof() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        do {
            byte[] some = new byte[in.remaining()];
            in.get(some);
            out.writeBytes(some);
        } while (fill());
        return out.toByteArray();
    }

    /** Reads at least one byte, or returns the empty array at EOF. */
    byte[] readSome() throws IOException {
        if (!in.hasRemaining() && !fill()) {
            return new byte[0];
        }
        byte[] some = new byte[in.remaining()];
        in.get(some);
        return some;
    }

    private String readUntil(String terminator) throws IOException {
        StringBuilder text = new StringBuilder();
        while (true) {
            if (!in.hasRemaining() && !fill()) {
                throw new EOFException("connection closed before " + terminator.replace("\r\n", "CRLF") + "; got: " + text);
            }
            text.append((char) (in.get() & 0xff));
            if (endsWith(text, terminator)) {
                return text.substring(0, text.length() - terminator.length());
            }
        }
    }

    private static boolean endsWith(StringBuilder text, String suffix) {
        int offset = text.length() - suffix.length();
        if (offset < 0) {
            return false;
        }
        for (int i = 0; i < suffix.length(); i++) {
            if (text.charAt(offset + i) != suffix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean fill() throws IOException {
        in.compact();
        try {
            int n = channel.read(in);
            return n > 0;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("reset")) {
                return false;
            }
            throw e;
        } finally {
            in.flip();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
