package dev.pier.cli.json;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON into the plain tree of {@link Json}: one document from bytes, or a stream of concatenated
 * documents (Docker's progress messages). Written by hand because jackson's parser base class builds
 * BigDecimal constants in its static initialiser, and JDK 25's BigDecimal initialiser computes 5^65536:
 * tens of milliseconds on every command, more than the rest of the JSON work together.
 */
public final class JsonReader {
    private static final int MAX_DEPTH = 1000;

    private final InputStream in;
    private final byte[] buffer;
    private int position;
    private int limit;
    private long consumed;
    private byte[] scratch = new byte[256];

    public JsonReader(InputStream in) {
        this.in = in;
        this.buffer = new byte[8192];
    }

    private JsonReader(byte[] data) {
        this.in = null;
        this.buffer = data;
        this.limit = data.length;
    }

    /** Parses one whole document; anything but whitespace after it is an error. */
    public static Object parse(byte[] data) throws IOException {
        JsonReader reader = new JsonReader(data);
        if (!reader.hasNext()) {
            throw new IOException("empty JSON document");
        }
        Object value = reader.next();
        if (reader.hasNext()) {
            throw reader.error("unexpected data after the JSON document");
        }
        return value;
    }

    /** Whether another value follows (whitespace skipped). */
    public boolean hasNext() throws IOException {
        int c = peekNonSpace();
        return c >= 0;
    }

    /** The next value of the stream. */
    public Object next() throws IOException {
        return value(0);
    }

    // ---- bytes -----------------------------------------------------------------------------------

    private int read() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position++] & 0xff;
    }

    private int peek() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position] & 0xff;
    }

    private boolean fill() throws IOException {
        if (in == null) {
            return false;
        }
        consumed += limit;
        position = 0;
        limit = 0;
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        limit = n;
        return true;
    }

    private int peekNonSpace() throws IOException {
        while (true) {
            int c = peek();
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                position++;
                continue;
            }
            return c;
        }
    }

    private IOException error(String message) {
        return new IOException("invalid JSON at byte " + (consumed + position) + ": " + message);
    }

    private void expect(int c) throws IOException {
        int got = read();
        if (got != c) {
            throw error(got < 0 ? "unexpected end of input" : "expected '" + (char) c + "', found '" + (char) got + "'");
        }
    }

    // ---- values ----------------------------------------------------------------------------------

    private Object value(int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        int c = peekNonSpace();
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                position++;
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return null;
            case -1:
                throw error("unexpected end of input");
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + (char) c + "'");
        }
    }

    private Map<String, Object> object(int depth) throws IOException {
        position++; // {
        Map<String, Object> map = new LinkedHashMap<>();
        if (peekNonSpace() == '}') {
            position++;
            return map;
        }
        while (true) {
            if (peekNonSpace() != '"') {
                throw error("expected a field name");
            }
            position++;
            String name = string();
            if (peekNonSpace() != ':') {
                throw error("expected ':' after a field name");
            }
            position++;
            map.put(name, value(depth + 1));
            int c = peekNonSpace();
            position++;
            if (c == ',') {
                continue;
            }
            if (c == '}') {
                return map;
            }
            throw error(c < 0 ? "unexpected end of input" : "expected ',' or '}'");
        }
    }

    private List<Object> array(int depth) throws IOException {
        position++; // [
        List<Object> list = new ArrayList<>();
        if (peekNonSpace() == ']') {
            position++;
            return list;
        }
        while (true) {
            list.add(value(depth + 1));
            int c = peekNonSpace();
            position++;
            if (c == ',') {
                continue;
            }
            if (c == ']') {
                return list;
            }
            throw error(c < 0 ? "unexpected end of input" : "expected ',' or ']'");
        }
    }

    private void literal(String word) throws IOException {
        for (int i = 0; i < word.length(); i++) {
            if (read() != word.charAt(i)) {
                throw error("invalid literal, expected " + word);
            }
        }
    }

    /** After the opening quote: raw UTF-8 is copied, escapes are decoded into UTF-8. */
    private String string() throws IOException {
        int length = 0;
        while (true) {
            int c = read();
            if (c < 0) {
                throw error("unterminated string");
            }
            if (c == '"') {
                return new String(scratch, 0, length, StandardCharsets.UTF_8);
            }
            if (c == '\\') {
                int e = read();
                int decoded;
                switch (e) {
                    case '"', '\\', '/' -> decoded = e;
                    case 'b' -> decoded = '\b';
                    case 'f' -> decoded = '\f';
                    case 'n' -> decoded = '\n';
                    case 'r' -> decoded = '\r';
                    case 't' -> decoded = '\t';
                    case 'u' -> decoded = unicodeEscape();
                    default -> throw error("invalid escape");
                }
                length = appendUtf8(length, decoded);
                continue;
            }
            if (c < 0x20) {
                throw error("control character in string");
            }
            if (length == scratch.length) {
                grow();
            }
            scratch[length++] = (byte) c;
        }
    }

    private int unicodeEscape() throws IOException {
        int cp = hex4();
        if (Character.isHighSurrogate((char) cp)) {
            // a pair \\uD83D\\uDE00 is one code point; a lone half becomes U+FFFD as in Go
            if (peek() == '\\') {
                position++;
                if (read() != 'u') {
                    throw error("invalid escape");
                }
                int low = hex4();
                if (Character.isLowSurrogate((char) low)) {
                    return Character.toCodePoint((char) cp, (char) low);
                }
                return 0xFFFD;
            }
            return 0xFFFD;
        }
        if (Character.isLowSurrogate((char) cp)) {
            return 0xFFFD;
        }
        return cp;
    }

    private int hex4() throws IOException {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(read(), 16);
            if (digit < 0) {
                throw error("invalid \\u escape");
            }
            value = value * 16 + digit;
        }
        return value;
    }

    private int appendUtf8(int length, int cp) {
        while (length + 4 > scratch.length) {
            grow();
        }
        if (cp < 0x80) {
            scratch[length++] = (byte) cp;
        } else if (cp < 0x800) {
            scratch[length++] = (byte) (0xC0 | (cp >> 6));
            scratch[length++] = (byte) (0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            scratch[length++] = (byte) (0xE0 | (cp >> 12));
            scratch[length++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            scratch[length++] = (byte) (0x80 | (cp & 0x3F));
        } else {
            scratch[length++] = (byte) (0xF0 | (cp >> 18));
            scratch[length++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            scratch[length++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            scratch[length++] = (byte) (0x80 | (cp & 0x3F));
        }
        return length;
    }

    private void grow() {
        byte[] bigger = new byte[scratch.length * 2];
        System.arraycopy(scratch, 0, bigger, 0, scratch.length);
        scratch = bigger;
    }

    /** Integers become Long (BigInteger beyond), anything with a fraction or exponent a Double. */
    private Object number() throws IOException {
        StringBuilder text = new StringBuilder(24);
        boolean floating = false;
        while (true) {
            int c = peek();
            if ((c >= '0' && c <= '9') || c == '-' || c == '+') {
                text.append((char) c);
            } else if (c == '.' || c == 'e' || c == 'E') {
                floating = true;
                text.append((char) c);
            } else {
                break;
            }
            position++;
        }
        String s = text.toString();
        if (!validNumber(s)) {
            throw error("invalid number " + s);
        }
        if (floating) {
            return Double.parseDouble(s);
        }
        if (s.length() < 19) {
            return Long.parseLong(s);
        }
        BigInteger big = new BigInteger(s);
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    /** JSON's number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
    private static boolean validNumber(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && s.charAt(i) == '-') {
            i++;
        }
        if (i >= n || !digit(s.charAt(i))) {
            return false;
        }
        if (s.charAt(i) == '0') {
            i++;
        } else {
            while (i < n && digit(s.charAt(i))) {
                i++;
            }
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            if (i >= n || !digit(s.charAt(i))) {
                return false;
            }
            while (i < n && digit(s.charAt(i))) {
                i++;
            }
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            if (i >= n || !digit(s.charAt(i))) {
                return false;
            }
            while (i < n && digit(s.charAt(i))) {
                i++;
            }
        }
        return i == n;
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }
}
