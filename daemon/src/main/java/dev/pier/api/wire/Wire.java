package dev.pier.api.wire;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers shared by the Engine API's JSON shapes. */
final class Wire {
    private Wire() {}

    static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    /** Go's RFC 3339 with nanoseconds, as Docker prints times. */
    static String time(Instant t) {
        if (t == null) return ZERO_TIME;
        return DateTimeFormatter.ISO_INSTANT.format(t.atOffset(ZoneOffset.UTC));
    }

    static Map<String, Object> map() {
        return new LinkedHashMap<>();
    }

    static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
