package dev.pier.api;

/**
 * An error the API client should see: its status becomes the response status and its message the
 * body {@code {"message":"..."}}, as Docker does.
 */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public ApiException(int status, String message) {
        this(status, message, null);
    }

    public ApiException(int status, String message, Throwable cause) {
        super(message, cause);
        if (status < 300 || status > 599) {
            throw new IllegalArgumentException("an API error needs a 3xx-5xx status, not " + status);
        }
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, message);
    }

    /** Docker answers 304 with no body when a container is already in the asked state (start, stop). */
    public static ApiException notModified() {
        return new ApiException(304, "not modified");
    }

    public static ApiException internal(String message) {
        return new ApiException(500, message);
    }
}
