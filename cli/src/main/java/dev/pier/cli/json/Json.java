package dev.pier.cli.json;

import com.fasterxml.jackson.core.JsonFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The daemon's JSON as a plain tree: {@code Map<String,Object>} (insertion ordered), {@code List<Object>},
 * {@code String}, {@code Long}/{@code BigInteger}, {@code Double}, {@code Boolean} and {@code null},
 * read by {@link JsonReader}; written Go's way here, and by jackson-core's generator for request bodies.
 */
public final class Json {
    private static JsonFactory factory;

    private Json() {
    }

    /** jackson-core's factory, for the generator only (its parser's class initialisation is too slow). */
    public static JsonFactory factory() {
        if (factory == null) {
            factory = new JsonFactory();
        }
        return factory;
    }

    public static Object parse(byte[] data) throws IOException {
        return JsonReader.parse(data);
    }

    public static Object parse(String text) throws IOException {
        return JsonReader.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    // ---- typed access helpers for tree values -----------------------------------------------

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    public static List<Object> array(Object value) {
        return value instanceof List<?> l ? (List<Object>) l : List.of();
    }

    public static String string(Object value) {
        return value instanceof String s ? s : "";
    }

    public static String string(Map<String, Object> object, String key) {
        return string(object.get(key));
    }

    public static long number(Object value) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        return 0;
    }

    public static boolean bool(Object value) {
        return value instanceof Boolean b && b;
    }

    // ---- Go-compatible writing -----------------------------------------------------------------

    /**
     * Writes {@code value} compactly the way Go's encoding/json does: maps in their own order
     * (the daemon's order), Go's number and string escaping. {@code escapeHtml} escapes {@code <>&}
     * as json.Marshal does by default.
     */
    public static String write(Object value, boolean escapeHtml) {
        StringBuilder out = new StringBuilder();
        write(out, value, escapeHtml);
        return out.toString();
    }

    public static void write(StringBuilder out, Object value, boolean escapeHtml) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            quote(out, s, escapeHtml);
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Double d) {
            out.append(goFloat(d));
        } else if (value instanceof Float f) {
            out.append(goFloat(f.doubleValue()));
        } else if (value instanceof Number n) {
            out.append(n.toString());
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote(out, String.valueOf(e.getKey()), escapeHtml);
                out.append(':');
                write(out, e.getValue(), escapeHtml);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(out, list.get(i), escapeHtml);
            }
            out.append(']');
        } else if (value instanceof JsonValue custom) {
            custom.writeJson(out);
        } else {
            quote(out, value.toString(), escapeHtml);
        }
    }

    /** Objects that know their own JSON form (formatter rows). */
    public interface JsonValue {
        void writeJson(StringBuilder out);
    }

    public static void quote(StringBuilder out, String s, boolean escapeHtml) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\u2028' -> out.append("\\u2028");
                case '\u2029' -> out.append("\\u2029");
                default -> {
                    if (c < 0x20 || (escapeHtml && (c == '<' || c == '>' || c == '&'))) {
                        out.append("\\u00");
                        out.append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Go's encoding/json float format: 'f' between 1e-6 and 1e21, else 'e' with a short exponent. */
    static String goFloat(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "null";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        double abs = Math.abs(d);
        FloatDigits decimal = FloatDigits.shortest(abs);
        String digits = decimal.digits();
        int point = decimal.point();
        StringBuilder sb = new StringBuilder();
        if (d < 0) {
            sb.append('-');
        }
        if (abs >= 1e-6 && abs < 1e21) {
            if (point <= 0) {
                sb.append("0.");
                for (int i = point; i < 0; i++) {
                    sb.append('0');
                }
                sb.append(digits);
            } else if (point >= digits.length()) {
                sb.append(digits);
                for (int i = digits.length(); i < point; i++) {
                    sb.append('0');
                }
            } else {
                sb.append(digits, 0, point).append('.').append(digits, point, digits.length());
            }
            return sb.toString();
        }
        sb.append(digits.charAt(0));
        if (digits.length() > 1) {
            sb.append('.').append(digits, 1, digits.length());
        }
        int exponent = point - 1;
        // Go writes e-7 but e+21
        sb.append('e').append(exponent < 0 ? '-' : '+');
        int e = Math.abs(exponent);
        if (e < 10 && exponent >= 0) {
            sb.append('0');
        }
        sb.append(e);
        return sb.toString();
    }
}
