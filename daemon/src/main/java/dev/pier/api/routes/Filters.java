package dev.pier.api.routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pier.api.ApiException;
import dev.pier.api.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's `filters` query parameter: {"name":["web"],"status":["running"]}, or the older
 * {"name":{"web":true}} form; values of one key are alternatives, keys must all match.
 */
record Filters(Map<String, List<String>> values) {
    static Filters parse(String json, List<String> allowed) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (json == null || json.isBlank()) return new Filters(out);
        JsonNode root;
        try {
            root = Json.read(json.getBytes(StandardCharsets.UTF_8), JsonNode.class);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("invalid filter: " + json);
        }
        root.fields().forEachRemaining(e -> {
            if (!allowed.contains(e.getKey())) throw ApiException.badRequest("invalid filter '" + e.getKey() + "'");
            List<String> vals = new ArrayList<>();
            if (e.getValue().isArray()) e.getValue().forEach(v -> vals.add(v.asText()));
            else e.getValue().fieldNames().forEachRemaining(vals::add);
            out.put(e.getKey(), vals);
        });
        return new Filters(out);
    }

    /** True when the key is absent, or any of its values matches. */
    boolean matches(String key, java.util.function.Predicate<String> test) {
        List<String> v = values.get(key);
        return v == null || v.stream().anyMatch(test);
    }

    /** Docker's labels filter: every value given ("key" present, or "key=value") must match; true when the key is absent. */
    boolean labelsMatch(String key, Map<String, String> labels) {
        List<String> v = values.get(key);
        return v == null || v.stream().allMatch(l -> labelMatches(labels, l));
    }

    /** Docker's label filter: "key" (present) or "key=value". */
    static boolean labelMatches(Map<String, String> labels, String filter) {
        int eq = filter.indexOf('=');
        if (eq < 0) return labels.containsKey(filter);
        return filter.substring(eq + 1).equals(labels.get(filter.substring(0, eq)));
    }
}
