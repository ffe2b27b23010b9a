package dev.pier.cli.http;

import dev.pier.cli.TestDaemon;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamDemuxerTest {

    private static String[] demux(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StreamDemuxer.demux(in, out, err);
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void framesGoToTheirStreams() throws IOException {
        byte[] stream = TestDaemon.concat(TestDaemon.frame(1, "hello "), TestDaemon.frame(2, "oops\n"),
                TestDaemon.frame(1, "world\n"), TestDaemon.frame(0, "stdin echo\n"), TestDaemon.frame(1, ""));
        assertThat(demux(new ByteArrayInputStream(stream))).containsExactly("hello world\nstdin echo\n", "oops\n");
    }

    @Test
    void framesSplitAcrossReadsAreReassembled() throws IOException {
        byte[] stream = TestDaemon.concat(TestDaemon.frame(1, "abcdefgh"), TestDaemon.frame(2, "ijk"));
        // one byte per read: headers and payloads arrive in pieces
        InputStream trickle = new ByteArrayInputStream(stream) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(1, len));
            }
        };
        assertThat(demux(trickle)).containsExactly("abcdefgh", "ijk");
    }

    @Test
    void largeFramesAndUtf8Payloads() throws IOException {
        char[] big = new char[100_000];
        Arrays.fill(big, 'x');
        String text = new String(big) + "é…";
        assertThat(demux(new ByteArrayInputStream(TestDaemon.frame(1, text)))[0]).isEqualTo(text);
    }

    @Test
    void truncatedStreamEndsQuietly() throws IOException {
        byte[] frame = TestDaemon.frame(1, "complete");
        byte[] stream = TestDaemon.concat(frame, Arrays.copyOf(TestDaemon.frame(1, "cut short"), 12));
        assertThat(demux(new ByteArrayInputStream(stream))[0]).isEqualTo("completecut ");
        assertThat(demux(new ByteArrayInputStream(new byte[] {1, 0, 0}))[0]).isEmpty();
    }

    @Test
    void systemErrorFrameAndUnknownStream() {
        assertThatThrownBy(() -> demux(new ByteArrayInputStream(TestDaemon.frame(3, "exec failed\n"))))
                .hasMessage("error from daemon in stream: exec failed");
        assertThatThrownBy(() -> demux(new ByteArrayInputStream(TestDaemon.frame(7, "x"))))
                .hasMessage("Unrecognized input header: 7");
    }

    @Test
    void rawCopyForTty() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamDemuxer.copyRaw(new ByteArrayInputStream("\u001b[1mtty\r\n".getBytes(StandardCharsets.UTF_8)), out);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("\u001b[1mtty\r\n");
    }
}
