package dev.pier.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Set;

/**
 * Kernel parameters under /proc/sys, read and written inside a network namespace. The net.* tree
 * there belongs to the namespace of the thread that opens the file, hence every access goes
 * through {@link NetNamespace#run}.
 */
public final class Sysctl {
    private Sysctl() {}

    private static final Path PROC_SYS = Path.of("/proc/sys");
    private static final int READ_BUFFER = 64 * 1024;
    /** net.<family>.<table>.<interface>.<leaf>: the segment(s) after the table name an interface (which may contain dots). */
    private static final Set<String> PER_INTERFACE_TABLES = Set.of("conf", "neigh");

    /** The value, without its trailing newline. */
    public static String read(NetNamespace ns, String key) {
        Objects.requireNonNull(ns, "ns");
        Path file = pathOf(key);
        return ns.run(() -> {
            try {
                String text = readWhole(file);
                return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            } catch (IOException e) {
                throw failure("read", key, null, ns, e);
            }
        });
    }

    /** Writes {@code value} (one line; several fields separated by spaces or tabs where the key wants them). */
    public static void write(NetNamespace ns, String key, String value) {
        Objects.requireNonNull(ns, "ns");
        Objects.requireNonNull(value, "value");
        Path file = pathOf(key);
        if (value.isEmpty() || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("sysctl " + key + ": value must be one non-empty line, got '" + value + "'");
        }
        ns.run(() -> {
            try {
                // One write(2) of the whole value: /proc/sys parses each write on its own.
                Files.write(file, (value + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw failure("write", key, value, ns, e);
            }
        });
    }

    /**
     * Reads with one large read(2) from offset 0: numeric sysctls answer a read at a non-zero offset
     * with end-of-file, so a reader that starts with a small read (Files.readString does, as
     * /proc reports size 0) loses all but the first byte.
     */
    private static String readWhole(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
            int n;
            do {
                n = channel.read(buffer); // string-valued keys may continue at an offset
            } while (n > 0 && buffer.hasRemaining());
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        }
    }

    /** Maps a dotted key to its file, validating it first (no path tricks, no empty segments). */
    static Path pathOf(String key) {
        Objects.requireNonNull(key, "key");
        String[] segments = key.split("\\.", -1);
        if (key.isEmpty() || key.indexOf('/') >= 0 || key.indexOf('\0') >= 0 || segments.length < 2) {
            throw new IllegalArgumentException("invalid sysctl key '" + key + "': expected dotted names like net.ipv4.ip_forward");
        }
        int interfaceStart = -1;
        if (segments.length >= 5 && segments[0].equals("net") && PER_INTERFACE_TABLES.contains(segments[2])) {
            interfaceStart = 3; // net.ipv4.conf.<interface, maybe dotted>.<leaf>
        }
        Path path = PROC_SYS;
        if (interfaceStart < 0) {
            for (String segment : segments) path = path.resolve(checked(key, segment));
        } else {
            for (int i = 0; i < interfaceStart; i++) path = path.resolve(checked(key, segments[i]));
            String iface = String.join(".", java.util.Arrays.copyOfRange(segments, interfaceStart, segments.length - 1));
            path = path.resolve(checked(key, iface)).resolve(checked(key, segments[segments.length - 1]));
        }
        return path;
    }

    private static String checked(String key, String segment) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
            throw new IllegalArgumentException("invalid sysctl key '" + key + "': empty or relative segment");
        }
        return segment;
    }

    private static RuntimeException failure(String operation, String key, String value, NetNamespace ns, IOException e) {
        String what = "sysctl " + operation + " " + key + (value == null ? "" : "=" + value) + " in netns " + ns.name();
        return switch (e) {
            case NoSuchFileException _ -> new IllegalArgumentException(what + ": unknown key (no " + pathOf(key) + ")", e);
            case AccessDeniedException _ -> new IllegalArgumentException(what + ": key is read-only or not permitted", e);
            default -> {
                String reason = e.getMessage();
                if (reason != null && reason.contains("Is a directory")) {
                    yield new IllegalArgumentException(what + ": " + key + " is a group of keys, not a key", e);
                }
                if (reason != null && reason.contains("Invalid argument")) {
                    yield new IllegalArgumentException(what + ": the kernel refused the value (EINVAL)", e);
                }
                yield new UncheckedIOException(what + ": " + reason, e);
            }
        };
    }
}
