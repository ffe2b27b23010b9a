package dev.pier.api.routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pier.api.ApiException;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The parts of a create request Pier does not do. Docker's clients send most of them on every
 * request with their empty value; a value that asks for something (a memory limit, the host's pid
 * namespace, a volume) is refused with a 400 naming the flag, never silently dropped: a container
 * without the limit or the data it was given is worse than no container.
 */
final class UnsupportedOptions {
    private record Option(String flag, String field, Predicate<JsonNode> asked) {}

    private static final Set<String> DEFAULT_IPC = Set.of("", "private", "shareable");

    private static final List<Option> HOST_CONFIG = List.of(
            new Option("-v, --volume", "Binds", UnsupportedOptions::nonEmpty),
            new Option("--mount", "Mounts", UnsupportedOptions::nonEmpty),
            new Option("--volumes-from", "VolumesFrom", UnsupportedOptions::nonEmpty),
            new Option("--tmpfs", "Tmpfs", UnsupportedOptions::nonEmpty),
            new Option("--read-only", "ReadonlyRootfs", JsonNode::asBoolean),
            new Option("--device", "Devices", UnsupportedOptions::nonEmpty),
            new Option("--memory", "Memory", UnsupportedOptions::nonZero),
            new Option("--memory-reservation", "MemoryReservation", UnsupportedOptions::nonZero),
            new Option("--cpus", "NanoCpus", UnsupportedOptions::nonZero),
            new Option("--cpu-shares", "CpuShares", UnsupportedOptions::nonZero),
            new Option("--cpu-quota", "CpuQuota", UnsupportedOptions::nonZero),
            new Option("--cpu-period", "CpuPeriod", UnsupportedOptions::nonZero),
            new Option("--cpuset-cpus", "CpusetCpus", UnsupportedOptions::nonEmpty),
            new Option("--pids-limit", "PidsLimit", n -> n.asLong(0) > 0),
            new Option("--ulimit", "Ulimits", UnsupportedOptions::nonEmpty),
            new Option("--shm-size", "ShmSize", UnsupportedOptions::nonZero),
            new Option("--init", "Init", JsonNode::asBoolean),
            new Option("--pid", "PidMode", UnsupportedOptions::nonEmpty),
            new Option("--uts", "UTSMode", UnsupportedOptions::nonEmpty),
            new Option("--ipc", "IpcMode", n -> !DEFAULT_IPC.contains(n.asText(""))));

    private UnsupportedOptions() {}

    /** Throws a 400 for the first option of {@code body} that asks for something Pier does not do. */
    static void check(JsonNode body) {
        JsonNode host = body.path("HostConfig");
        for (Option o : HOST_CONFIG) {
            JsonNode v = host.path(o.field());
            if (!v.isMissingNode() && !v.isNull() && o.asked().test(v)) refuse(o.flag(), "HostConfig." + o.field());
        }
        // `docker run -v /data` (no host path) asks for an anonymous volume here.
        if (nonEmpty(body.path("Volumes"))) refuse("-v, --volume", "Volumes");
    }

    private static void refuse(String flag, String field) {
        throw ApiException.badRequest("Pier does not support " + flag + " (" + field + ")");
    }

    private static boolean nonEmpty(JsonNode n) {
        return n.isContainerNode() ? n.size() > 0 : !n.isNull() && !n.isMissingNode() && !n.asText("").isEmpty();
    }

    private static boolean nonZero(JsonNode n) {
        return n.asLong(0) != 0;
    }
}
