package dev.pier.config;

/**
 * A daemon setting that cannot be used: an unknown flag or daemon.json key, a bad value, a setting given
 * both as a flag and in the file. The message is for the operator and names the setting and the value.
 * An {@link IllegalArgumentException} so a caller can treat it like any other bad input.
 */
public final class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
