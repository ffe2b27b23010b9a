package dev.pier.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Linux capabilities by Docker's rules: a default set, --cap-add / --cap-drop (with "ALL"), --privileged. */
final class Capabilities {
    private Capabilities() {}

    /** Index = capability number (linux/capability.h). */
    static final List<String> ALL = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
            "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
            "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
            "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
            "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    /** Docker's default set for a container. */
    static final List<String> DEFAULT = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
            "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
            "CAP_AUDIT_WRITE");

    /** "net_raw", "NET_RAW", "CAP_NET_RAW" -> "CAP_NET_RAW"; "all" -> "ALL". */
    static String canonical(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("empty capability name");
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.equals("ALL")) return n;
        if (!n.startsWith("CAP_")) n = "CAP_" + n;
        if (!ALL.contains(n)) throw new IllegalArgumentException("unknown capability: \"" + name + "\"");
        return n;
    }

    /**
     * The capabilities pierd can hand on: those in its own bounding set (a VM or an outer
     * container may lack some, e.g. CAP_SYS_RESOURCE), which also excludes ones the kernel lacks.
     */
    static List<String> supported() {
        long bounding = -1L;
        // Not Files.readString: on JDK 25 it can return a truncated value for procfs files.
        try (var in = Files.newInputStream(Path.of("/proc/self/status"))) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith("CapBnd:")) bounding = Long.parseUnsignedLong(line.substring(7).strip(), 16);
            }
        } catch (IOException | NumberFormatException ignored) {
            // keep the full list
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ALL.size(); i++) if ((bounding & (1L << i)) != 0) out.add(ALL.get(i));
        return out;
    }

    /**
     * The effective set: privileged means all; else "ALL" in add starts from all and in drop from
     * none; then drops are removed and adds put in (an add wins over a drop of the same name).
     */
    static List<String> resolve(Set<String> add, Set<String> drop, boolean privileged) {
        List<String> supported = supported();
        if (privileged) return supported;
        Set<String> adds = new LinkedHashSet<>(), drops = new LinkedHashSet<>();
        for (String a : add) adds.add(canonical(a));
        for (String d : drop) drops.add(canonical(d));
        Set<String> caps = new LinkedHashSet<>(adds.contains("ALL") ? supported : drops.contains("ALL") ? List.of() : DEFAULT);
        if (!drops.contains("ALL")) caps.removeAll(drops);
        for (String a : adds) if (!a.equals("ALL")) caps.add(a);
        List<String> out = new ArrayList<>();
        for (String c : caps) if (supported.contains(c)) out.add(c);
        return out;
    }
}
