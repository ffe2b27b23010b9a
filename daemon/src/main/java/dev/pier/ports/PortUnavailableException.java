package dev.pier.ports;

/** No host port could be taken for a binding; the message is Docker's. */
public final class PortUnavailableException extends RuntimeException {
    public PortUnavailableException(String message) {
        super(message);
    }
}
