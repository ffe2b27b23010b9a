package dev.pier.api;

/**
 * The connection a request arrived on, as far as a handler cares: whether the client is still there.
 * A {@code wait} or a {@code logs -f} stops when the client goes.
 */
public interface ClientConnection {

    /**
     * True once the client has closed the connection (or shut down its sending side, which Docker
     * clients only do when they are leaving). Always false for a hijacked connection's half-close:
     * that is end of stdin, not departure.
     */
    boolean gone();

    /**
     * Runs {@code action} once, on a fresh virtual thread, when the client goes; at once if it already
     * has. Use it to wake a handler blocked on something else (e.g. complete a future it waits on).
     */
    void onGone(Runnable action);

    /** For requests built outside the server (tests of route handlers): a client that never leaves. */
    ClientConnection NEVER_GONE = new ClientConnection() {
        @Override
        public boolean gone() {
            return false;
        }

        @Override
        public void onGone(Runnable action) {
        }
    };
}
