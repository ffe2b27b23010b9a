package dev.pier.api.routes;

import dev.pier.api.Response;
import dev.pier.api.Router;
import dev.pier.engine.ContainerRecord;
import dev.pier.engine.ContainerService;
import dev.pier.engine.NetworkService;
import dev.pier.image.ImageStore;

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
            m.put("IPv4Forwarding", true);
            m.put("BridgeNfIptables", false);
            m.put("BridgeNfIp6tables", false);
            m.put("Debug", false);
            m.put("NFd", 0);
            m.put("NGoroutines", Thread.activeCount());
            m.put("SystemTime", Instant.now().toString());
            m.put("LoggingDriver", "local");
            m.put("CgroupDriver", "cgroupfs");
            m.put("CgroupVersion", "2");
            m.put("KernelVersion", kernel());
            m.put("OperatingSystem", "Pier");
            m.put("OSType", "linux");
            m.put("Architecture", "x86_64");
            m.put("NCPU", Runtime.getRuntime().availableProcessors());
            m.put("MemTotal", 0);
            m.put("DockerRootDir", dataRoot.toString());
            m.put("Name", hostname());
            m.put("Labels", List.of());
            m.put("ServerVersion", VERSION);
            m.put("Runtimes", Map.of("runc", Map.of("path", "runc"), "crun", Map.of("path", "crun")));
            m.put("DefaultRuntime", defaultRuntime);
            m.put("Swarm", Map.of("LocalNodeState", "inactive"));
            m.put("SecurityOptions", List.of());
            m.put("Warnings", List.of());
            return Response.ok(m);
        }));
    }

    private static String kernel() {
        try {
            return new String(Files.newInputStream(Path.of("/proc/sys/kernel/osrelease")).readAllBytes()).strip();
        } catch (Exception e) {
            return "";
        }
    }

    private static String hostname() {
        try {
            return new String(Files.newInputStream(Path.of("/proc/sys/kernel/hostname")).readAllBytes()).strip();
        } catch (Exception e) {
            return "";
        }
    }
}
