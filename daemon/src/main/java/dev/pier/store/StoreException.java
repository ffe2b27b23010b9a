package dev.pier.store;

/** A store operation failed: a disk error, or a value Jackson cannot write. The message names the file or key. */
public final class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
