package dev.pier.api.routes;

import dev.pier.api.Response;
import dev.pier.api.Router;
import dev.pier.engine.ContainerRecord;
import dev.pier.engine.ContainerService;
import dev.pier.engine.NetworkService;
import dev.pier.image.ImageStore;
import dev.pier.runtime.RuntimeVersion;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.pier.api.routes.Errors.mapped;

/** /version and /info with the fields `docker version` and `docker info` print. */
public final class SystemRoutes {
    public static final String VERSION = "0.1.0";
    private final ContainerService containers;
    private final ImageStore images;
    private final Path dataRoot;
    private final String defaultRuntime;
    private final Instant started = Instant.now();

    public SystemRoutes(ContainerService containers, NetworkService networks, ImageStore images, Path dataRoot, String defaultRuntime) {
        this.containers = containers;
        this.images = images;
        this.dataRoot = dataRoot;
        this.defaultRuntime = defaultRuntime;
    }

    public void register(Router router, String apiVersion, String minApiVersion) {
        router.get("/version", mapped(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Platform", Map.of("Name", "Pier"));
            // `docker version` prints the Engine component's Details, not the top-level fields.
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("ApiVersion", apiVersion);
            details.put("Arch", "amd64");
            details.put("BuildTime", started.toString());
            details.put("Experimental", "false");
            details.put("GitCommit", "pier");
            details.put("GoVersion", "java" + Runtime.version().feature());
            details.put("KernelVersion", kernel());
            details.put("MinAPIVersion", minApiVersion);
            details.put("Os", "linux");
            m.put("Components", List.of(Map.of("Name", "Engine", "Version", VERSION, "Details", details)));
            m.put("Version", VERSION);
            m.put("ApiVersion", apiVersion);
            m.put("MinAPIVersion", minApiVersion);
            m.put("GitCommit", "pier");
            m.put("GoVersion", "java" + Runtime.version().feature());
            m.put("Os", "linux");
            m.put("Arch", "amd64");
            m.put("KernelVersion", kernel());
            m.put("BuildTime", started.toString());
            return Response.ok(m);
        }));
        router.get("/info", mapped(r -> {
            List<ContainerRecord> all = containers.list();
            long running = all.stream().filter(c -> c.state().running()).count();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ID", "pier");
            m.put("Containers", all.size());
            m.put("ContainersRunning", running);
            m.put("ContainersPaused", 0);
            m.put("ContainersStopped", all.size() - running);
            m.put("Images", images.list().size());
            m.put("Driver", "overlay2");
            m.put("DriverStatus", List.of());
            m.put("Plugins", Map.of("Volume", List.of("local"), "Network", List.of("bridge", "host", "null"), "Log", List.of("local")));
            m.put("MemoryLimit", false);
            m.put("SwapLimit", false);
            m.put("IPv4Forwarding", "1".equals(read("/proc/sys/net/ipv4/ip_forward")));
            m.put("BridgeNfIptables", false);
            m.put("BridgeNfIp6tables", false);
            m.put("Debug", false);
            m.put("NFd", openFiles());
            m.put("NGoroutines", Thread.activeCount());
            m.put("SystemTime", Instant.now().toString());
            m.put("LoggingDriver", "local");
            m.put("CgroupDriver", "cgroupfs");
            // A unified hierarchy has cgroup.controllers at its root; hybrid and v1 hosts count as 1, as Docker does.
            m.put("CgroupVersion", Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "2" : "1");
            m.put("KernelVersion", kernel());
            m.put("OperatingSystem", "Pier");
            m.put("OSType", "linux");
            m.put("Architecture", "x86_64");
            m.put("NCPU", Runtime.getRuntime().availableProcessors());
            m.put("MemTotal", memTotal());
            m.put("DockerRootDir", dataRoot.toString());
            m.put("Name", hostname());
            m.put("Labels", List.of());
            m.put("ServerVersion", VERSION);
            Map<String, Object> runtimes = new LinkedHashMap<>();
            RuntimeVersion defaultVersion = null;
            for (RuntimeVersion v : containers.runtimes()) {
                if (v.path().isEmpty()) continue;
                runtimes.put(v.name(), Map.of("path", v.path()));
                if (v.name().equals(defaultRuntime)) defaultVersion = v;
            }
            m.put("Runtimes", runtimes);
            m.put("DefaultRuntime", defaultRuntime);
            // `docker info` prints these commits as "runc version", "containerd version", "init version".
            String commit = defaultVersion == null ? "" : defaultVersion.commit();
            m.put("RuncCommit", Map.of("ID", commit, "Expected", commit));
            m.put("ContainerdCommit", Map.of("ID", "N/A (Pier runs " + defaultRuntime + " itself)", "Expected", ""));
            m.put("InitBinary", "");
            m.put("InitCommit", Map.of("ID", "N/A", "Expected", ""));
            m.put("Swarm", Map.of("LocalNodeState", "inactive"));
            m.put("SecurityOptions", List.of());
            m.put("Warnings", List.of());
            return Response.ok(m);
        }));
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (Exception e) {
            return "";
        }
    }

    private static long memTotal() {
        for (String line : read("/proc/meminfo").split("\n")) {
            // "MemTotal:       24578476 kB"
            if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        return 0;
    }

    private static long openFiles() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (Exception e) {
            return 0;
        }
    }

    private static String kernel() {
        return read("/proc/sys/kernel/osrelease");
    }

    private static String hostname() {
        return read("/proc/sys/kernel/hostname");
    }
}
