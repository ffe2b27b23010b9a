package dev.pier.cli.args;

/**
 * One flag as declared by a command. {@code shorthand} is 0 when there is none; {@code aliases} are
 * extra long names (Docker keeps old spellings such as {@code --net} or {@code --time}).
 */
public record Flag(String name, char shorthand, Kind kind, String valueName, String usage, String[] aliases) {

    public enum Kind {
        /** {@code --rm}, {@code --rm=false}; never consumes the next argument. */
        BOOL,
        /** One value; a repeated flag keeps the last one. */
        STRING,
        /** A repeatable value: {@code -e A -e B}. */
        LIST,
        /** An integer value. */
        INT
    }

    /** How pflag names the flag in messages: {@code -t, --timeout} or {@code --rm}. */
    public String display() {
        return shorthand == 0 ? "--" + name : "-" + shorthand + ", --" + name;
    }

    public boolean matches(String longName) {
        if (name.equals(longName)) {
            return true;
        }
        for (String alias : aliases) {
            if (alias.equals(longName)) {
                return true;
            }
        }
        return false;
    }
}
