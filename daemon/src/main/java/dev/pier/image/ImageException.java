package dev.pier.image;

/**
 * An image operation refused: bad input (not a tar, no manifest, malformed reference), an
 * unknown image, or a conflict (deleting an image tagged in several repositories without force).
 * Nothing was changed when this is thrown. The API maps {@link #reason()} to 400, 404 or 409.
 */
public class ImageException extends IllegalArgumentException {
    public enum Reason { INVALID, NOT_FOUND, CONFLICT }

    private final Reason reason;

    public ImageException(String message) {
        this(Reason.INVALID, message, null);
    }

    public ImageException(String message, Throwable cause) {
        this(Reason.INVALID, message, cause);
    }

    public ImageException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ImageException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() { return reason; }

    static ImageException notFound(String ref) {
        return new ImageException(Reason.NOT_FOUND, "No such image: " + ref);
    }
}
