package dev.pier.cli;

/**
 * Every way a command can end other than success. Main turns each variant into Docker's message
 * layout and exit code. Stack traces are never filled: these are answers, not bugs.
 */
public abstract sealed class CliError extends Exception
        permits CliError.Usage, CliError.Daemon, CliError.CannotConnect, CliError.Failure, CliError.Exit,
        CliError.Help {

    private CliError(String message) {
        super(message, null, false, false);
    }

    /** Wrong flags (exit 125) or wrong argument count (exit 1), shown with the command's usage line. */
    public static final class Usage extends CliError {
        private final String command;
        private final String usageLine;
        private final boolean flagError;
        private final boolean seeHint;

        public Usage(String message, String command, String usageLine, boolean flagError, boolean seeHint) {
            super(message);
            this.command = command;
            this.usageLine = usageLine;
            this.flagError = flagError;
            this.seeHint = seeHint;
        }

        public String command() {
            return command;
        }

        public String usageLine() {
            return usageLine;
        }

        public boolean flagError() {
            return flagError;
        }

        public boolean seeHint() {
            return seeHint;
        }
    }

    /** A 4xx/5xx answer: {@code Error response from daemon: <message>}. */
    public static final class Daemon extends CliError {
        private final int status;
        private final String daemonMessage;

        public Daemon(int status, String daemonMessage) {
            super("Error response from daemon: " + daemonMessage);
            this.status = status;
            this.daemonMessage = daemonMessage;
        }

        public int status() {
            return status;
        }

        public String daemonMessage() {
            return daemonMessage;
        }
    }

    /** The socket is missing, refused or forbidden. */
    public static final class CannotConnect extends CliError {
        public CannotConnect(String message) {
            super(message);
        }
    }

    /** A plain message on stderr and an exit code. */
    public static final class Failure extends CliError {
        private final int exitCode;

        public Failure(String message) {
            this(message, 1);
        }

        public Failure(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /** Ends with an exit code, whatever needed saying was already printed. */
    public static final class Exit extends CliError {
        private final int exitCode;

        public Exit(int exitCode) {
            super("exit " + exitCode);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /** {@code --help}: the text goes to stdout and the exit code is 0. */
    public static final class Help extends CliError {
        public Help(String text) {
            super(text);
        }
    }
}
