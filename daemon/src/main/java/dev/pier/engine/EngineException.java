package dev.pier.engine;

/**
 * A refusal the user caused or can fix, by kind; the API turns each kind into Docker's status
 * code (404, 409, 400, 403). Anything else escaping the engine is a 500.
 */
public final class EngineException extends RuntimeException {
    public enum Kind { NOT_FOUND, CONFLICT, INVALID, FORBIDDEN, NOT_MODIFIED }

    private final Kind kind;

    public EngineException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() { return kind; }

    public static EngineException notFound(String message) { return new EngineException(Kind.NOT_FOUND, message); }
    public static EngineException conflict(String message) { return new EngineException(Kind.CONFLICT, message); }
    public static EngineException invalid(String message) { return new EngineException(Kind.INVALID, message); }
    public static EngineException forbidden(String message) { return new EngineException(Kind.FORBIDDEN, message); }
}
