package dev.pier.api.routes;

import dev.pier.api.ApiException;
import dev.pier.api.wire.ContainerWire;
import dev.pier.engine.ContainerRecord;
import dev.pier.engine.ContainerService;
import dev.pier.ports.PortRequest;
import dev.pier.ports.PublishedPort;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * `GET /containers/json?filters=...` as Docker reads it: every key must match, any value of a key
 * may. Values Docker refuses (an unknown status, a port with a host part) are refused the same way,
 * before anything is listed.
 */
final class ContainerFilters {
    static final List<String> KEYS = List.of("name", "id", "status", "label", "network", "ancestor", "exited", "publish",
            "expose", "before", "since", "health", "volume", "is-task", "isolation");
    private static final Set<String> STATUSES = Set.of("created", "restarting", "running", "removing", "paused", "exited", "dead");
    private static final Set<String> HEALTH = Set.of("starting", "healthy", "unhealthy", "none");

    private ContainerFilters() {}

    /** The filter as one predicate; throws a 400 (or a 404 for an unknown before/since) for what Docker refuses. */
    static Predicate<ContainerRecord> of(Filters f, ContainerService containers) {
        onlyKnownValues(f, "status", STATUSES);
        onlyKnownValues(f, "health", HEALTH);
        onlyKnownValues(f, "is-task", Set.of("true", "false"));
        Set<String> publish = ports(f, "publish"), expose = ports(f, "expose");
        // Docker takes the last before/since given.
        ContainerRecord before = last(f, "before", containers), since = last(f, "since", containers);
        return c -> f.matches("name", n -> c.name().contains(n.startsWith("/") ? n.substring(1) : n))
                && f.matches("id", c.id()::startsWith)
                && f.matches("status", ContainerWire.status(c)::equals)
                && f.matches("exited", x -> !c.state().running() && c.state().status() == ContainerRecord.Status.EXITED
                        && String.valueOf(c.state().exitCode()).equals(x))
                && f.labelsMatch("label", c.settings().labels())
                && f.matches("ancestor", a -> a.equals(c.imageName()) || c.imageId().contains(a))
                && f.matches("network", n -> c.attachments().stream().anyMatch(a -> a.networkName().equals(n) || a.networkId().startsWith(n)))
                && (publish == null || published(c).stream().anyMatch(publish::contains))
                && (expose == null || c.settings().exposedPorts().stream().anyMatch(expose::contains))
                && (before == null || c.created().isBefore(before.created()))
                && (since == null || c.created().isAfter(since.created()))
                // Pier runs no health checks: every container is "none"; it has no volumes, no tasks, one isolation.
                && f.matches("health", "none"::equals)
                && f.matches("volume", v -> false)
                && f.matches("is-task", "false"::equals)
                && f.matches("isolation", "default"::equals);
    }

    private static void onlyKnownValues(Filters f, String key, Set<String> known) {
        for (String v : f.values().getOrDefault(key, List.of()))
            if (!known.contains(v)) throw ApiException.badRequest("Unrecognised filter value for " + key + ": " + v);
    }

    /** The container ports a container publishes, asked for or (with -P) given: "80/tcp". */
    private static Set<String> published(ContainerRecord c) {
        Set<String> keys = new HashSet<>();
        for (PortRequest p : c.settings().portBindings()) keys.add(p.key());
        for (PublishedPort p : c.ports()) keys.add(p.key());
        return keys;
    }

    /** "80", "80/udp", "8000-8010/tcp" as the set of "port/proto" keys; null when the key is absent. */
    static Set<String> ports(Filters f, String key) {
        List<String> values = f.values().get(key);
        if (values == null) return null;
        Set<String> out = new HashSet<>();
        for (String v : values) {
            if (v.contains(":")) throw ApiException.badRequest("filter for '" + key + "' should not contain ':': " + v);
            int slash = v.indexOf('/');
            String range = slash < 0 ? v : v.substring(0, slash);
            String proto = slash < 0 ? "tcp" : v.substring(slash + 1).toLowerCase(Locale.ROOT);
            int dash = range.indexOf('-');
            int first, last;
            try {
                first = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
                last = dash < 0 ? first : Integer.parseInt(range.substring(dash + 1));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("error while looking up for " + key + " " + v + ": invalid port " + range);
            }
            if (first < 1 || last > 65535 || last < first)
                throw ApiException.badRequest("error while looking up for " + key + " " + v + ": invalid port range " + range);
            for (int p = first; p <= last; p++) out.add(p + "/" + proto);
        }
        return out;
    }

    private static ContainerRecord last(Filters f, String key, ContainerService containers) {
        List<String> values = f.values().get(key);
        return values == null || values.isEmpty() ? null : containers.require(values.getLast());
    }
}
