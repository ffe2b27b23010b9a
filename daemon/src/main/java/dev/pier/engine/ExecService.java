package dev.pier.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * `exec`: processes started inside a running container. Each is prepared by create, run by start
 * (through the container's runtime), and remembered until its container goes away.
 */
public final class ExecService {
    /** What `exec create` asked for, and what happened to it. */
    public record Exec(String id, String containerId, List<String> cmd, List<String> env, String workingDir, String user,
                       boolean tty, boolean attachStdin, boolean attachStdout, boolean attachStderr, boolean running,
                       int exitCode, long pid, Instant created) {
        Exec finished(int code) {
            return new Exec(id, containerId, cmd, env, workingDir, user, tty, attachStdin, attachStdout, attachStderr, false, code, pid, created);
        }

        Exec started(long processId) {
            return new Exec(id, containerId, cmd, env, workingDir, user, tty, attachStdin, attachStdout, attachStderr, true, exitCode, processId, created);
        }
    }

    private final ContainerService containers;
    private final Map<String, Exec> execs = new ConcurrentHashMap<>();

    public ExecService(ContainerService containers) {
        this.containers = containers;
    }

    public Exec create(String containerRef, List<String> cmd, List<String> env, String workingDir, String user, boolean tty,
                       boolean attachStdin, boolean attachStdout, boolean attachStderr) {
        ContainerRecord c = containers.require(containerRef);
        if (!c.state().running()) throw EngineException.conflict("Container " + c.id() + " is not running");
        if (cmd == null || cmd.isEmpty()) throw EngineException.invalid("No exec command specified");
        Exec e = new Exec(NetworkService.newId(), c.id(), List.copyOf(cmd), env == null ? List.of() : List.copyOf(env),
                workingDir, user, tty, attachStdin, attachStdout, attachStderr, false, 0, 0, Instant.now());
        execs.put(e.id(), e);
        return e;
    }

    public Exec require(String id) {
        Exec e = execs.get(id);
        if (e == null) throw EngineException.notFound("No such exec instance: " + id);
        return e;
    }

    /** Starts the process; the caller relays its streams and reports the exit with {@link #exited}. */
    public Process start(String id) {
        Exec e = require(id);
        if (e.running()) throw EngineException.conflict("Exec " + id + " is already running");
        ContainerRecord c = containers.require(e.containerId());
        if (!c.state().running()) throw EngineException.conflict("Container " + c.id() + " is not running");
        Process p = containers.exec(c.id(), e.cmd(), e.env(), e.workingDir(), e.user(), e.tty());
        execs.put(id, e.started(p.pid()));
        return p;
    }

    public void exited(String id, int code) {
        execs.computeIfPresent(id, (k, e) -> e.finished(code));
    }
}
