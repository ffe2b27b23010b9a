package dev.pier.cli.format;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.TimeZone;

/** docker/go-units durations and sizes, Go's time.String(), and Docker's id/command shortening. */
public final class Humanize {
    private static final String[] DECIMAL_UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    private static final String[] BINARY_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};

    private Humanize() {
    }

    /** go-units HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks"... */
    public static String duration(long millis) {
        long seconds = millis / 1000;
        if (seconds < 1) {
            return "Less than a second";
        }
        if (seconds == 1) {
            return "1 second";
        }
        if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = millis / 60_000;
        if (minutes == 1) {
            return "About a minute";
        }
        if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = (millis + 1_800_000) / 3_600_000; // rounded to the nearest hour, halves up
        if (hours == 1) {
            return "About an hour";
        }
        if (hours < 48) {
            return hours + " hours";
        }
        if (hours < 24 * 7 * 2) {
            return (hours / 24) + " days";
        }
        if (hours < 24 * 30 * 2) {
            return (hours / 24 / 7) + " weeks";
        }
        if (hours < 24 * 365 * 2) {
            return (hours / 24 / 30) + " months";
        }
        return (millis / 3_600_000 / 24 / 365) + " years";
    }

    /** go-units HumanSizeWithPrecision: decimal units, Go's %.{precision}g. */
    public static String size(double bytes, int precision) {
        return custom(bytes, precision, 1000.0, DECIMAL_UNITS);
    }

    /** go-units HumanSize: four significant digits. */
    public static String size(double bytes) {
        return size(bytes, 4);
    }

    /** go-units BytesSize: binary units, four significant digits. */
    public static String bytesSize(double bytes) {
        return custom(bytes, 4, 1024.0, BINARY_UNITS);
    }

    private static String custom(double size, int precision, double base, String[] units) {
        int i = 0;
        while (size >= base && i < units.length - 1) {
            size = size / base;
            i++;
        }
        return GoFormat.formatFloat(size, 'g', precision) + units[i];
    }

    /** stringid.TruncateID: drops an algorithm prefix and keeps 12 characters. */
    public static String truncateId(String id) {
        int colon = id.indexOf(':');
        if (colon >= 0) {
            id = id.substring(colon + 1);
        }
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** Docker's formatter.Ellipsis: at most {@code max} display columns, the last one an ellipsis. */
    public static String ellipsis(String s, int max) {
        if (max <= 0) {
            return "";
        }
        int count = s.codePointCount(0, s.length());
        if (max == 1) {
            return count == 0 ? "" : new String(Character.toChars(s.codePointAt(0)));
        }
        if (TabWriter.displayWidth(s) <= max) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        int width = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int w = TabWriter.displayWidth(new String(Character.toChars(cp)));
            if (width + w > max - 1) {
                break;
            }
            out.appendCodePoint(cp);
            width += w;
            i += Character.charCount(cp);
        }
        return out.append('…').toString();
    }

    // ---- Go's time.Time.String() -------------------------------------------------------------------

    /** time.Unix(seconds, 0).String(): {@code 2024-05-01 10:11:12 +0000 UTC} in the local zone. */
    public static String unixTime(long epochSeconds) {
        Instant instant = Instant.ofEpochSecond(epochSeconds);
        ZoneId zone = ZoneId.systemDefault();
        ZoneOffset offset = zone.getRules().getOffset(instant);
        LocalDateTime local = LocalDateTime.ofEpochSecond(epochSeconds, 0, offset);
        return goTime(local, 0, offset, localZoneName(zone, instant));
    }

    /**
     * The String() of a time Go parsed from RFC 3339 text: its own offset, named after the local zone
     * when that matches, "UTC" for Z, else the numeric offset twice as Go prints a nameless zone.
     */
    public static String rfc3339AsGo(String text) {
        if (text == null || text.isEmpty()) {
            return "0001-01-01 00:00:00 +0000 UTC";
        }
        OffsetDateTime parsed;
        try {
            parsed = OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            return text;
        }
        ZoneOffset offset = parsed.getOffset();
        String name;
        Instant instant = parsed.toInstant();
        ZoneId zone = ZoneId.systemDefault();
        if (text.endsWith("Z") || text.endsWith("z")) {
            name = "UTC";
        } else if (zone.getRules().getOffset(instant).equals(offset)) {
            name = localZoneName(zone, instant);
        } else {
            name = numericOffset(offset);
        }
        return goTime(parsed.toLocalDateTime(), parsed.getNano(), offset, name);
    }

    private static String localZoneName(ZoneId zone, Instant instant) {
        if (zone.getId().equals("UTC") || zone.getId().equals("Z") || zone.getId().equals("Etc/UTC")) {
            return "UTC";
        }
        TimeZone timeZone = TimeZone.getTimeZone(zone);
        boolean daylight = timeZone.inDaylightTime(java.util.Date.from(instant));
        return timeZone.getDisplayName(daylight, TimeZone.SHORT, Locale.ROOT);
    }

    private static String goTime(LocalDateTime t, int nanos, ZoneOffset offset, String zoneName) {
        StringBuilder out = new StringBuilder(40);
        pad(out, t.getYear(), 4).append('-');
        pad(out, t.getMonthValue(), 2).append('-');
        pad(out, t.getDayOfMonth(), 2).append(' ');
        pad(out, t.getHour(), 2).append(':');
        pad(out, t.getMinute(), 2).append(':');
        pad(out, t.getSecond(), 2);
        if (nanos != 0) {
            StringBuilder fraction = new StringBuilder();
            pad(fraction, nanos, 9);
            int end = fraction.length();
            while (end > 0 && fraction.charAt(end - 1) == '0') {
                end--;
            }
            out.append('.').append(fraction, 0, end);
        }
        out.append(' ').append(numericOffset(offset)).append(' ').append(zoneName);
        return out.toString();
    }

    private static String numericOffset(ZoneOffset offset) {
        int total = offset.getTotalSeconds();
        StringBuilder out = new StringBuilder(5);
        out.append(total < 0 ? '-' : '+');
        total = Math.abs(total);
        pad(out, total / 3600, 2);
        pad(out, (total / 60) % 60, 2);
        return out.toString();
    }

    private static StringBuilder pad(StringBuilder out, int value, int digits) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < digits; i++) {
            out.append('0');
        }
        return out.append(s);
    }
}
