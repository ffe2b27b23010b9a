package dev.pier.api;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * What a hijacking endpoint ({@code attach}, {@code exec start}) does with the raw connection once the
 * HTTP response head has been sent.
 *
 * <p>{@code fromClient} yields what the client sends (stdin) and reaches end of stream when the client
 * shuts down its writing side; {@code toClient} can still be written after that. {@code flush()} sends.
 * Closing {@code toClient}, or returning, ends the connection.
 */
@FunctionalInterface
public interface RawConnection {
    void run(InputStream fromClient, OutputStream toClient) throws Exception;
}
