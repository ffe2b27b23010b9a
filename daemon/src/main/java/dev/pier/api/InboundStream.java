package dev.pier.api;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bytes from the client (a request body, or stdin of a hijacked connection) handed from the event loop to
 * the handler's virtual thread. Holds at most about {@link #HIGH_WATER} bytes: above it, the connection
 * stops reading from the socket until the handler has caught up, so a 20 MB {@code docker load} never sits
 * in memory whole.
 */
final class InboundStream extends InputStream {

    static final int HIGH_WATER = 256 * 1024;
    static final int LOW_WATER = 64 * 1024;

    /** Called with true on the event loop when full, with false from the reader when drained. */
    interface Throttle {
        void throttle(boolean stopReading);
    }

    private final Throttle throttle;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int headOffset;
    private long buffered;
    private long peakBuffered;
    private long received;
    private boolean ended;
    private boolean closed;
    private boolean throttled;
    private IOException failure;

    InboundStream(Throttle throttle) {
        this.throttle = throttle;
    }

    /** Event loop: copies the readable bytes of {@code data}; the caller keeps ownership of it. */
    void offer(ByteBuf data) {
        int length = data.readableBytes();
        if (length == 0) {
            return;
        }
        boolean stopReading = false;
        lock.lock();
        try {
            received += length;
            if (closed || ended) {
                return;
            }
            byte[] copy = new byte[length];
            data.getBytes(data.readerIndex(), copy);
            chunks.addLast(copy);
            buffered += length;
            peakBuffered = Math.max(peakBuffered, buffered);
            if (!throttled && buffered >= HIGH_WATER) {
                throttled = true;
                stopReading = true;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (stopReading) {
            throttle.throttle(true);
        }
    }

    /** Event loop: no more bytes will come. */
    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Event loop: the bytes stop short (connection lost mid-body); readers get {@code cause} after what arrived. */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (!ended) {
                failure = cause;
                ended = true;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    boolean isEnded() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    /** True while reading from the socket is stopped because this stream is full. */
    boolean isThrottled() {
        lock.lock();
        try {
            return throttled;
        } finally {
            lock.unlock();
        }
    }

    long peakBuffered() {
        lock.lock();
        try {
            return peakBuffered;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes that arrived, read or not (including those dropped after {@link #close()}). */
    long received() {
        lock.lock();
        try {
            return received;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, target.length);
        if (length == 0) {
            return 0;
        }
        boolean resumeReading = false;
        int copied = 0;
        lock.lock();
        try {
            while (chunks.isEmpty() && !ended && !closed) {
                changed.await();
            }
            if (closed) {
                throw new IOException("stream closed");
            }
            if (chunks.isEmpty()) {
                if (failure != null) {
                    throw new IOException(failure.getMessage(), failure);
                }
                return -1;
            }
            while (copied < length && !chunks.isEmpty()) {
                byte[] head = chunks.peekFirst();
                int n = Math.min(length - copied, head.length - headOffset);
                System.arraycopy(head, headOffset, target, offset + copied, n);
                copied += n;
                headOffset += n;
                if (headOffset == head.length) {
                    chunks.removeFirst();
                    headOffset = 0;
                }
            }
            buffered -= copied;
            if (throttled && buffered <= LOW_WATER) {
                throttled = false;
                resumeReading = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the client");
        } finally {
            lock.unlock();
        }
        if (resumeReading) {
            throttle.throttle(false);
        }
        return copied;
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, buffered);
        } finally {
            lock.unlock();
        }
    }

    /** Drops what is buffered and whatever still arrives; reading resumes so the connection can move on. */
    @Override
    public void close() {
        boolean resumeReading;
        lock.lock();
        try {
            closed = true;
            chunks.clear();
            buffered = 0;
            resumeReading = throttled;
            throttled = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (resumeReading) {
            throttle.throttle(false);
        }
    }
}
