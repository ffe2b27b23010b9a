package dev.pier.api;

import java.io.OutputStream;

/**
 * Produces the body of a chunked response ({@code logs -f}, {@code events}, {@code export}...).
 *
 * <p>Runs on the request's virtual thread after the status line and headers are sent. {@code flush()}
 * sends what was written so far; large writes go out without waiting for a flush. Writes block while
 * the client is slow to read, and throw an {@link java.io.IOException} once the client has gone: a
 * producer that mostly waits should also watch {@link Request#client()}.
 *
 * <p>The status is sent before this runs, so validate (and throw {@link ApiException}) in the handler. An
 * exception from here ends the connection without the final chunk, which clients report as a truncated body.
 */
@FunctionalInterface
public interface StreamBody {
    void write(OutputStream out) throws Exception;
}
