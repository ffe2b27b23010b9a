package dev.pier.runtime;

/** Which network namespace a container's process lives in. */
public sealed interface NetworkNamespace {
    /** The host's own namespace (`--network host`): no network namespace entry in the OCI config. */
    record Host() implements NetworkNamespace {}

    /** An existing namespace, joined by the runtime through its bind-mounted file (OCI "path"). */
    record Path(java.nio.file.Path file) implements NetworkNamespace {
        public Path {
            java.util.Objects.requireNonNull(file, "network namespace file");
        }
    }

    /** A fresh namespace the runtime creates: only a loopback, down. */
    record NewEmpty() implements NetworkNamespace {}
}
