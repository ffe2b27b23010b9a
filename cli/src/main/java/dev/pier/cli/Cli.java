package dev.pier.cli;

import dev.pier.cli.http.ApiClient;
import dev.pier.cli.http.Host;
import dev.pier.cli.http.TlsOptions;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
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

    /** The global TLS flags as given: null where not given. */
    public record TlsFlags(boolean tls, boolean verify, String caCertificate, String certificate, String key) {}

    private TlsFlags tlsFlags = new TlsFlags(false, false, null, null, null);

    public TlsFlags tlsFlagsGiven() {
        return tlsFlags;
    }

    public void tlsFlags(TlsFlags flags) {
        this.tlsFlags = flags;
        this.api = null;
    }

    /**
     * As Docker's client: TLS with --tls, verified with --tlsverify or PIER_TLS_VERIFY; the files from
     * the flags, else ca.pem, cert.pem and key.pem in PIER_CERT_PATH, else in ~/.pier. Null: plain.
     */
    TlsOptions tls() {
        boolean verify = tlsFlags.verify() || !environment.getOrDefault("PIER_TLS_VERIFY", "").isEmpty();
        if (!verify && !tlsFlags.tls()) return null;
        String dir = environment.getOrDefault("PIER_CERT_PATH", "");
        Path certs = !dir.isEmpty() ? Path.of(dir) : Path.of(environment.getOrDefault("HOME", "/root"), ".pier");
        return new TlsOptions(verify,
                tlsFlags.caCertificate() != null ? Path.of(tlsFlags.caCertificate()) : certs.resolve("ca.pem"),
                tlsFlags.certificate() != null ? Path.of(tlsFlags.certificate()) : certs.resolve("cert.pem"),
                tlsFlags.key() != null ? Path.of(tlsFlags.key()) : certs.resolve("key.pem"));
    }

    public ApiClient api() throws CliError.Failure {
        if (api == null) {
            try {
                api = new ApiClient(Host.parse(hostSpec()).withTls(tls()));
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
