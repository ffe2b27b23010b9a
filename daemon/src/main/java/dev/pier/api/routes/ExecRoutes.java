package dev.pier.api.routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pier.api.Request;
import dev.pier.api.Response;
import dev.pier.api.Router;
import dev.pier.engine.ExecService;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.pier.api.routes.Errors.mapped;

/** /containers/{id}/exec and /exec/{id}/...: create, start (attached or detached), inspect. */
public final class ExecRoutes {
    private final ExecService execs;

    public ExecRoutes(ExecService execs) {
        this.execs = execs;
    }

    public void register(Router router) {
        router.post("/containers/{id}/exec", mapped(this::create));
        router.post("/exec/{id}/start", mapped(this::start));
        router.post("/exec/{id}/resize", mapped(r -> { execs.require(r.pathParam("id")); return Response.empty(200); }));
        router.get("/exec/{id}/json", mapped(r -> Response.ok(inspect(execs.require(r.pathParam("id"))))));
    }

    private Response create(Request r) throws IOException {
        JsonNode b = r.bodyJson(JsonNode.class);
        ExecService.Exec e = execs.create(r.pathParam("id"), strings(b.path("Cmd")), strings(b.path("Env")),
                b.path("WorkingDir").asText(""), b.path("User").asText(""), b.path("Tty").asBoolean(false),
                b.path("AttachStdin").asBoolean(false), b.path("AttachStdout").asBoolean(false), b.path("AttachStderr").asBoolean(false));
        return Response.created(Map.of("Id", e.id()));
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) out.add(node.asText());
        else node.forEach(n -> out.add(n.asText()));
        return out;
    }

    private Response start(Request r) throws IOException {
        String id = r.pathParam("id");
        JsonNode b = r.bodyJson(JsonNode.class);
        boolean detach = b != null && b.path("Detach").asBoolean(false);
        ExecService.Exec e = execs.require(id);
        Process p = execs.start(id);
        if (detach) {
            Thread.ofVirtual().start(() -> {
                try { execs.exited(id, p.waitFor()); } catch (InterruptedException ignored) { Thread.currentThread().interrupt(); }
            });
            return Response.empty(200);
        }
        boolean framed = !e.tty();
        String contentType = !framed || !r.apiVersionAtLeast("1.42") ? Response.RAW_STREAM : Response.MULTIPLEXED_STREAM;
        return Response.hijack(r, contentType, (fromClient, toClient) -> {
            Thread input = e.attachStdin() ? Thread.ofVirtual().start(() -> pump(fromClient, p.getOutputStream())) : null;
            if (!e.attachStdin()) p.getOutputStream().close();
            Object lock = new Object();
            Thread err = Thread.ofVirtual().start(() -> relay(p.getErrorStream(), framed ? 2 : 0, toClient, lock));
            relay(p.getInputStream(), framed ? 1 : 0, toClient, lock);
            err.join();
            int code = p.waitFor();
            execs.exited(id, code);
            if (input != null) input.interrupt();
        });
    }

    private static void pump(InputStream from, OutputStream to) {
        try (to) {
            from.transferTo(to);
        } catch (IOException ignored) {
            // the process or the client went away
        }
    }

    private static void relay(InputStream from, int stream, OutputStream to, Object lock) {
        byte[] buf = new byte[16 * 1024];
        try {
            int n;
            while ((n = from.read(buf)) > 0) {
                synchronized (lock) {
                    if (stream != 0)
                        to.write(new byte[]{(byte) stream, 0, 0, 0, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
                    to.write(buf, 0, n);
                    to.flush();
                }
            }
        } catch (IOException ignored) {
            // the client went away; the process still ends on its own
        }
    }

    private static Map<String, Object> inspect(ExecService.Exec e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", e.id());
        m.put("Running", e.running());
        m.put("ExitCode", e.running() ? null : e.exitCode());
        Map<String, Object> pc = new LinkedHashMap<>();
        pc.put("tty", e.tty());
        pc.put("entrypoint", e.cmd().getFirst());
        pc.put("arguments", e.cmd().subList(1, e.cmd().size()));
        pc.put("privileged", false);
        pc.put("user", e.user() == null ? "" : e.user());
        m.put("ProcessConfig", pc);
        m.put("OpenStdin", e.attachStdin());
        m.put("OpenStderr", e.attachStderr());
        m.put("OpenStdout", e.attachStdout());
        m.put("CanRemove", false);
        m.put("ContainerID", e.containerId());
        m.put("DetachKeys", "");
        m.put("Pid", e.pid());
        return m;
    }
}
