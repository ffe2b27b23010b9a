package dev.pier.bench;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * iproute2's {@code ip}, run as a child process the way a Java engine that shells out would run it:
 * one {@link ProcessBuilder} start per invocation, exit status and stderr checked.
 */
final class IpTool {
    private static final File DEV_NULL = new File("/dev/null");

    private final String ip;

    private IpTool(String ip) {
        this.ip = ip;
    }

    /** Finds the binary once, so no run pays a PATH search. */
    static IpTool locate() {
        for (String candidate : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
            if (Files.isExecutable(Path.of(candidate))) return new IpTool(candidate);
        }
        throw new IllegalStateException("iproute2's ip not found (apt-get install iproute2)");
    }

    String path() { return ip; }

    /** "ip utility, iproute2-6.1.0, ..." or "ip (version unknown)". */
    String version() {
        try {
            Process p = new ProcessBuilder(ip, "-V").redirectErrorStream(true).redirectInput(DEV_NULL).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 && !text.isEmpty() ? text : ip + " (version unknown)";
        } catch (IOException e) {
            return ip + " (version unknown)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ip + " (version unknown)";
        }
    }

    /** One process: {@code ip args...}. */
    void run(String... args) {
        List<String> command = new ArrayList<>(args.length + 1);
        command.add(ip);
        command.addAll(List.of(args));
        execute(command, null);
    }

    /**
     * One process reading {@code lines} on stdin: {@code ip -batch -}, or {@code ip -n ns -batch -}
     * when {@code namespace} is not null (batch mode has no per-line namespace).
     */
    void batch(String namespace, List<String> lines) {
        List<String> command = new ArrayList<>();
        command.add(ip);
        if (namespace != null) {
            command.add("-n");
            command.add(namespace);
        }
        command.add("-batch");
        command.add("-");
        execute(command, String.join("\n", lines) + "\n");
    }

    /** The cost of starting and reaping a do-nothing process from this JVM: the floor under every ip run. */
    static long spawnNanos(String binary) {
        long start = System.nanoTime();
        execute(List.of(binary), null);
        return System.nanoTime() - start;
    }

    private static void execute(List<String> command, String stdin) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        if (stdin == null) builder.redirectInput(DEV_NULL);
        try {
            Process process = builder.start();
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int status = process.waitFor();
            if (status != 0) {
                String firstLines = stdin == null ? "" : " (stdin began: " + stdin.lines().limit(2).toList() + ")";
                throw new IllegalStateException(String.join(" ", command) + firstLines + " exited with " + status
                        + (errors.isEmpty() ? "" : ": " + errors));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }
}
