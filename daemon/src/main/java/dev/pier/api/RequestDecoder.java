package dev.pier.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.util.List;

/**
 * Netty's request decoder, made to stop at the end of each request until its response is decided.
 *
 * <p>Why: bytes that follow a request may be the raw stdin of a hijacked {@code attach}, not a next
 * request. While paused, they stay undecoded in the cumulation buffer; when the response turns out to
 * be a hijack, removing this handler hands them on raw (Netty forwards a removed decoder's leftovers);
 * otherwise {@link #resume()} decodes them as the next request (pipelining).
 */
final class RequestDecoder extends HttpRequestDecoder {

    /** Docker's filters travel in the query string and registry auth in headers: allow more than Netty's 4/8 KiB. */
    private static final HttpDecoderConfig CONFIG = new HttpDecoderConfig()
            .setMaxInitialLineLength(64 * 1024)
            .setMaxHeaderSize(64 * 1024)
            .setMaxChunkSize(64 * 1024);

    private ChannelHandlerContext context;
    private boolean paused;

    RequestDecoder() {
        super(CONFIG);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        super.handlerAdded(ctx);
    }

    /** Event loop: called when the last content of a request has been decoded. */
    void pause() {
        paused = true;
    }

    /** Event loop: decodes what arrived meanwhile (a pipelined request), then goes on as usual. */
    void resume() {
        paused = false;
        if (internalBuffer().isReadable() && !context.isRemoved()) {
            try {
                channelRead(context, Unpooled.EMPTY_BUFFER);
                channelReadComplete(context);
            } catch (Exception e) {
                context.fireExceptionCaught(e);
            }
        }
    }

    /** Bytes held while paused. */
    int heldBytes() {
        return internalBuffer().readableBytes();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (!paused) {
            super.decode(ctx, buffer, out);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (paused && Connection.endsInput(event)) {
            // Netty would decode-last and drop the held bytes; they may be stdin for a hijack, so keep them
            // and let the connection see the half-close after them.
            ctx.fireUserEventTriggered(event);
            return;
        }
        super.userEventTriggered(ctx, event);
    }
}
