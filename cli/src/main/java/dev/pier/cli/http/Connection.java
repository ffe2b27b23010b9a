package dev.pier.cli.http;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One connection: a buffered reader (status line, headers, then body bytes) and a writer over its
 * {@link Transport}. Reading and writing may happen on two threads at once (attach with stdin).
 */
final class Connection implements Closeable {
    private final Transport transport;
    private final byte[] buffer = new byte[16384];
    private int position;
    private int limit;
    private boolean eof;

    final InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
            if (position == limit && !fill()) {
                return -1;
            }
            return buffer[position++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (position == limit && !fill()) {
                return -1;
            }
            int n = Math.min(len, limit - position);
            System.arraycopy(buffer, position, b, off, n);
            position += n;
            return n;
        }

        @Override
        public int available() {
            return limit - position;
        }
    };

    final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            transport.write(b, off, len);
        }
    };

    Connection(Transport transport) {
        this.transport = transport;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int n = transport.read(buffer, 0, buffer.length);
        if (n <= 0) {
            eof = true;
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    /** A header line without its CRLF, decoded as ISO-8859-1; null at end of stream. */
    String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            if (position == limit && !fill()) {
                if (line.isEmpty()) {
                    return null;
                }
                throw new EOFException("connection closed in the middle of a line");
            }
            char c = (char) (buffer[position++] & 0xff);
            if (c == '\n') {
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') {
                    line.setLength(len - 1);
                }
                return line.toString();
            }
            line.append(c);
        }
    }

    void shutdownOutput() throws IOException {
        transport.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }

    /** Exactly {@code length} bytes of body. */
    static final class FixedLengthInput extends InputStream {
        private final InputStream in;
        private long remaining;

        FixedLengthInput(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed before the end of the response body");
            }
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("connection closed before the end of the response body");
            }
            remaining -= n;
            return n;
        }
    }

    /** Transfer-Encoding: chunked, trailers skipped. */
    static final class ChunkedInput extends InputStream {
        private final Connection connection;
        private long chunkRemaining;
        private boolean done;

        ChunkedInput(Connection connection) {
            this.connection = connection;
        }

        private boolean nextChunk() throws IOException {
            if (done) {
                return false;
            }
            if (chunkRemaining == 0) {
                String line = connection.readLine();
                if (line == null) {
                    throw new EOFException("connection closed inside a chunked body");
                }
                int semicolon = line.indexOf(';');
                String size = (semicolon >= 0 ? line.substring(0, semicolon) : line).trim();
                try {
                    chunkRemaining = Long.parseLong(size, 16);
                } catch (NumberFormatException e) {
                    throw new IOException("malformed chunk size: " + line);
                }
                if (chunkRemaining == 0) {
                    String trailer;
                    do {
                        trailer = connection.readLine();
                    } while (trailer != null && !trailer.isEmpty());
                    done = true;
                    return false;
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!nextChunk()) {
                return -1;
            }
            int n = connection.in.read(b, off, (int) Math.min(len, chunkRemaining));
            if (n < 0) {
                throw new EOFException("connection closed inside a chunk");
            }
            chunkRemaining -= n;
            if (chunkRemaining == 0) {
                String crlf = connection.readLine();
                if (crlf == null || !crlf.isEmpty()) {
                    throw new IOException("malformed chunk terminator");
                }
            }
            return n;
        }
    }

    /** Writes a request body of unknown length with Transfer-Encoding: chunked. */
    static void writeChunked(OutputStream out, InputStream body) throws IOException {
        byte[] data = new byte[65536];
        int n;
        while ((n = body.read(data)) >= 0) {
            if (n == 0) {
                continue;
            }
            out.write((Integer.toHexString(n) + "\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.write(data, 0, n);
            out.write(CRLF);
        }
        out.write(LAST_CHUNK);
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
}
