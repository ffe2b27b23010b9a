package dev.pier.ipam;

/**
 * An address-management request that cannot be satisfied. The message is meant for the user (Docker's
 * wording where Docker has one, naming the offending value); {@link #kind()} lets the API layer pick the
 * HTTP status without parsing the message.
 */
public final class IpamException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the request failed. */
    public enum Kind {
        /** Malformed or inconsistent input: a bad CIDR, a gateway outside its subnet (HTTP 400). */
        INVALID,
        /** The input is well formed but collides with existing state: an address already taken (HTTP 403/409). */
        CONFLICT,
        /** Nothing left to hand out: every address or every pool is in use (HTTP 503). */
        EXHAUSTED
    }

    private final Kind kind;

    public IpamException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static IpamException invalid(String message) {
        return new IpamException(Kind.INVALID, message);
    }

    static IpamException conflict(String message) {
        return new IpamException(Kind.CONFLICT, message);
    }

    static IpamException exhausted(String message) {
        return new IpamException(Kind.EXHAUSTED, message);
    }
}
