package dev.pier.cli.command;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local terminal for {@code -t}: raw mode through {@code stty} (a process is fine on this rare
 * path), its size, and whether stdin is one at all.
 */
public final class Terminal {
    private Terminal() {
    }

    /** stdin is a terminal when fd 0 points at a tty device. */
    public static boolean stdinIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Puts the terminal in raw mode without echo; returns the state to restore, or null. */
    static String makeRaw() {
        String saved = stty("-g");
        if (saved == null) {
            return null;
        }
        return stty("raw", "-echo") == null ? null : saved.strip();
    }

    static void restore(String saved) {
        if (saved != null) {
            stty(saved);
        }
    }

    /** {rows, columns}, or null when unknown. */
    static int[] size() {
        String size = stty("size");
        if (size == null) {
            return null;
        }
        String[] parts = size.strip().split(" ");
        if (parts.length != 2) {
            return null;
        }
        try {
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String stty(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "stty";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            byte[] output = process.getInputStream().readAllBytes();
            return process.waitFor() == 0 ? new String(output, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
