package dev.pier.api.routes;

import dev.pier.api.ApiException;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The `until` of Docker's prune filters: a Go duration before now ("24h", "1h30m"), Unix seconds
 * ("1483228800", with a fraction too), or a date and time (RFC 3339, or without a zone: local time).
 */
final class Until {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern DURATION = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h))+");

    private Until() {}

    static Instant parse(String value, Instant now) {
        String v = value.strip();
        if (DURATION.matcher(v).matches()) return now.minus(duration(v));
        try {
            if (v.matches("\\d+(\\.\\d+)?")) {
                BigDecimal seconds = new BigDecimal(v);
                return Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
            }
            if (v.matches("\\d{4}-\\d{2}-\\d{2}")) return LocalDate.parse(v).atStartOfDay(ZoneId.systemDefault()).toInstant();
            try {
                return OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException noZone) {
                return LocalDateTime.parse(v).atZone(ZoneId.systemDefault()).toInstant();
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            throw ApiException.badRequest("failed to parse value as time or duration: \"" + value + "\"");
        }
    }

    private static Duration duration(String v) {
        Duration total = Duration.ZERO;
        Matcher m = DURATION_PART.matcher(v);
        while (m.find()) {
            BigDecimal n = new BigDecimal(m.group(1));
            BigDecimal nanos = switch (m.group(2)) {
                case "ns" -> n;
                case "us", "µs" -> n.movePointRight(3);
                case "ms" -> n.movePointRight(6);
                case "s" -> n.movePointRight(9);
                case "m" -> n.multiply(BigDecimal.valueOf(60_000_000_000L));
                default -> n.multiply(BigDecimal.valueOf(3_600_000_000_000L));
            };
            total = total.plusNanos(nanos.longValue());
        }
        return total;
    }
}
