package dev.pier.api;

/** One Engine API endpoint. Runs on its own virtual thread, so it may block. */
@FunctionalInterface
public interface Handler {
    /**
     * Throw {@link ApiException} for an error the client should see (its status and message become the
     * response); any other exception becomes a 500 carrying the exception's message.
     */
    Response handle(Request request) throws Exception;
}
