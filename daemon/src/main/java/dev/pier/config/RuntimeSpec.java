package dev.pier.config;

import java.util.List;

/**
 * An OCI runtime registered with {@code --add-runtime name=path} or daemon.json's
 * {@code "runtimes": {"name": {"path": "...", "runtimeArgs": [...]}}}.
 */
public record RuntimeSpec(String path, List<String> runtimeArgs) {

    public RuntimeSpec {
        if (path == null || path.isBlank()) {
            throw new ConfigException("a runtime needs a path");
        }
        runtimeArgs = runtimeArgs == null ? List.of() : List.copyOf(runtimeArgs);
    }

    @Override
    public String toString() {
        return runtimeArgs.isEmpty() ? path : path + " " + String.join(" ", runtimeArgs);
    }
}
