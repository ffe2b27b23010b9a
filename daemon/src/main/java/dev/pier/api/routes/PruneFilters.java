package dev.pier.api.routes;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The filters every Docker prune takes: created before {@code until}, with every {@code label}
 * given, and not with every {@code label!} given. Anything else is refused (400) before a thing goes.
 */
record PruneFilters(Filters filters, List<Instant> until) {
    static PruneFilters parse(String json) {
        Filters f = Filters.parse(json, List.of("until", "label", "label!"));
        Instant now = Instant.now();
        return new PruneFilters(f, f.values().getOrDefault("until", List.of()).stream().map(u -> Until.parse(u, now)).toList());
    }

    boolean matches(Instant created, Map<String, String> labels) {
        if (until.stream().anyMatch(u -> !created.isBefore(u))) return false;
        if (!filters.labelsMatch("label", labels)) return false;
        return !(filters.values().containsKey("label!") && filters.labelsMatch("label!", labels));
    }
}
