package dev.pier.cli.json;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Re-indents raw JSON bytes like Go's {@code json.Indent}: keys, numbers and string escapes stay byte
 * for byte as the daemon sent them, empty objects and arrays stay compact ({@code {}}, {@code []}).
 * This is what {@code docker inspect} prints.
 */
public final class JsonIndent {
    private JsonIndent() {
    }

    /** Prints the documents as one JSON array, indented with {@code indent}; "[]" when empty. */
    public static String array(List<byte[]> documents, String indent) {
        if (documents.isEmpty()) {
            return "[]";
        }
        StringBuilder joined = new StringBuilder();
        joined.append('[');
        for (int i = 0; i < documents.size(); i++) {
            if (i > 0) {
                joined.append(',');
            }
            joined.append(new String(documents.get(i), StandardCharsets.UTF_8));
        }
        joined.append(']');
        return indent(joined, indent);
    }

    public static String indent(CharSequence src, String indent) {
        StringBuilder out = new StringBuilder(src.length() * 2);
        int depth = 0;
        boolean inString = false;
        boolean needIndent = false; // an opening bracket was written; indent before the next value
        int n = src.length();
        for (int i = 0; i < n; i++) {
            char c = src.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\' && i + 1 < n) {
                    out.append(src.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                continue;
            }
            if (needIndent && c != ']' && c != '}') {
                needIndent = false;
                depth++;
                newline(out, indent, depth);
            }
            switch (c) {
                case '"' -> {
                    inString = true;
                    out.append(c);
                }
                case '{', '[' -> {
                    out.append(c);
                    needIndent = true;
                }
                case '}', ']' -> {
                    if (needIndent) {
                        needIndent = false; // empty: stays compact
                    } else {
                        depth--;
                        newline(out, indent, depth);
                    }
                    out.append(c);
                }
                case ',' -> {
                    out.append(c);
                    newline(out, indent, depth);
                }
                case ':' -> out.append(": ");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static void newline(StringBuilder out, String indent, int depth) {
        out.append('\n');
        for (int i = 0; i < depth; i++) {
            out.append(indent);
        }
    }
}
