package dev.pier.api.routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pier.api.ApiException;
import dev.pier.api.Request;
import dev.pier.api.Response;
import dev.pier.api.Router;
import dev.pier.api.wire.ContainerWire;
import dev.pier.dns.ContainerFiles;
import dev.pier.engine.ContainerRecord;
import dev.pier.engine.ContainerService;
import dev.pier.engine.EngineException;
import dev.pier.ports.PortRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.pier.api.routes.Errors.mapped;

/** /containers/...: create, start, stop, kill, wait, logs, attach, rename, inspect, list, remove, prune. */
public final class ContainerRoutes {
    private final ContainerService containers;
    private final Path dataRoot;

    public ContainerRoutes(ContainerService containers, Path dataRoot) {
        this.containers = containers;
        this.dataRoot = dataRoot;
    }

    public void register(Router router) {
        router.post("/containers/create", mapped(this::create));
        router.get("/containers/json", mapped(this::list));
        router.post("/containers/prune", mapped(this::prune));
        router.get("/containers/{id}/json", mapped(this::inspect));
        router.post("/containers/{id}/start", mapped(r -> { containers.start(r.pathParam("id")); return Response.noContent(); }));
        router.post("/containers/{id}/stop", mapped(r -> {
            containers.stop(r.pathParam("id"), Duration.ofSeconds(r.queryInt("t", 10)));
            return Response.noContent();
        }));
        router.post("/containers/{id}/restart", mapped(r -> {
            String id = r.pathParam("id");
            if (containers.require(id).state().running()) containers.stop(id, Duration.ofSeconds(r.queryInt("t", 10)));
            containers.start(id);
            return Response.noContent();
        }));
        router.post("/containers/{id}/kill", mapped(r -> {
            containers.kill(r.pathParam("id"), Signals.parse(r.query("signal", "SIGKILL")));
            return Response.noContent();
        }));
        router.post("/containers/{id}/wait", mapped(this::waitFor));
        router.get("/containers/{id}/logs", mapped(this::logs));
        router.post("/containers/{id}/attach", mapped(this::attach));
        router.post("/containers/{id}/rename", mapped(r -> {
            containers.rename(r.pathParam("id"), r.query("name", ""));
            return Response.noContent();
        }));
        router.post("/containers/{id}/resize", mapped(r -> {
            containers.resize(r.pathParam("id"), r.queryInt("h", 0), r.queryInt("w", 0));
            return Response.empty(200);
        }));
        router.delete("/containers/{id}", mapped(r -> {
            containers.remove(r.pathParam("id"), r.queryBool("force"));
            return Response.noContent();
        }));
    }

    // ------------------------------------------------------------------ create

    private Response create(Request r) throws IOException {
        JsonNode body = r.bodyJson(JsonNode.class);
        if (body == null || !body.isObject()) throw ApiException.badRequest("config cannot be empty in order to create a container");
        String image = text(body, "Image");
        if (image.isEmpty()) throw ApiException.badRequest("config cannot be empty in order to create a container");
        UnsupportedOptions.check(body);
        JsonNode host = body.path("HostConfig");
        Map<String, ContainerRecord.EndpointRequest> endpoints = new LinkedHashMap<>();
        JsonNode eps = body.path("NetworkingConfig").path("EndpointsConfig");
        for (Iterator<Map.Entry<String, JsonNode>> it = eps.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode ipam = e.getValue().path("IPAMConfig");
            // Newer CLIs key the mode's endpoint by the mode itself, "default" included: that is the bridge.
            endpoints.put(e.getKey().equals("default") ? "bridge" : e.getKey(), new ContainerRecord.EndpointRequest(text(ipam, "IPv4Address"), text(ipam, "IPv6Address"),
                    strings(e.getValue().path("Aliases")), text(e.getValue(), "MacAddress")));
        }
        // Before API 1.44 the CLI sends --mac-address at the top level: it belongs to the mode's network.
        String topMac = text(body, "MacAddress");
        if (!topMac.isEmpty()) {
            String modeNetwork = text(host, "NetworkMode").isEmpty() || text(host, "NetworkMode").equals("default") ? "bridge" : text(host, "NetworkMode");
            ContainerRecord.EndpointRequest e = endpoints.get(modeNetwork);
            endpoints.put(modeNetwork, e == null ? new ContainerRecord.EndpointRequest("", "", List.of(), topMac)
                    : new ContainerRecord.EndpointRequest(e.ipv4(), e.ipv6(), e.aliases(), e.mac().isEmpty() ? topMac : e.mac()));
        }
        List<String> exposed = new ArrayList<>();
        body.path("ExposedPorts").fieldNames().forEachRemaining(p -> exposed.add(portKey(p)));
        List<PortRequest> portBindings = portBindings(host.path("PortBindings"));
        Map<String, String> labels = new LinkedHashMap<>();
        body.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        JsonNode restart = host.path("RestartPolicy");
        Map<String, String> sysctls = new LinkedHashMap<>();
        host.path("Sysctls").fields().forEachRemaining(e -> sysctls.put(e.getKey(), e.getValue().asText()));
        ContainerRecord.Settings settings = new ContainerRecord.Settings(
                body.hasNonNull("Cmd") ? strings(body.get("Cmd")) : null,
                body.hasNonNull("Entrypoint") ? strings(body.get("Entrypoint")) : null,
                strings(body.path("Env")), text(body, "WorkingDir"), text(body, "User"), text(body, "Hostname"),
                text(body, "Domainname"), body.path("Tty").asBoolean(false), body.path("OpenStdin").asBoolean(false),
                labels, exposed, text(host, "NetworkMode"), endpoints, host.path("AutoRemove").asBoolean(false),
                text(restart, "Name"), restart.path("MaximumRetryCount").asInt(0), strings(host.path("CapAdd")),
                strings(host.path("CapDrop")), host.path("Privileged").asBoolean(false), strings(host.path("Dns")),
                strings(host.path("DnsSearch")), strings(host.path("DnsOptions")), strings(host.path("ExtraHosts")),
                strings(host.path("Links")), text(host, "Runtime"), List.of(), portBindings,
                host.path("PublishAllPorts").asBoolean(false), sysctls);
        ContainerRecord created;
        try {
            created = containers.create(r.query("name", ""), image, settings);
        } catch (EngineException e) {
            // The docker CLI reads a 404 from create as "no such image" and pulls: a missing network
            // or container is bad input here (Docker itself only finds out at start).
            if (e.kind() == EngineException.Kind.NOT_FOUND && !e.getMessage().startsWith("No such image")) {
                throw ApiException.badRequest(e.getMessage());
            }
            throw e;
        }
        List<String> warnings = new ArrayList<>();
        // The host's own ports are the container's: nothing is published (Docker says so the same way).
        if (text(host, "NetworkMode").equals("host") && !portBindings.isEmpty())
            warnings.add("Published ports are discarded when using host network mode");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Id", created.id());
        out.put("Warnings", warnings);
        return Response.created(out);
    }

    /**
     * HostConfig.PortBindings: {"80/tcp": [{"HostIp": "", "HostPort": "8080"}], ...}; a null or
     * empty list publishes the port on a random host port, as Docker does.
     */
    static List<PortRequest> portBindings(JsonNode bindings) {
        List<PortRequest> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = bindings.fields(); it.hasNext(); ) {
            var e = it.next();
            String port = e.getKey();
            if (e.getValue() == null || e.getValue().isNull() || e.getValue().isEmpty()) {
                out.add(PortRequest.parse(port, "", ""));
                continue;
            }
            for (JsonNode b : e.getValue()) out.add(PortRequest.parse(port, text(b, "HostIp"), text(b, "HostPort")));
        }
        return out;
    }

    /** "80" is "80/tcp". */
    private static String portKey(String port) {
        PortRequest p = PortRequest.parse(port, "", "");
        return p.key();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    /** Docker's strslice: an array of strings, or one string. */
    private static List<String> strings(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return List.of();
        if (node.isTextual()) return List.of(node.asText());
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    // ------------------------------------------------------------------ read

    private Response list(Request r) {
        boolean all = r.queryBool("all");
        Filters f = Filters.parse(r.query("filters", ""), ContainerFilters.KEYS);
        var matching = ContainerFilters.of(f, containers);
        if (f.values().containsKey("status") || f.values().containsKey("exited")) all = true;
        boolean everything = all;
        Instant now = Instant.now();
        List<Object> out = new ArrayList<>();
        containers.list().stream()
                .filter(c -> everything || c.state().running())
                .filter(matching)
                .sorted(Comparator.comparing(ContainerRecord::created).reversed())
                .forEach(c -> out.add(ContainerWire.summary(c, now)));
        return Response.ok(out);
    }

    /** Every container that is not running (and matches the filters) goes, as with `rm` of each. */
    private Response prune(Request r) {
        PruneFilters f = PruneFilters.parse(r.query("filters", ""));
        List<String> deleted = new ArrayList<>();
        for (ContainerRecord c : containers.list()) {
            if (c.state().running() || !f.matches(c.created(), c.settings().labels())) continue;
            try {
                containers.remove(c.id(), false);
                deleted.add(c.id());
            } catch (EngineException e) {
                // started or removed meanwhile
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ContainersDeleted", deleted);
        out.put("SpaceReclaimed", 0);
        return Response.ok(out);
    }

    private Response inspect(Request r) {
        ContainerRecord c = containers.require(r.pathParam("id"));
        Path dir = dataRoot.resolve("containers").resolve(c.id());
        return Response.ok(ContainerWire.inspect(c, dir.resolve(ContainerFiles.HOSTS).toString(),
                dir.resolve(ContainerFiles.HOSTNAME).toString(), dir.resolve(ContainerFiles.RESOLV_CONF).toString(),
                containers.logFile(c.id(), false).toString()));
    }

    private Response waitFor(Request r) {
        String condition = r.query("condition", "not-running");
        String id = containers.require(r.pathParam("id")).id();
        // The future is taken now, not when the stream starts: a quick `run --rm` container can be
        // gone (exited and auto-removed) by then.
        java.util.concurrent.CompletableFuture<Integer> ending = switch (condition) {
            case "", "not-running" -> null;
            case "next-exit" -> containers.nextExit(id);
            case "removed" -> containers.removal(id);
            default -> throw ApiException.badRequest("invalid condition: \"" + condition + "\"");
        };
        // Docker sends the headers at once and the body at exit: the CLI waits on it while the container runs.
        return Response.stream("application/json", out -> {
            out.flush();
            int code = ending != null ? ending.join() : containers.waitFor(id, false);
            out.write(("{\"Error\":null,\"StatusCode\":" + code + "}\n").getBytes());
            out.flush();
        });
    }

    // ------------------------------------------------------------------ output

    private Response logs(Request r) {
        ContainerRecord c = containers.require(r.pathParam("id"));
        boolean stdout = r.queryBool("stdout"), stderr = r.queryBool("stderr");
        if (!stdout && !stderr) throw ApiException.badRequest("Bad parameters: you must choose at least one stream");
        boolean follow = r.queryBool("follow");
        String contentType = c.settings().tty() ? Response.RAW_STREAM : Response.MULTIPLEXED_STREAM;
        java.util.concurrent.CompletableFuture<Integer> end = follow && c.state().running()
                ? containers.nextExit(c.id()) : java.util.concurrent.CompletableFuture.completedFuture(0);
        return Response.stream(contentType, out -> {
            try (AutoCloseable reading = containers.readingOutput(c.id())) {
                relay(c, stdout, stderr, end, 0, 0, out);
            }
        });
    }

    private Response attach(Request r) {
        ContainerRecord c = containers.require(r.pathParam("id"));
        boolean stdout = r.queryBool("stdout"), stderr = r.queryBool("stderr"), stdin = r.queryBool("stdin");
        boolean logs = r.queryBool("logs");
        // The bytes are framed unless there is a TTY; only the header's name changed with API 1.42.
        String contentType = c.settings().tty() || !r.apiVersionAtLeast("1.42") ? Response.RAW_STREAM : Response.MULTIPLEXED_STREAM;
        // Attach comes before start in `run`: stream until the container's next exit.
        java.util.concurrent.CompletableFuture<Integer> end = containers.nextExit(c.id());
        // Where the output starts is fixed now, before the answer: the client may start the
        // container the moment it has it, and the first lines must not fall before the relay looks.
        long outFrom = logs ? 0 : size(containers.logFile(c.id(), false)), errFrom = logs ? 0 : size(containers.logFile(c.id(), true));
        return Response.hijack(r, contentType, (fromClient, toClient) -> {
            try (AutoCloseable reading = containers.readingOutput(c.id())) {
                attached(c, stdin, stdout, stderr, end, outFrom, errFrom, fromClient, toClient);
            }
        });
    }

    private void attached(ContainerRecord c, boolean stdin, boolean stdout, boolean stderr, java.util.concurrent.CompletableFuture<Integer> end,
                          long outFrom, long errFrom, InputStream fromClient, OutputStream toClient) throws Exception {
        Thread input = null;
        if (stdin && c.settings().openStdin()) {
            input = Thread.ofVirtual().start(() -> pumpStdin(c.id(), fromClient, end));
        }
        relay(c, stdout, stderr, end, outFrom, errFrom, toClient);
        if (input != null) input.interrupt();
    }

    private void pumpStdin(String id, InputStream fromClient, java.util.concurrent.CompletableFuture<Integer> end) {
        // `docker run -i` attaches before it starts the container: its stdin exists from the start on.
        OutputStream opened = null;
        while (opened == null) {
            try {
                opened = containers.stdin(id);
            } catch (IllegalStateException notStartedYet) {
                if (end.isDone()) return;
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
        try (OutputStream in = opened) {
            fromClient.transferTo(in);
        } catch (IOException | RuntimeException ignored) {
            // the container closed its stdin or went away
        }
    }

    /**
     * Copies the container's output files to the client, framed with Docker's 8-byte headers
     * unless it has a TTY. With follow, keeps going until the container has exited and both
     * files are drained; from the given offsets of the two files.
     */
    private void relay(ContainerRecord c, boolean stdout, boolean stderr, java.util.concurrent.CompletableFuture<Integer> end,
                       long outFrom, long errFrom, OutputStream out) throws Exception {
        boolean framed = !c.settings().tty();
        Path outFile = containers.logFile(c.id(), false), errFile = containers.logFile(c.id(), true);
        long outPos = outFrom, errPos = errFrom;
        byte[] buf = new byte[32 * 1024];
        while (true) {
            boolean done = end.isDone();
            long before = outPos + errPos;
            if (stdout) outPos = copy(outFile, outPos, framed ? 1 : 0, buf, out);
            if (stderr) errPos = copy(errFile, errPos, framed ? 2 : 0, buf, out);
            if (outPos + errPos != before) out.flush();
            // After the exit, one more pass drains what the process wrote last.
            if (done && outPos + errPos == before) break;
            if (outPos + errPos == before) Thread.sleep(10);
        }
        out.flush();
    }

    private static long size(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static long copy(Path file, long from, int stream, byte[] buf, OutputStream out) throws IOException {
        if (!Files.exists(file)) return from;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long pos = from;
            raf.seek(pos);
            int n;
            while ((n = raf.read(buf)) > 0) {
                if (stream != 0) {
                    out.write(new byte[]{(byte) stream, 0, 0, 0, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
                }
                out.write(buf, 0, n);
                pos += n;
            }
            return pos;
        }
    }
}
