package dev.pier.engine;

/** How a container is networked, parsed from Docker's `--network` value. */
public sealed interface NetworkMode {
    /** The default bridge or a user-defined network, by name or id. */
    record Attached(String network) implements NetworkMode {}
    record Host() implements NetworkMode {}
    record None() implements NetworkMode {}
    /** Shares the namespace of another container (by name or id). */
    record Shared(String container) implements NetworkMode {}

    static NetworkMode parse(String value) {
        if (value == null || value.isEmpty() || value.equals("default") || value.equals("bridge")) return new Attached("bridge");
        if (value.equals("host")) return new Host();
        if (value.equals("none")) return new None();
        if (value.startsWith("container:")) {
            String target = value.substring("container:".length());
            if (target.isEmpty()) throw EngineException.invalid("invalid network mode: " + value + ": a container name or id is needed after 'container:'");
            return new Shared(target);
        }
        return new Attached(value);
    }

    default String text() {
        return switch (this) {
            case Attached a -> a.network().equals("bridge") ? "bridge" : a.network();
            case Host h -> "host";
            case None n -> "none";
            case Shared s -> "container:" + s.container();
        };
    }
}
