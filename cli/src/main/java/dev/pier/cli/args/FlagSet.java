package dev.pier.cli.args;

import dev.pier.cli.CliError;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A command's flags, parsed the way spf13/pflag does for Docker: {@code -d}, {@code --name N},
 * {@code --name=N}, {@code -nN}, {@code -n=N}, combined {@code -dit}, repeated list flags, {@code --},
 * and (for run/create/exec) no flags after the first positional argument.
 */
public final class FlagSet {
    private final String command;
    private final String usageLine;
    private final String description;
    private final List<Flag> flags = new ArrayList<>();
    private boolean interspersed = true;
    private String aliases;

    /**
     * @param command     the command path as typed: {@code "run"}, {@code "network ls"}
     * @param usageArgs   what follows the command in the usage line: {@code "[OPTIONS] IMAGE [COMMAND] [ARG...]"}
     * @param description one line shown by {@code --help}
     */
    public FlagSet(String command, String usageArgs, String description) {
        this.command = command;
        this.usageLine = usageArgs.isEmpty() ? "pier " + command : "pier " + command + " " + usageArgs;
        this.description = description;
    }

    public String command() {
        return command;
    }

    public String usageLine() {
        return usageLine;
    }

    /** {@code pier network ls}: how messages name the command. */
    public String usageName() {
        return "pier " + command;
    }

    public FlagSet bool(String name, char shorthand, String usage, String... aliases) {
        flags.add(new Flag(name, shorthand, Flag.Kind.BOOL, "", usage, aliases));
        return this;
    }

    public FlagSet string(String name, char shorthand, String valueName, String usage, String... aliases) {
        flags.add(new Flag(name, shorthand, Flag.Kind.STRING, valueName, usage, aliases));
        return this;
    }

    public FlagSet list(String name, char shorthand, String usage, String... aliases) {
        flags.add(new Flag(name, shorthand, Flag.Kind.LIST, "list", usage, aliases));
        return this;
    }

    public FlagSet integer(String name, char shorthand, String usage, String... aliases) {
        flags.add(new Flag(name, shorthand, Flag.Kind.INT, "int", usage, aliases));
        return this;
    }

    /** Everything from the first positional argument on is positional (the container's command). */
    public FlagSet stopAtFirstPositional() {
        interspersed = false;
        return this;
    }

    /** Other spellings of this command, listed by {@code --help}. */
    public FlagSet aliases(String text) {
        aliases = text;
        return this;
    }

    public Parsed parse(String[] args, int from) throws CliError.Usage, CliError.Help {
        Map<String, Object> values = new HashMap<>();
        List<String> positionals = new ArrayList<>();
        int i = from;
        while (i < args.length) {
            String arg = args[i];
            if (arg.length() < 2 || arg.charAt(0) != '-') {
                positionals.add(arg);
                i++;
                if (!interspersed) {
                    addRest(args, i, positionals);
                    break;
                }
                continue;
            }
            if (arg.equals("--")) {
                addRest(args, i + 1, positionals);
                break;
            }
            if (arg.startsWith("--")) {
                i = parseLong(args, i, values);
            } else {
                i = parseShorts(args, i, values);
            }
            i++;
        }
        return new Parsed(this, values, positionals);
    }

    private static void addRest(String[] args, int from, List<String> positionals) {
        for (int k = from; k < args.length; k++) {
            positionals.add(args[k]);
        }
    }

    private int parseLong(String[] args, int i, Map<String, Object> values) throws CliError.Usage, CliError.Help {
        String body = args[i].substring(2);
        int eq = body.indexOf('=');
        String name = eq < 0 ? body : body.substring(0, eq);
        String value = eq < 0 ? null : body.substring(eq + 1);
        Flag flag = findLong(name);
        if (flag == null) {
            if (name.equals("help")) {
                throw new CliError.Help(help());
            }
            throw flagError("unknown flag: --" + name);
        }
        if (flag.kind() == Flag.Kind.BOOL) {
            set(flag, value == null ? "true" : value, values);
            return i;
        }
        if (value == null) {
            if (i + 1 >= args.length) {
                throw flagError("flag needs an argument: --" + name);
            }
            value = args[++i];
        }
        set(flag, value, values);
        return i;
    }

    private int parseShorts(String[] args, int i, Map<String, Object> values) throws CliError.Usage, CliError.Help {
        String arg = args[i];
        String shorts = arg.substring(1);
        for (int k = 0; k < shorts.length(); k++) {
            char c = shorts.charAt(k);
            Flag flag = findShort(c);
            if (flag == null) {
                if (c == 'h') {
                    throw new CliError.Help(help());
                }
                throw flagError("unknown shorthand flag: '" + c + "' in " + arg);
            }
            if (flag.kind() == Flag.Kind.BOOL) {
                if (k + 1 < shorts.length() && shorts.charAt(k + 1) == '=') {
                    set(flag, shorts.substring(k + 2), values);
                    return i;
                }
                set(flag, "true", values);
                continue;
            }
            String value;
            if (k + 1 < shorts.length()) {
                value = shorts.substring(k + 1);
                if (value.charAt(0) == '=') {
                    value = value.substring(1);
                }
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw flagError("flag needs an argument: '" + c + "' in " + arg);
            }
            set(flag, value, values);
            return i;
        }
        return i;
    }

    @SuppressWarnings("unchecked")
    private void set(Flag flag, String value, Map<String, Object> values) throws CliError.Usage {
        switch (flag.kind()) {
            case BOOL -> values.put(flag.name(), parseBool(flag, value));
            case STRING -> values.put(flag.name(), value);
            case LIST -> {
                Object existing = values.get(flag.name());
                List<String> list;
                if (existing == null) {
                    list = new ArrayList<>();
                    values.put(flag.name(), list);
                } else {
                    list = (List<String>) existing;
                }
                list.add(value);
            }
            case INT -> {
                try {
                    values.put(flag.name(), Long.parseLong(value));
                } catch (NumberFormatException e) {
                    throw invalidArgument(flag, value, "strconv.ParseInt: parsing \"" + value + "\": invalid syntax");
                }
            }
        }
    }

    private Boolean parseBool(Flag flag, String value) throws CliError.Usage {
        switch (value) {
            case "1", "t", "T", "true", "TRUE", "True":
                return Boolean.TRUE;
            case "0", "f", "F", "false", "FALSE", "False":
                return Boolean.FALSE;
            default:
                throw invalidArgument(flag, value, "strconv.ParseBool: parsing \"" + value + "\": invalid syntax");
        }
    }

    private Flag findLong(String name) {
        for (Flag flag : flags) {
            if (flag.matches(name)) {
                return flag;
            }
        }
        return null;
    }

    private Flag findShort(char c) {
        for (Flag flag : flags) {
            if (flag.shorthand() == c) {
                return flag;
            }
        }
        return null;
    }

    Flag flag(String name) {
        Flag flag = findLong(name);
        if (flag == null) {
            throw new IllegalArgumentException("no flag --" + name + " declared for " + command);
        }
        return flag;
    }

    // ---- errors in Docker's layout -----------------------------------------------------------------

    /** A flag error: exit 125, "Run 'pier X --help'". */
    public CliError.Usage flagError(String message) {
        return new CliError.Usage(message, command, usageLine, true, false);
    }

    /** {@code invalid argument "v" for "-p, --publish" flag: reason}. */
    public CliError.Usage invalidArgument(String flagName, String value, String reason) {
        return invalidArgument(flag(flagName), value, reason);
    }

    private CliError.Usage invalidArgument(Flag flag, String value, String reason) {
        return flagError("invalid argument \"" + value + "\" for \"" + flag.display() + "\" flag: " + reason);
    }

    /** A wrong argument count: exit 1, prefixed with "pier: ". */
    public CliError.Usage argumentError(String message, boolean seeHint) {
        return new CliError.Usage("pier: " + message, command, usageLine, false, seeHint);
    }

    // ---- help ----------------------------------------------------------------------------------

    public String help() {
        StringBuilder out = new StringBuilder();
        out.append("\nUsage:  ").append(usageLine).append("\n\n").append(description).append('\n');
        if (aliases != null) {
            out.append("\nAliases:\n  ").append(aliases).append('\n');
        }
        List<Flag> sorted = new ArrayList<>(flags);
        sorted.sort(FlagSet::byName);
        List<String> left = new ArrayList<>();
        int width = 0;
        for (Flag flag : sorted) {
            StringBuilder line = new StringBuilder();
            line.append(flag.shorthand() == 0 ? "      --" : "  -" + flag.shorthand() + ", --").append(flag.name());
            if (flag.kind() != Flag.Kind.BOOL) {
                line.append(' ').append(flag.valueName());
            }
            left.add(line.toString());
            width = Math.max(width, line.length());
        }
        out.append("\nOptions:\n");
        for (int k = 0; k < sorted.size(); k++) {
            String l = left.get(k);
            out.append(l).append(" ".repeat(width - l.length() + 3)).append(sorted.get(k).usage()).append('\n');
        }
        String helpLine = "      --help";
        out.append(helpLine).append(" ".repeat(Math.max(1, width - helpLine.length() + 3))).append("Print usage\n");
        return out.toString();
    }

    private static int byName(Flag a, Flag b) {
        return a.name().compareTo(b.name());
    }
}
