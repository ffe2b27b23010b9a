package dev.pier.cli.command;

import dev.pier.cli.Cli;
import dev.pier.cli.http.Response;
import dev.pier.cli.http.StreamDemuxer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A hijacked attach or exec stream: our stdin copied to the connection (when interactive) on a
 * virtual thread, the container's output copied to our stdout/stderr on the calling thread, demuxed
 * unless it is a TTY stream.
 */
final class Session {
    private Session() {
    }

    static void pump(Cli cli, Response stream, boolean tty, boolean interactive) throws IOException {
        if (interactive) {
            Thread.ofVirtual().name("pier-stdin").start(new StdinCopier(cli.in(), stream));
        }
        try {
            if (tty) {
                StreamDemuxer.copyRaw(stream.body(), cli.out());
            } else {
                StreamDemuxer.demux(stream.body(), cli.out(), cli.err());
            }
        } finally {
            cli.out().flush();
            cli.err().flush();
        }
    }

    /** Copies stdin until it ends, then half-closes so the container sees end of input. */
    private static final class StdinCopier implements Runnable {
        private final InputStream in;
        private final Response stream;

        StdinCopier(InputStream in, Response stream) {
            this.in = in;
            this.stream = stream;
        }

        @Override
        public void run() {
            OutputStream out = stream.rawOutput();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (n > 0) {
                        out.write(buffer, 0, n);
                    }
                }
                stream.closeWrite();
            } catch (IOException ignored) {
                // the container went away or the connection closed: nothing left to send
            }
        }
    }
}
