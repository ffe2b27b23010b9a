package dev.pier.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A handler's writes to the client: body chunks of a streamed response, or raw bytes of a hijacked
 * connection. Buffers small writes until {@code flush()}; blocks while the client is slow to read (the
 * channel is not writable) so a fast producer cannot fill the heap; throws once the client has gone.
 */
final class ChannelOutput extends OutputStream {

    private static final int BUFFER = 16 * 1024;
    /** Larger writes go out in slices of this size so back-pressure applies within one write. */
    private static final int SLICE = 64 * 1024;

    private final Connection connection;
    private final Channel channel;
    private final boolean httpContent;
    private final ClientConnection client;
    private final Runnable onClose;
    private byte[] pending = new byte[BUFFER];
    private int count;
    private boolean closed;

    /**
     * @param httpContent wrap writes as HTTP body content (the encoder frames the chunks) rather than raw bytes
     * @param client      whose departure makes writes fail; for a hijacked stream only a lost channel counts
     * @param onClose     what closing does after the flush (end a hijacked connection), or null
     */
    ChannelOutput(Connection connection, boolean httpContent, ClientConnection client, Runnable onClose) {
        this.connection = connection;
        this.channel = connection.channel();
        this.httpContent = httpContent;
        this.client = client;
        this.onClose = onClose;
    }

    @Override
    public void write(int b) throws IOException {
        ensureUsable();
        if (count == pending.length) {
            sendPending();
        }
        pending[count++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
        ensureUsable();
        if (length <= pending.length - count) {
            System.arraycopy(bytes, offset, pending, count, length);
            count += length;
            return;
        }
        sendPending();
        if (length < pending.length) {
            System.arraycopy(bytes, offset, pending, 0, length);
            count = length;
            return;
        }
        for (int done = 0; done < length; done += SLICE) {
            int n = Math.min(SLICE, length - done);
            send(Arrays.copyOfRange(bytes, offset + done, offset + done + n));
        }
    }

    @Override
    public void flush() throws IOException {
        ensureUsable();
        sendPending();
    }

    /** Flushes and marks the stream done; then runs {@code onClose}, if any. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (count > 0 && isUsable()) {
                sendPending();
            }
        } finally {
            closed = true;
            if (onClose != null) {
                onClose.run();
            }
        }
    }

    private void sendPending() throws IOException {
        if (count == 0) {
            return;
        }
        byte[] chunk = Arrays.copyOf(pending, count);
        count = 0;
        send(chunk);
    }

    private void send(byte[] chunk) throws IOException {
        connection.awaitWritable();
        ensureUsable();
        var data = Unpooled.wrappedBuffer(chunk);
        channel.writeAndFlush(httpContent ? new DefaultHttpContent(data) : data)
                .addListener(connection.writeFailureListener());
    }

    private boolean isUsable() {
        return !closed && channel.isActive() && connection.writeFailure() == null && !client.gone();
    }

    private void ensureUsable() throws IOException {
        if (closed) {
            throw new IOException("stream already closed");
        }
        if (!isUsable()) {
            Throwable cause = connection.writeFailure();
            throw new IOException("client disconnected", cause);
        }
    }
}
