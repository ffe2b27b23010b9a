package dev.pier.cli.format;

import dev.pier.cli.json.Json;

import java.util.List;

/**
 * A row of a list command as templates see it: Docker's formatter contexts, whose fields are
 * computed (truncated ids, humanized times) rather than raw JSON.
 */
public abstract class FieldContext implements Json.JsonValue {
    /** Returned for a name the context does not have. */
    public static final Object UNKNOWN = new Object();

    /** The field's value, or {@link #UNKNOWN}. */
    public abstract Object field(String name);

    /** A method with arguments such as {@code .Label "key"}, or {@link #UNKNOWN}. */
    public Object method(String name, List<Object> args) {
        return UNKNOWN;
    }

    /** Go's type name, used in template error messages. */
    public abstract String typeName();

    /** The fields {@code {{json .}}} prints, already in sorted order. */
    protected abstract String[] jsonFields();

    /** Like Docker's MarshalJSON of a context: sorted keys, HTML characters escaped. */
    @Override
    public void writeJson(StringBuilder out) {
        out.append('{');
        String[] names = jsonFields();
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            Json.quote(out, names[i], true);
            out.append(':');
            Json.write(out, field(names[i]), true);
        }
        out.append('}');
    }
}
