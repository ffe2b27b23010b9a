package dev.pier.linux;

import dev.pier.linux.internal.Libc;
import dev.pier.linux.internal.LibNftables;
import dev.pier.linux.internal.NsCalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * One libnftables context: nft's own parser, evaluator and atomic transactions, without a process.
 *
 * <p>Which namespace it acts on: libnftables opens its NETLINK_NETFILTER socket in
 * {@code nft_ctx_new}, so tables, chains, sets and rules always go to the namespace of the thread
 * that called {@link #open()}, whichever thread uses the context afterwards. But interface names in
 * rules ({@code iif "eth0"}, {@code oif ...}) are turned into indexes through a fresh rtnetlink
 * query in the namespace of the thread running each command. {@link #openIn(NetNamespace)} does both
 * inside the given namespace and is the way to manage a namespace other than the caller's.
 *
 * <p>Calls are serialized across all contexts of the process, not just per context: the library
 * keeps process-wide state (one-time initialization, the interface cache) that is not thread-safe.
 */
public final class Nftables implements AutoCloseable {
    private static final ReentrantLock LIBRARY_LOCK = new ReentrantLock();
    private static final int NETLINK_NETFILTER = 12;
    private static final Set<String> FAMILIES = Set.of("ip", "ip6", "inet", "arp", "bridge", "netdev");
    /** nft's unquoted identifier: what a table name may be without quoting or escaping. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_.][A-Za-z0-9_./-]*");

    private final MemorySegment ctx;
    /** Null: commands run on the calling thread. */
    private final NetNamespace namespace;
    private boolean closed; // guarded by LIBRARY_LOCK

    private Nftables(MemorySegment ctx, NetNamespace namespace) {
        this.ctx = ctx;
        this.namespace = namespace;
    }

    /** A context acting on the calling thread's namespace (see the class comment). */
    public static Nftables open() {
        return new Nftables(newContext(), null);
    }

    /** A context acting on {@code ns}: created there, and every command runs there. */
    public static Nftables openIn(NetNamespace ns) {
        Objects.requireNonNull(ns, "ns");
        return ns.run(() -> new Nftables(newContext(), ns));
    }

    private static MemorySegment newContext() {
        String loadError = LibNftables.loadError();
        if (loadError != null) throw new NftablesException(loadError, "");
        // nft_ctx_new calls exit() when it cannot open its socket: find out first, with an error instead.
        try {
            Libc.close(Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, NETLINK_NETFILTER));
        } catch (KernelException e) {
            throw new NftablesException("nf_tables is not reachable (NETLINK_NETFILTER socket: " + e.errnoName() + ")", e);
        }
        LIBRARY_LOCK.lock();
        try {
            return LibNftables.newContext();
        } finally {
            LIBRARY_LOCK.unlock();
        }
    }

    // ---------------------------------------------------------------- changes

    /**
     * Applies an nft script (any number of commands, or whole {@code table ... { }} blocks) as one
     * transaction: all of it or, on error, none of it. The error carries nft's text verbatim, with
     * the script's line number ({@code /proc/self/fd/N:LINE:COLUMNS: Error: ...}): the script goes
     * through nft_run_cmd_from_filename on an in-memory file, the same single transaction as
     * nft_run_cmd_from_buffer, whose errors in libnftables 1.0.6 always quote the first line.
     */
    public void apply(String script) {
        Objects.requireNonNull(script, "script");
        execute(script, Input.SCRIPT, 0, "nft rejected the ruleset");
    }

    /** {@link #apply} for nft's JSON syntax ({@code nft -j}): one object {@code {"nftables": [...]}}. */
    public void applyJson(String json) {
        Objects.requireNonNull(json, "json");
        if (!json.stripLeading().startsWith("{")) {
            throw new IllegalArgumentException("nft JSON input must be an object {\"nftables\": [...]}, got: " + abbreviate(json));
        }
        // Before libnftables 1.0.7 there are no input flags: JSON input is parsed when JSON output is on.
        execute(json, Input.JSON, LibNftables.NFT_CTX_OUTPUT_JSON, "nft rejected the JSON ruleset");
    }

    // ---------------------------------------------------------------- queries

    /** {@code list table <family> <name>} as nft's JSON. NftablesException when the table is absent. */
    public String listTableJson(String family, String name) {
        checkTable(family, name);
        return execute("list table " + family + " " + name, Input.COMMAND, LibNftables.NFT_CTX_OUTPUT_JSON,
                "cannot list table " + family + " " + name).strip();
    }

    /** Plain-text output of one {@code list ...} command, e.g. {@code list("list table inet pier")}. */
    public String list(String command) {
        Objects.requireNonNull(command, "command");
        String trimmed = command.strip();
        if (!trimmed.startsWith("list ") || trimmed.indexOf(';') >= 0 || trimmed.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("expected one nft 'list ...' command, got: " + abbreviate(command));
        }
        return execute(trimmed, Input.COMMAND, 0, "nft could not " + trimmed);
    }

    public boolean tableExists(String family, String name) {
        checkTable(family, name);
        String tables = execute("list tables " + family, Input.COMMAND, 0, "cannot list tables " + family);
        String wanted = "table " + family + " " + name;
        return tables.lines().map(String::strip).anyMatch(wanted::equals);
    }

    // ---------------------------------------------------------------- plumbing

    /** How nft gets its input. */
    private enum Input {
        /** A script, handed over as a file so that errors name the right line (see {@link ScriptFile}). */
        SCRIPT,
        /** One command, as a buffer. */
        COMMAND,
        /** nft JSON, as a buffer. */
        JSON
    }

    private String execute(String text, Input input, int outputFlags, String failure) {
        Callable<String> call = () -> {
            ScriptFile file = input == Input.SCRIPT ? ScriptFile.of(text) : null;
            LIBRARY_LOCK.lock();
            try {
                if (closed) throw new IllegalStateException("nftables context is closed");
                LibNftables.setOutputFlags(ctx, outputFlags);
                LibNftables.setInputFlags(ctx, input == Input.JSON ? LibNftables.NFT_CTX_INPUT_JSON : 0);
                int rc = file != null ? LibNftables.runFile(ctx, file.path()) : LibNftables.runCommand(ctx, text);
                String output = LibNftables.takeOutput(ctx);
                String error = LibNftables.takeError(ctx);
                if (rc != 0) {
                    throw new NftablesException(failure, error.isBlank() ? "libnftables returned " + rc + " without a message" : error);
                }
                return output;
            } finally {
                LIBRARY_LOCK.unlock();
                if (file != null) file.close();
            }
        };
        if (namespace != null) return namespace.run(call);
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e); // the callable above throws nothing checked
        }
    }

    /**
     * A script in an anonymous memory file. libnftables 1.0.6 prints the first line of a buffer
     * under every error, whichever line it concerns; from a file it prints "file:line:columns" and
     * the right line. Reading a file costs microseconds against the milliseconds of a transaction.
     */
    private record ScriptFile(int fd) implements AutoCloseable {
        static ScriptFile of(String script) {
            int fd = NsCalls.memfdCreate("pier-nft-script", NsCalls.MFD_CLOEXEC);
            ScriptFile file = new ScriptFile(fd);
            try (FileChannel channel = FileChannel.open(Path.of(file.path()), StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(script.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) channel.write(bytes);
            } catch (IOException e) {
                file.close();
                throw new UncheckedIOException("cannot stage the nft script in memory: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                file.close();
                throw e;
            }
            return file;
        }

        String path() {
            return "/proc/self/fd/" + fd;
        }

        @Override
        public void close() {
            Libc.close(fd);
        }
    }

    private static void checkTable(String family, String name) {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(name, "name");
        if (!FAMILIES.contains(family)) {
            throw new IllegalArgumentException("unknown nftables family '" + family + "', expected one of " + FAMILIES);
        }
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid nftables table name '" + name + "'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** Frees the context (nft_ctx_free). Idempotent. */
    @Override
    public void close() {
        LIBRARY_LOCK.lock();
        try {
            if (closed) return;
            closed = true;
            LibNftables.freeContext(ctx);
        } finally {
            LIBRARY_LOCK.unlock();
        }
    }
}
