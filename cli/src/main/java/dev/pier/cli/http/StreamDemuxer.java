package dev.pier.cli.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Docker's multiplexed stream (non-TTY attach, exec and logs): frames of an 8-byte header
 * {@code [stream, 0, 0, 0, size(uint32 big-endian)]} then {@code size} bytes. Stream 0 and 1 go to
 * stdout, 2 to stderr, 3 is an error from the daemon.
 */
public final class StreamDemuxer {
    private StreamDemuxer() {
    }

    /** Copies frames until the stream ends; output is flushed after each frame (logs -f, attach). */
    public static void demux(InputStream in, OutputStream stdout, OutputStream stderr) throws IOException {
        byte[] header = new byte[8];
        byte[] data = new byte[32768];
        while (true) {
            int got = readFully(in, header, 0, 8);
            if (got < 8) {
                return; // a clean end, or a truncated header at the end: nothing more to show
            }
            int stream = header[0] & 0xff;
            long size = ((header[4] & 0xffL) << 24) | ((header[5] & 0xffL) << 16) | ((header[6] & 0xffL) << 8)
                    | (header[7] & 0xffL);
            OutputStream target;
            switch (stream) {
                case 0, 1 -> target = stdout;
                case 2 -> target = stderr;
                case 3 -> {
                    byte[] message = in.readNBytes((int) Math.min(size, 1 << 20));
                    throw new IOException("error from daemon in stream: "
                            + new String(message, StandardCharsets.UTF_8).strip());
                }
                default -> throw new IOException("Unrecognized input header: " + stream);
            }
            long remaining = size;
            while (remaining > 0) {
                int n = in.read(data, 0, (int) Math.min(data.length, remaining));
                if (n < 0) {
                    target.flush();
                    return;
                }
                target.write(data, 0, n);
                remaining -= n;
            }
            target.flush();
        }
    }

    /** A TTY stream is not framed: copy it as it comes. */
    public static void copyRaw(InputStream in, OutputStream out) throws IOException {
        byte[] data = new byte[32768];
        int n;
        while ((n = in.read(data)) >= 0) {
            out.write(data, 0, n);
            out.flush();
        }
    }

    private static int readFully(InputStream in, byte[] buffer, int offset, int length) throws IOException {
        int total = 0;
        while (total < length) {
            int n = in.read(buffer, offset + total, length - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
