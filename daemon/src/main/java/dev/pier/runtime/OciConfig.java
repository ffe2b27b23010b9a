package dev.pier.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The OCI runtime config (config.json, spec 1.0.2) of a container, shaped like Docker's: pid,
 * mount, uts and ipc namespaces plus the network one asked for, Docker's default mounts, masked
 * and read-only /proc paths, capabilities. No rlimits (this kernel refuses to raise
 * RLIMIT_NOFILE) and no seccomp profile.
 */
final class OciConfig {
    private OciConfig() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static final List<String> MASKED_PATHS = List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");
    static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    /** What start() resolved from the spec and the image. */
    record Process(List<String> args, List<String> env, String cwd, ContainerUser user, boolean terminal,
                   List<String> capabilities) {}

    static byte[] build(String id, Process process, String hostname, NetworkNamespace network, Path hostsFile,
                        Path hostnameFile, Path resolvConfFile, boolean privileged, Map<String, String> labels,
                        Map<String, String> sysctls) {
        ObjectNode root = JSON.createObjectNode();
        root.put("ociVersion", "1.0.2");

        ObjectNode proc = root.putObject("process");
        proc.put("terminal", process.terminal());
        ObjectNode user = proc.putObject("user");
        user.put("uid", process.user().uid());
        user.put("gid", process.user().gid());
        if (!process.user().additionalGids().isEmpty()) {
            ArrayNode gids = user.putArray("additionalGids");
            process.user().additionalGids().forEach(gids::add);
        }
        strings(proc.putArray("args"), process.args());
        strings(proc.putArray("env"), process.env());
        proc.put("cwd", process.cwd());
        ObjectNode caps = proc.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) strings(caps.putArray(set), process.capabilities());
        proc.put("noNewPrivileges", false);

        ObjectNode rootfs = root.putObject("root");
        rootfs.put("path", "rootfs");
        rootfs.put("readonly", false);
        root.put("hostname", hostname);

        ArrayNode mounts = root.putArray("mounts");
        mount(mounts, "/proc", "proc", "proc", "nosuid", "noexec", "nodev");
        mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        mount(mounts, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
        mount(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", privileged ? "rw" : "ro");
        mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", privileged ? "rw" : "ro");
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
        mount(mounts, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
        bind(mounts, "/etc/resolv.conf", resolvConfFile);
        bind(mounts, "/etc/hostname", hostnameFile);
        bind(mounts, "/etc/hosts", hostsFile);

        if (!labels.isEmpty()) {
            ObjectNode annotations = root.putObject("annotations");
            labels.forEach(annotations::put);
        }

        ObjectNode linux = root.putObject("linux");
        ObjectNode resources = linux.putObject("resources");
        ObjectNode devices = resources.putArray("devices").addObject();
        // Everything denied, then runc adds the standard set (null, zero, tty, random, pts...); privileged: all.
        devices.put("allow", privileged);
        devices.put("access", "rwm");
        linux.put("cgroupsPath", "/pier/" + id);
        if (!sysctls.isEmpty()) {
            ObjectNode sysctl = linux.putObject("sysctl");
            new java.util.TreeMap<>(sysctls).forEach(sysctl::put);
        }
        ArrayNode namespaces = linux.putArray("namespaces");
        for (String ns : List.of("pid", "ipc", "uts", "mount")) namespaces.addObject().put("type", ns);
        switch (network) {
            case NetworkNamespace.Host h -> { }
            case NetworkNamespace.NewEmpty n -> namespaces.addObject().put("type", "network");
            case NetworkNamespace.Path p -> namespaces.addObject().put("type", "network").put("path", p.file().toString());
        }
        if (!privileged) {
            strings(linux.putArray("maskedPaths"), MASKED_PATHS);
            strings(linux.putArray("readonlyPaths"), READONLY_PATHS);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, String... options) {
        ObjectNode m = mounts.addObject();
        m.put("destination", destination);
        m.put("type", type);
        m.put("source", source);
        strings(m.putArray("options"), List.of(options));
    }

    private static void bind(ArrayNode mounts, String destination, Path file) {
        if (file == null) return;
        mount(mounts, destination, "bind", file.toAbsolutePath().toString(), "rbind", "rprivate");
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
