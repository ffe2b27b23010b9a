package dev.pier.runtime;

import java.time.Instant;

/**
 * A container as the OCI runtime reports it (`runc state`).
 *
 * @param pid the init process's pid on the host, 0 once stopped
 */
public record RuntimeState(String id, Status status, long pid, java.nio.file.Path bundle, Instant created) {
    /** The OCI runtime states. */
    public enum Status { CREATING, CREATED, RUNNING, PAUSED, STOPPED;
        static Status parse(String s) {
            return switch (s) {
                case "creating" -> CREATING;
                case "created" -> CREATED;
                case "running" -> RUNNING;
                case "paused" -> PAUSED;
                default -> STOPPED;
            };
        }
    }

    /** True while the init process exists (running or paused). */
    public boolean running() {
        return status == Status.RUNNING || status == Status.PAUSED;
    }
}
