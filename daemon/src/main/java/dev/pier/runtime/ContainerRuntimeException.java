package dev.pier.runtime;

/**
 * The OCI runtime (runc or crun) refused or failed; the message carries its own error text.
 * When thrown by {@link OciRuntime#start}, everything the start did has been undone.
 */
public class ContainerRuntimeException extends RuntimeException {
    public ContainerRuntimeException(String message) {
        super(message);
    }

    public ContainerRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
