package dev.pier.cli.format;

/** A template that does not parse or fails while running, with Go's message. */
public final class TemplateException extends Exception {
    public TemplateException(String message) {
        super(message, null, false, false);
    }
}
