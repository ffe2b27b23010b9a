package dev.pier.cli;

import dev.pier.cli.http.ApiClient;
import dev.pier.cli.http.Host;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/** One invocation's world: its streams, environment, and (lazily) the API client. */
public final class Cli {
    public static final String VERSION = "0.1.0";

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> environment;
    private String hostSpec;
    private ApiClient api;
    private boolean stdinTerminal;

    public Cli(InputStream in, PrintStream out, PrintStream err, Map<String, String> environment) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.environment = environment;
    }

    public InputStream in() {
        return in;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public Map<String, String> environment() {
        return environment;
    }

    /** Whether stdin is a terminal (only the real process sets this). */
    public boolean stdinTerminal() {
        return stdinTerminal;
    }

    public void stdinTerminal(boolean value) {
        stdinTerminal = value;
    }

    /** {@code -H} wins, then {@code PIER_HOST}, then the default socket. */
    public String hostSpec() {
        if (hostSpec != null) {
            return hostSpec;
        }
        String fromEnv = environment.get("PIER_HOST");
        return fromEnv != null && !fromEnv.isEmpty() ? fromEnv : Host.DEFAULT;
    }

    public void hostSpec(String spec) {
        this.hostSpec = spec;
        this.api = null;
    }

    public ApiClient api() throws CliError.Failure {
        if (api == null) {
            try {
                api = new ApiClient(Host.parse(hostSpec()));
            } catch (IllegalArgumentException e) {
                throw new CliError.Failure("pier: " + e.getMessage());
            }
        }
        return api;
    }

    public long nowMillis() {
        return System.currentTimeMillis();
    }
}
