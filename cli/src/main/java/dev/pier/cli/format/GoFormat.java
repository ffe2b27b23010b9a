package dev.pier.cli.format;

import dev.pier.cli.json.Json;

import dev.pier.cli.json.FloatDigits;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Go's fmt and strconv behaviour for the values a template sees: {@code %v} printing of maps and
 * slices, {@code printf} verbs, {@code strconv.Quote} and {@code %g} float formatting.
 */
public final class GoFormat {
    private GoFormat() {
    }

    /** How {@code {{.X}}} prints a value at the top level of an action. */
    public static String print(Object value) {
        if (value == Template.NO_VALUE || value == null) {
            return "<no value>";
        }
        if (value instanceof String s) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        appendValue(out, value);
        return out.toString();
    }

    /** fmt's %v of a value nested in a map or slice. */
    public static void appendValue(StringBuilder out, Object value) {
        if (value == null) {
            out.append("<nil>");
        } else if (value == Template.NO_VALUE) {
            out.append("<no value>");
        } else if (value instanceof String s) {
            out.append(s);
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Double d) {
            out.append(formatFloat(d, 'g', -1));
        } else if (value instanceof Number n) {
            out.append(n.toString());
        } else if (value instanceof Map<?, ?> map) {
            out.append("map[");
            boolean first = true;
            for (String key : sortedKeys(map)) {
                if (!first) {
                    out.append(' ');
                }
                first = false;
                out.append(key).append(':');
                appendValue(out, map.get(key));
            }
            out.append(']');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(' ');
                }
                appendValue(out, list.get(i));
            }
            out.append(']');
        } else if (value instanceof FieldContext context) {
            out.append("&");
            context.writeJson(out);
        } else {
            out.append(value);
        }
    }

    /** Go ranges over maps and prints them in key order. */
    public static List<String> sortedKeys(Map<?, ?> map) {
        List<String> keys = new ArrayList<>(map.size());
        for (Object key : map.keySet()) {
            keys.add(String.valueOf(key));
        }
        keys.sort(null);
        return keys;
    }

    /** fmt.Sprint: spaces between operands when neither side is a string. */
    public static String sprint(List<Object> args) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            Object arg = args.get(i);
            if (i > 0 && !(arg instanceof String) && !(args.get(i - 1) instanceof String)) {
                out.append(' ');
            }
            appendValue(out, arg);
        }
        return out.toString();
    }

    /** fmt.Sprintln: always spaces, then a newline. */
    public static String sprintln(List<Object> args) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                out.append(' ');
            }
            appendValue(out, args.get(i));
        }
        return out.append('\n').toString();
    }

    // ---- printf ------------------------------------------------------------------------------------

    /** fmt.Sprintf for the verbs templates use: v s q d t x X o b c e f g %, with flags, width, precision. */
    public static String sprintf(String format, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int argIndex = 0;
        int n = format.length();
        int i = 0;
        while (i < n) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            i++;
            if (i >= n) {
                out.append("%!(NOVERB)");
                break;
            }
            boolean minus = false;
            boolean plus = false;
            boolean zero = false;
            boolean space = false;
            boolean sharp = false;
            for (; i < n; i++) {
                char f = format.charAt(i);
                if (f == '-') {
                    minus = true;
                } else if (f == '+') {
                    plus = true;
                } else if (f == '0') {
                    zero = true;
                } else if (f == ' ') {
                    space = true;
                } else if (f == '#') {
                    sharp = true;
                } else {
                    break;
                }
            }
            int width = -1;
            if (i < n && format.charAt(i) == '*') {
                i++;
                if (argIndex < args.size() && args.get(argIndex) instanceof Number w) {
                    width = w.intValue();
                    argIndex++;
                } else {
                    out.append("%!(BADWIDTH)");
                }
            } else {
                int start = i;
                while (i < n && Character.isDigit(format.charAt(i))) {
                    i++;
                }
                if (i > start) {
                    width = Integer.parseInt(format.substring(start, i));
                }
            }
            int precision = -1;
            if (i < n && format.charAt(i) == '.') {
                i++;
                if (i < n && format.charAt(i) == '*') {
                    i++;
                    if (argIndex < args.size() && args.get(argIndex) instanceof Number p) {
                        precision = p.intValue();
                        argIndex++;
                    } else {
                        out.append("%!(BADPREC)");
                    }
                } else {
                    int start = i;
                    while (i < n && Character.isDigit(format.charAt(i))) {
                        i++;
                    }
                    precision = i > start ? Integer.parseInt(format.substring(start, i)) : 0;
                }
            }
            if (i >= n) {
                out.append("%!(NOVERB)");
                break;
            }
            char verb = format.charAt(i++);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (argIndex >= args.size()) {
                out.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Object arg = args.get(argIndex++);
            String text = formatVerb(verb, arg, precision, plus, space, sharp);
            pad(out, text, width, minus, zero && !minus && isNumeric(arg) && verb != 's' && verb != 'q' && verb != 'v');
        }
        if (argIndex < args.size()) {
            out.append("%!(EXTRA ");
            for (int k = argIndex; k < args.size(); k++) {
                if (k > argIndex) {
                    out.append(", ");
                }
                Object extra = args.get(k);
                out.append(goTypeName(extra)).append('=');
                appendValue(out, extra);
            }
            out.append(')');
        }
        return out.toString();
    }

    private static boolean isNumeric(Object value) {
        return value instanceof Number;
    }

    private static void pad(StringBuilder out, String text, int width, boolean left, boolean zeros) {
        int length = text.codePointCount(0, text.length());
        if (width <= length) {
            out.append(text);
            return;
        }
        int padding = width - length;
        if (left) {
            out.append(text);
            out.append(" ".repeat(padding));
        } else if (zeros) {
            int signLength = !text.isEmpty() && (text.charAt(0) == '-' || text.charAt(0) == '+') ? 1 : 0;
            out.append(text, 0, signLength);
            out.append("0".repeat(padding));
            out.append(text, signLength, text.length());
        } else {
            out.append(" ".repeat(padding));
            out.append(text);
        }
    }

    private static String formatVerb(char verb, Object arg, int precision, boolean plus, boolean space, boolean sharp) {
        switch (verb) {
            case 'v': {
                if (arg instanceof Double d && precision >= 0) {
                    return formatFloat(d, 'g', precision);
                }
                StringBuilder sb = new StringBuilder();
                if (arg instanceof String s && sharp) {
                    return quote(s);
                }
                appendValue(sb, arg == Template.NO_VALUE ? null : arg);
                return signed(sb.toString(), arg, plus, space);
            }
            case 's': {
                if (arg instanceof String s) {
                    return precision >= 0 && precision < s.length() ? s.substring(0, precision) : s;
                }
                if (arg instanceof Number || arg instanceof Boolean) {
                    return bad(verb, arg);
                }
                StringBuilder sb = new StringBuilder();
                appendValue(sb, arg == Template.NO_VALUE ? null : arg);
                return sb.toString();
            }
            case 'q':
                if (arg instanceof String s) {
                    return quote(s);
                }
                if (arg instanceof Long l) {
                    return quoteRune(l.intValue());
                }
                return bad(verb, arg);
            case 'd':
                if (arg instanceof Long || arg instanceof BigInteger || arg instanceof Integer) {
                    return signed(arg.toString(), arg, plus, space);
                }
                return bad(verb, arg);
            case 't':
                if (arg instanceof Boolean b) {
                    return b ? "true" : "false";
                }
                return bad(verb, arg);
            case 'x':
            case 'X': {
                String hex;
                if (arg instanceof Long l) {
                    hex = l < 0 ? "-" + Long.toHexString(-l) : Long.toHexString(l);
                } else if (arg instanceof BigInteger b) {
                    hex = b.toString(16);
                } else if (arg instanceof String s) {
                    StringBuilder sb = new StringBuilder();
                    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                        sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
                    }
                    hex = sb.toString();
                } else {
                    return bad(verb, arg);
                }
                if (sharp) {
                    hex = hex.startsWith("-") ? "-0x" + hex.substring(1) : "0x" + hex;
                }
                return verb == 'X' ? hex.toUpperCase(java.util.Locale.ROOT) : hex;
            }
            case 'o':
                if (arg instanceof Long l) {
                    return (sharp ? "0" : "") + Long.toOctalString(l);
                }
                return bad(verb, arg);
            case 'b':
                if (arg instanceof Long l) {
                    return Long.toBinaryString(l);
                }
                return bad(verb, arg);
            case 'c':
                if (arg instanceof Long l) {
                    return new String(Character.toChars(l.intValue()));
                }
                return bad(verb, arg);
            case 'e':
            case 'E':
            case 'f':
            case 'F':
            case 'g':
            case 'G':
                if (arg instanceof Double d) {
                    String text = formatFloat(d, Character.toLowerCase(verb), precision < 0 && verb != 'g' && verb != 'G' ? 6 : precision);
                    if (verb == 'E' || verb == 'G') {
                        text = text.toUpperCase(java.util.Locale.ROOT);
                    }
                    return signed(text, arg, plus, space);
                }
                return bad(verb, arg);
            default:
                return bad(verb, arg);
        }
    }

    private static String signed(String text, Object arg, boolean plus, boolean space) {
        if (arg instanceof Number && !text.startsWith("-")) {
            if (plus) {
                return "+" + text;
            }
            if (space) {
                return " " + text;
            }
        }
        return text;
    }

    private static String bad(char verb, Object arg) {
        StringBuilder sb = new StringBuilder("%!").append(verb).append('(');
        if (arg == null || arg == Template.NO_VALUE) {
            return sb.append("<nil>)").toString();
        }
        sb.append(goTypeName(arg)).append('=');
        appendValue(sb, arg);
        return sb.append(')').toString();
    }

    /** Go's name for the type of a template value, for messages. */
    public static String goTypeName(Object value) {
        if (value == null || value == Template.NO_VALUE) {
            return "<nil>";
        }
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Long || value instanceof Integer || value instanceof BigInteger) {
            return "int";
        }
        if (value instanceof Double) {
            return "float64";
        }
        if (value instanceof Map) {
            return "map[string]interface {}";
        }
        if (value instanceof List) {
            return "[]interface {}";
        }
        if (value instanceof FieldContext context) {
            return context.typeName();
        }
        return value.getClass().getSimpleName();
    }

    // ---- strconv.Quote --------------------------------------------------------------------------------

    /** strconv.Quote: escapes quotes, backslashes and what Go does not consider printable. */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        out.append('"');
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            appendQuoted(out, cp, '"');
        }
        return out.append('"').toString();
    }

    private static String quoteRune(int cp) {
        StringBuilder out = new StringBuilder("'");
        appendQuoted(out, cp, '\'');
        return out.append('\'').toString();
    }

    private static void appendQuoted(StringBuilder out, int cp, char quote) {
        if (cp == quote || cp == '\\') {
            out.append('\\').append((char) cp);
            return;
        }
        if (isPrint(cp)) {
            out.appendCodePoint(cp);
            return;
        }
        switch (cp) {
            case 0x07 -> out.append("\\a");
            case '\b' -> out.append("\\b");
            case '\f' -> out.append("\\f");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case 0x0b -> out.append("\\v");
            default -> {
                if (cp < ' ' || cp == 0x7f) {
                    out.append("\\x").append(hex(cp, 2));
                } else if (cp < 0x10000) {
                    out.append("\\u").append(hex(cp, 4));
                } else {
                    out.append("\\U").append(hex(cp, 8));
                }
            }
        }
    }

    private static String hex(int value, int digits) {
        String h = Integer.toHexString(value);
        return "0".repeat(Math.max(0, digits - h.length())) + h;
    }

    /** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    static boolean isPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        if (cp < ' ' || cp == 0x7f) {
            return false;
        }
        if (cp < 0x7f) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
                 Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER,
                 Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                 Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    // ---- floats -------------------------------------------------------------------------------------

    /**
     * strconv.FormatFloat(v, fmt, prec, 64) for fmt in e, f, g; prec -1 means the shortest
     * representation that reads back exactly.
     */
    public static String formatFloat(double v, char fmt, int prec) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        boolean negative = v < 0 || (v == 0 && 1 / v < 0);
        double abs = Math.abs(v);
        boolean shortest = prec < 0;
        FloatDigits decimal;
        if (shortest) {
            decimal = FloatDigits.shortest(abs);
        } else {
            FloatDigits exact = FloatDigits.exact(abs);
            decimal = switch (fmt) {
                case 'e' -> exact.roundTo(prec + 1);
                case 'f' -> exact.roundTo(exact.point() + prec);
                default -> exact.roundTo(prec == 0 ? 1 : prec);
            };
        }
        String digits = decimal.digits();
        int dp = decimal.point();
        int nd = digits.length();
        String body;
        switch (fmt) {
            case 'e': {
                int p = shortest ? Math.max(nd - 1, 0) : prec;
                body = fmtE(digits, dp, p);
                break;
            }
            case 'f': {
                int p = shortest ? Math.max(nd - dp, 0) : prec;
                body = fmtF(digits, dp, p);
                break;
            }
            default: {
                int p = shortest ? nd : (prec == 0 ? 1 : prec);
                int eprec = p;
                if (eprec > nd && nd >= dp) {
                    eprec = nd;
                }
                if (shortest) {
                    eprec = 6;
                }
                // zero has no digits and point 0, so exp is -1 and zero prints as %f: "0", not "0e+00"
                int exp = dp - 1;
                if (exp < -4 || exp >= eprec) {
                    if (p > nd) {
                        p = nd;
                    }
                    body = fmtE(digits, dp, Math.max(p - 1, 0));
                } else {
                    if (p > dp) {
                        p = nd;
                    }
                    body = fmtF(digits, dp, Math.max(p - dp, 0));
                }
            }
        }
        return negative ? "-" + body : body;
    }

    private static String fmtE(String digits, int dp, int prec) {
        StringBuilder out = new StringBuilder();
        out.append(digits.isEmpty() ? '0' : digits.charAt(0));
        if (prec > 0) {
            out.append('.');
            for (int i = 1; i <= prec; i++) {
                out.append(i < digits.length() ? digits.charAt(i) : '0');
            }
        }
        int exp = digits.isEmpty() ? 0 : dp - 1;
        out.append('e').append(exp < 0 ? '-' : '+');
        exp = Math.abs(exp);
        if (exp < 10) {
            out.append('0');
        }
        return out.append(exp).toString();
    }

    private static String fmtF(String digits, int dp, int prec) {
        StringBuilder out = new StringBuilder();
        if (dp > 0) {
            for (int i = 0; i < dp; i++) {
                out.append(i < digits.length() ? digits.charAt(i) : '0');
            }
        } else {
            out.append('0');
        }
        if (prec > 0) {
            out.append('.');
            for (int i = 0; i < prec; i++) {
                int index = dp + i;
                out.append(index >= 0 && index < digits.length() ? digits.charAt(index) : '0');
            }
        }
        return out.toString();
    }

    /** For {@code json} of arbitrary template values. */
    static String toJson(Object value) {
        if (value == Template.NO_VALUE) {
            return "null";
        }
        return Json.write(value, false);
    }
}
