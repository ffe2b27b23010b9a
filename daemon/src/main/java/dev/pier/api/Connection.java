package dev.pier.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client connection, on its event loop: hands each request to an {@link Exchange} on a virtual thread,
 * feeds it the body, and serves requests one after the other (keep-alive, pipelining). After a hijack, it
 * only moves raw bytes.
 *
 * <p>Everything here runs on the event loop except the methods documented as callable from any thread.
 */
final class Connection extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());

    /** Reasons to stop reading from the socket; reading resumes when none is left. */
    private static final int BLOCKED_BY_BODY = 1;
    private static final int BLOCKED_BY_HELD_BYTES = 2;
    private static final int BLOCKED_BY_RAW_INPUT = 4;

    /** A request pipelined behind one in progress is held undecoded, up to this much. */
    private static final int HELD_LIMIT = 1024 * 1024;
    /** After the response, an unread request body is skipped up to this much, then the connection closes. */
    private static final long DISCARD_LIMIT = 256 * 1024;

    private final Dispatcher dispatcher;
    private final ThreadFactory handlerThreads;
    private final RequestDecoder decoder;
    private final HttpResponseEncoder encoder;

    private ChannelHandlerContext context;
    private Channel channel;
    private Exchange exchange;
    private boolean inputShutdown;
    private boolean hijacked;
    private InboundStream rawInput;
    private int readBlockers;

    private final ReentrantLock writability = new ReentrantLock();
    private final Condition writabilityChanged = writability.newCondition();
    private volatile Throwable writeFailure;
    private final ChannelFutureListener onWriteDone = future -> {
        if (!future.isSuccess()) {
            writeFailure = future.cause();
            future.channel().close();
        }
    };

    Connection(Dispatcher dispatcher, ThreadFactory handlerThreads, RequestDecoder decoder, HttpResponseEncoder encoder) {
        this.dispatcher = dispatcher;
        this.handlerThreads = handlerThreads;
        this.decoder = decoder;
        this.encoder = encoder;
    }

    Channel channel() {
        return channel;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    /** Any thread: why the last write failed, or null. */
    Throwable writeFailure() {
        return writeFailure;
    }

    ChannelFutureListener writeFailureListener() {
        return onWriteDone;
    }

    /** Any thread but the event loop: waits while the client is slow to read what we already sent. */
    void awaitWritable() throws IOException {
        if (channel.isWritable() || !channel.isActive()) {
            return;
        }
        writability.lock();
        try {
            while (channel.isActive() && !channel.isWritable()) {
                writabilityChanged.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the client to read");
        } finally {
            writability.unlock();
        }
    }

    private void signalWritability() {
        writability.lock();
        try {
            writabilityChanged.signalAll();
        } finally {
            writability.unlock();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        try {
            if (hijacked) {
                if (message instanceof ByteBuf bytes) {
                    rawInput.offer(bytes);
                }
                return;
            }
            if (message instanceof HttpRequest request) {
                startExchange(request);
            }
            if (message instanceof HttpContent content) {
                onContent(content);
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private void startExchange(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            rejectMalformed(request);
            return;
        }
        if (exchange != null) {
            // The decoder is paused while a request is served, so this would be a bug, not a client error.
            LOG.log(System.Logger.Level.ERROR, "second request on a connection while one is in progress");
            channel.close();
            return;
        }
        Exchange started = new Exchange(this, request, new InboundStream(this::throttleBody));
        exchange = started;
        if (HttpUtil.is100ContinueExpected(request)) {
            context.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER)).addListener(onWriteDone);
        }
        handlerThreads.newThread(started).start();
    }

    private void onContent(HttpContent content) {
        Exchange current = exchange;
        if (current == null || current.requestEnded) {
            return;
        }
        if (content.decoderResult().isFailure()) {
            current.body.fail(new IOException("malformed request body: " + content.decoderResult().cause().getMessage()));
            current.requestEnded = true;
            current.closeAfter = true;
            maybeFinish(current);
            return;
        }
        current.body.offer(content.content());
        if (current.responded && current.body.received() - current.receivedWhenResponded > DISCARD_LIMIT) {
            // The handler answered without reading a large body: closing is cheaper than reading it all.
            current.closeAfter = true;
            current.requestEnded = true;
            maybeFinish(current);
            return;
        }
        if (content instanceof LastHttpContent) {
            current.body.end();
            current.requestEnded = true;
            decoder.pause();
            maybeFinish(current);
        }
    }

    /** Netty could not parse the request: answer 400 and close, as the stream is out of step. */
    private void rejectMalformed(HttpObject request) {
        Throwable cause = request.decoderResult().cause();
        byte[] body = Dispatcher.errorJson("malformed HTTP request: " + cause.getMessage());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
                Unpooled.wrappedBuffer(body));
        Exchange.addCommonHeaders(response);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** Any thread: the body stream filled up (stop reading) or drained (read again). */
    private void throttleBody(boolean stopReading) {
        onLoop(() -> setBlocked(BLOCKED_BY_BODY, stopReading));
    }

    private void throttleRaw(boolean stopReading) {
        onLoop(() -> setBlocked(BLOCKED_BY_RAW_INPUT, stopReading));
    }

    /**
     * Any thread: runs {@code task} on this connection's event loop. Once the server has shut the loop
     * down the connection is closed and there is nothing left to do, so the task is dropped.
     */
    private boolean onLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
            return true;
        }
        try {
            channel.eventLoop().execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "event loop gone, connection already closed");
            return false;
        }
    }

    private void setBlocked(int reason, boolean blocked) {
        int before = readBlockers;
        readBlockers = blocked ? readBlockers | reason : readBlockers & ~reason;
        if ((before == 0) != (readBlockers == 0)) {
            channel.config().setAutoRead(readBlockers == 0);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!hijacked && exchange != null) {
            setBlocked(BLOCKED_BY_HELD_BYTES, decoder.heldBytes() > HELD_LIMIT);
        }
        ctx.fireChannelReadComplete();
    }

    /**
     * Any thread: queue the response (head, or last chunk) and mark the exchange answered. Ordered after
     * every write the handler's thread made before.
     */
    void respond(Exchange answered, Object lastMessage, boolean close) {
        onLoop(() -> {
            if (lastMessage != null) {
                context.writeAndFlush(lastMessage).addListener(onWriteDone);
            }
            answered.responded = true;
            answered.receivedWhenResponded = answered.body.received();
            if (close) {
                answered.closeAfter = true;
            }
            if (!answered.requestEnded) {
                answered.body.close();
                if (answered.closeAfter) {
                    answered.requestEnded = true;
                }
            }
            maybeFinish(answered);
        });
    }

    /** Any thread: the head of a streamed response; the body follows through {@link ChannelOutput}. */
    void writeHead(Object head) {
        onLoop(() -> context.writeAndFlush(head).addListener(onWriteDone));
    }

    /** Any thread: ends the connection without completing the response (a stream failed half-way). */
    void abort(Exchange failed) {
        onLoop(() -> {
            failed.responded = true;
            failed.requestEnded = true;
            failed.closeAfter = true;
            maybeFinish(failed);
        });
    }

    /**
     * Any thread: sends {@code head} as the last HTTP of this connection, then removes the HTTP codec so bytes
     * pass raw both ways. Completes with the stream of what the client sends next.
     */
    CompletableFuture<InboundStream> hijack(Exchange owner, FullHttpResponse head) {
        CompletableFuture<InboundStream> switched = new CompletableFuture<>();
        boolean queued = onLoop(() -> {
            try {
                if (!channel.isActive()) {
                    head.release();
                    throw new IOException("client disconnected before the stream started");
                }
                hijacked = true;
                owner.requestEnded = true;
                owner.body.end();
                rawInput = new InboundStream(this::throttleRaw);
                setBlocked(BLOCKED_BY_BODY | BLOCKED_BY_HELD_BYTES, false);
                // Removing the decoder passes on what it held (stdin sent early) to channelRead, now raw.
                channel.pipeline().remove(decoder);
                if (inputShutdown) {
                    rawInput.end();
                }
                context.write(head).addListener(onWriteDone);
                channel.pipeline().remove(encoder);
                context.flush();
                switched.complete(rawInput);
            } catch (Throwable e) {
                switched.completeExceptionally(e);
            }
        });
        if (!queued) {
            head.release();
            switched.completeExceptionally(new IOException("server closed"));
        }
        return switched;
    }

    private void maybeFinish(Exchange done) {
        if (exchange != done || !done.responded || !done.requestEnded) {
            return;
        }
        exchange = null;
        if (done.closeAfter || inputShutdown || hijacked || !channel.isActive()) {
            closeAfterFlush();
            return;
        }
        setBlocked(BLOCKED_BY_BODY | BLOCKED_BY_HELD_BYTES, false);
        // Not inline: this may run inside the decoder's own fireChannelRead, and decoding again from there
        // would re-enter it on the buffer it is still working on.
        channel.eventLoop().execute(() -> {
            if (exchange == null && !hijacked && channel.isActive()) {
                decoder.resume();
            }
        });
    }

    /**
     * The client is done sending: a TCP half-close, or over TLS its close_notify (Go's tls.Conn.CloseWrite,
     * what Docker's client does at the end of stdin, sends that alone and keeps the connection open).
     */
    static boolean endsInput(Object event) {
        return event instanceof ChannelInputShutdownEvent
                || event instanceof io.netty.handler.ssl.SslCloseCompletionEvent close && close.isSuccess();
    }

    /** Any thread: closes once everything written so far has gone out. */
    void closeAfterFlush() {
        context.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (endsInput(event)) {
            inputShutdown = true;
            if (hijacked) {
                rawInput.end();
            } else if (exchange == null) {
                channel.close();
            } else {
                Exchange current = exchange;
                if (!current.requestEnded) {
                    current.body.fail(new IOException("client closed the connection before the end of the request body"));
                    current.requestEnded = true;
                }
                // Like Go's server (and so Docker): a client that stops sending is treated as gone.
                current.markGone();
                maybeFinish(current);
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        signalWritability();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange current = exchange;
        if (current != null) {
            current.body.fail(new IOException("client closed the connection"));
            current.markGone();
        }
        if (rawInput != null) {
            rawInput.end();
        }
        signalWritability();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.log(System.Logger.Level.DEBUG, () -> "API connection lost: " + cause.getMessage());
        } else {
            LOG.log(System.Logger.Level.WARNING, "API connection failed", cause);
        }
        ctx.close();
    }
}
