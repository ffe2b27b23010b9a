package dev.pier.api;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * One request and its response. {@link #run()} is the request's virtual thread: dispatch, then write the
 * response. The fields marked "event loop" belong to the {@link Connection}.
 */
final class Exchange implements Runnable, ClientConnection {

    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

    /** Docker's headers on every response (Go canonicalises API-Version and OSType to these spellings). */
    private static final HttpHeaders COMMON_HEADERS = new DefaultHttpHeaders()
            .add(AsciiString.cached("Api-Version"), AsciiString.cached(ApiVersion.MAX.toString()))
            .add(AsciiString.cached("Ostype"), AsciiString.cached("linux"))
            .add(HttpHeaderNames.SERVER, AsciiString.cached("Pier/0.1.0 (linux)"))
            .add(AsciiString.cached("Docker-Experimental"), AsciiString.cached("false"))
            .add(HttpHeaderNames.CACHE_CONTROL, AsciiString.cached("no-cache, no-store, must-revalidate"))
            .add(HttpHeaderNames.PRAGMA, HttpHeaderValues.NO_CACHE);
    private static final HttpResponseStatus UPGRADED = new HttpResponseStatus(101, "UPGRADED");
    private static final AsciiString TCP = AsciiString.cached("tcp");
    /** Docker's spelling (Netty's constant is lower case). */
    private static final AsciiString UPGRADE = AsciiString.cached("Upgrade");

    private final Connection connection;
    private final HttpRequest head;
    final InboundStream body;
    private final boolean keepAlive;
    private final boolean headOnly;

    // event loop
    boolean requestEnded;
    boolean responded;
    boolean closeAfter;
    long receivedWhenResponded;

    private volatile boolean gone;
    private List<Runnable> goneActions = new ArrayList<>(0);

    Exchange(Connection connection, HttpRequest head, InboundStream body) {
        this.connection = connection;
        this.head = head;
        this.body = body;
        this.keepAlive = HttpUtil.isKeepAlive(head);
        this.headOnly = head.method().equals(HttpMethod.HEAD);
    }

    static void addCommonHeaders(HttpResponse response) {
        response.headers().add(COMMON_HEADERS);
    }

    @Override
    public void run() {
        try {
            Response response = connection.dispatcher().dispatch(head.method().name(), head.uri(), head.headers(),
                    body, this);
            switch (response) {
                case Response.Json json -> sendFull(json.status(), HttpHeaderValues.APPLICATION_JSON, json.json());
                case Response.Text text -> sendFull(text.status(), text.contentType(), text.body());
                case Response.Empty empty -> sendFull(empty.status(), null, null);
                case Response.Stream stream -> sendStream(stream);
                case Response.Hijack hijack -> sendHijack(hijack);
            }
        } catch (Throwable e) {
            // An Error from a handler, or a failure to send: no answer is possible any more, but the
            // connection must not hang waiting for one.
            LOG.log(System.Logger.Level.ERROR, "no response to " + head.method() + " " + head.uri(), e);
            connection.abort(this);
        }
    }

    private static boolean hasNoBody(int status) {
        return status < 200 || status == 204 || status == 304;
    }

    private void sendFull(int status, CharSequence contentType, byte[] bytes) {
        boolean bodyless = hasNoBody(status);
        var content = bodyless || headOnly || bytes == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                content);
        HttpHeaders headers = response.headers().add(COMMON_HEADERS);
        if (contentType != null && !bodyless) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        if (!bodyless) {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes == null ? 0 : bytes.length);
        }
        setKeepAlive(response, keepAlive);
        connection.respond(this, response, !keepAlive);
    }

    private void sendStream(Response.Stream stream) {
        if (headOnly) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(stream.status()), Unpooled.EMPTY_BUFFER);
            response.headers().add(COMMON_HEADERS).set(HttpHeaderNames.CONTENT_TYPE, stream.contentType());
            setKeepAlive(response, keepAlive);
            connection.respond(this, response, !keepAlive);
            return;
        }
        // HTTP/1.0 has no chunks: the end of the body is the end of the connection.
        boolean chunked = head.protocolVersion().equals(HttpVersion.HTTP_1_1);
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(stream.status()));
        response.headers().add(COMMON_HEADERS).set(HttpHeaderNames.CONTENT_TYPE, stream.contentType());
        if (chunked) {
            response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        setKeepAlive(response, keepAlive && chunked);
        connection.writeHead(response);

        ChannelOutput out = new ChannelOutput(connection, true, this, null);
        try {
            stream.body().write(out);
            out.close();
        } catch (Exception e) {
            if (gone || !connection.channel().isActive()) {
                LOG.log(System.Logger.Level.DEBUG, () -> "stream of " + head.uri() + " ended, client gone: " + e);
            } else {
                LOG.log(System.Logger.Level.WARNING, "stream of " + head.method() + " " + head.uri() + " failed", e);
            }
            // The status is long sent: closing without the last chunk is how HTTP says "incomplete".
            connection.abort(this);
            return;
        }
        connection.respond(this, LastHttpContent.EMPTY_LAST_CONTENT, !keepAlive || !chunked);
    }

    private void sendHijack(Response.Hijack hijack) throws InterruptedException {
        boolean upgrade = hijack.status() == 101;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                upgrade ? UPGRADED : HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        HttpHeaders headers = response.headers().add(COMMON_HEADERS)
                .set(HttpHeaderNames.CONTENT_TYPE, hijack.contentType());
        if (upgrade) {
            headers.set(HttpHeaderNames.CONNECTION, UPGRADE).set(HttpHeaderNames.UPGRADE, TCP);
        }
        InputStream fromClient;
        try {
            fromClient = connection.hijack(this, response).get();
        } catch (ExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "hijack of " + head.uri() + " failed: " + e.getCause());
            connection.abort(this);
            return;
        }
        ChannelOutput toClient = new ChannelOutput(connection, false, ClientConnection.NEVER_GONE,
                connection::closeAfterFlush);
        try (fromClient) {
            hijack.session().run(fromClient, toClient);
            toClient.close();
        } catch (Exception e) {
            if (connection.channel().isActive()) {
                LOG.log(System.Logger.Level.WARNING, "session of " + head.method() + " " + head.uri() + " failed", e);
            } else {
                LOG.log(System.Logger.Level.DEBUG, () -> "session of " + head.uri() + " ended, client gone: " + e);
            }
        }
        connection.respond(this, null, true);
    }

    /** Responses always say HTTP/1.1, where keep-alive is the default; an HTTP/1.0 client must be told. */
    private void setKeepAlive(HttpResponse response, boolean keepAlive) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!head.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** Also true as soon as the connection is lost or a write to it failed, before the loop has marked it. */
    @Override
    public boolean gone() {
        return gone || connection.writeFailure() != null || !connection.channel().isActive();
    }

    @Override
    public void onGone(Runnable action) {
        synchronized (this) {
            if (!gone) {
                goneActions.add(action);
                return;
            }
        }
        Thread.startVirtualThread(action);
    }

    /** Event loop: the client closed or stopped sending. */
    void markGone() {
        List<Runnable> actions;
        synchronized (this) {
            if (gone) {
                return;
            }
            gone = true;
            actions = goneActions;
            goneActions = List.of();
        }
        for (Runnable action : actions) {
            Thread.startVirtualThread(action);
        }
    }
}
