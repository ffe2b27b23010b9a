package dev.pier.cli.args;

import dev.pier.cli.CliError;

import java.util.List;
import java.util.Map;

/** The result of {@link FlagSet#parse}: flag values by long name and the positional arguments. */
public final class Parsed {
    private final FlagSet flagSet;
    private final Map<String, Object> values;
    private final List<String> args;

    Parsed(FlagSet flagSet, Map<String, Object> values, List<String> args) {
        this.flagSet = flagSet;
        this.values = values;
        this.args = args;
    }

    public FlagSet flagSet() {
        return flagSet;
    }

    public List<String> args() {
        return args;
    }

    public String arg(int index) {
        return args.get(index);
    }

    public boolean isSet(String name) {
        flagSet.flag(name);
        return values.containsKey(name);
    }

    public boolean bool(String name) {
        flagSet.flag(name);
        return values.get(name) instanceof Boolean b && b;
    }

    /** The flag's value, or null when not given. */
    public String string(String name) {
        flagSet.flag(name);
        Object value = values.get(name);
        return value instanceof String s ? s : null;
    }

    public String string(String name, String defaultValue) {
        String value = string(name);
        return value == null ? defaultValue : value;
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String name) {
        flagSet.flag(name);
        Object value = values.get(name);
        return value == null ? List.of() : (List<String>) value;
    }

    public long integer(String name, long defaultValue) {
        flagSet.flag(name);
        Object value = values.get(name);
        return value instanceof Long l ? l : defaultValue;
    }

    // ---- argument counts, with Docker's messages ----------------------------------------------------

    public void exactArgs(int n) throws CliError.Usage {
        if (args.size() != n) {
            throw flagSet.argumentError("'" + flagSet.usageName() + "' requires " + n + " argument" + (n == 1 ? "" : "s"), false);
        }
    }

    public void minArgs(int n) throws CliError.Usage {
        if (args.size() < n) {
            throw flagSet.argumentError("'" + flagSet.usageName() + "' requires at least " + n + " argument" + (n == 1 ? "" : "s"), true);
        }
    }

    public void rangeArgs(int min, int max) throws CliError.Usage {
        if (args.size() < min || args.size() > max) {
            throw flagSet.argumentError("'" + flagSet.usageName() + "' requires at least " + min + " and at most " + max
                    + " argument" + (max == 1 ? "" : "s"), false);
        }
    }

    public void noArgs() throws CliError.Usage {
        if (!args.isEmpty()) {
            throw flagSet.argumentError("'" + flagSet.usageName() + "' accepts no arguments", false);
        }
    }
}
