package dev.pier.cli.command;

import dev.pier.cli.Cli;
import dev.pier.cli.CliError;
import dev.pier.cli.args.FlagSet;
import dev.pier.cli.args.Parsed;
import dev.pier.cli.format.ContainerRow;
import dev.pier.cli.format.FieldContext;
import dev.pier.cli.format.ListFormatter;
import dev.pier.cli.format.TemplateException;
import dev.pier.cli.http.ApiClient;
import dev.pier.cli.http.ApiClient.Query;
import dev.pier.cli.http.Response;
import dev.pier.cli.http.StreamDemuxer;
import dev.pier.cli.json.Json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** run, create, start, stop, restart, kill, rm, prune, rename, ps, logs, exec, port, wait. */
public final class ContainerCommands {
    private ContainerCommands() {
    }

    private static String path(String id, String rest) {
        return "/containers/" + ApiClient.segment(id) + rest;
    }

    // ---- run / create ------------------------------------------------------------------------------

    public static int run(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = ContainerSpec.flags("run", "Create and run a new container from an image", true);
        Parsed p = flags.parse(args, from);
        ContainerSpec spec = ContainerSpec.from(p, true, cli.environment());
        if (!spec.detach() && spec.tty() && spec.interactive() && !cli.stdinTerminal()) {
            throw new CliError.Failure("the input device is not a TTY");
        }
        String id = create(cli, "run", spec);
        if (spec.detach()) {
            start(cli, "run", id);
            cli.out().println(id);
            return 0;
        }
        return attachAndStart(cli, "run", id, spec.tty(), spec.interactive(), spec.sigProxy(), true);
    }

    public static int create(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = ContainerSpec.flags("create", "Create a new container", false);
        Parsed p = flags.parse(args, from);
        ContainerSpec spec = ContainerSpec.from(p, false, cli.environment());
        cli.out().println(create(cli, "create", spec));
        return 0;
    }

    /** POST /containers/create; a missing image reads like Docker's pull attempt. Exit 125 on failure. */
    private static String create(Cli cli, String command, ContainerSpec spec) throws CliError, IOException {
        String query = spec.name().isEmpty() ? "" : new Query().add("name", spec.name()).toString();
        Object created;
        try (Response response = cli.api().request("POST", "/containers/create" + query, spec.body(), "application/json")) {
            if (!response.ok()) {
                CliError.Daemon error = response.error();
                if (error.status() == 404 && error.daemonMessage().startsWith("No such image")) {
                    cli.err().println("Unable to find image '" + withDefaultTag(spec.image()) + "' locally");
                }
                throw ContainerSpec.runError(command, error.getMessage());
            }
            created = response.json();
        } catch (CliError.CannotConnect e) {
            throw ContainerSpec.runError(command, e.getMessage());
        }
        Map<String, Object> result = Json.object(created);
        for (Object warning : Json.array(result.get("Warnings"))) {
            cli.err().println("WARNING: " + Json.string(warning));
        }
        String id = Json.string(result, "Id");
        if (id.isEmpty()) {
            throw ContainerSpec.runError(command, "the daemon returned no container id");
        }
        return id;
    }

    /** Docker shows references with their implied tag: {@code busybox} is {@code busybox:latest}. */
    static String withDefaultTag(String image) {
        if (image.indexOf('@') >= 0 || image.lastIndexOf(':') > image.lastIndexOf('/')) {
            return image;
        }
        return image + ":latest";
    }

    private static void start(Cli cli, String command, String id) throws CliError, IOException {
        try (Response response = cli.api().request("POST", path(id, "/start"), null, null)) {
            if (!response.ok() && response.status() != 304) {
                throw ContainerSpec.runError(command, response.error().getMessage());
            }
        } catch (CliError.CannotConnect e) {
            throw ContainerSpec.runError(command, e.getMessage());
        }
    }

    /**
     * Foreground run and start -a: attach first, ask for the next exit, start, copy the streams,
     * then exit with the container's status.
     */
    private static int attachAndStart(Cli cli, String command, String id, boolean tty, boolean interactive,
                                      boolean sigProxy, boolean startIt) throws CliError, IOException {
        ApiClient api = cli.api();
        Query query = new Query().add("stream", "1").addIf(interactive, "stdin", "1").add("stdout", "1").add("stderr", "1");
        Response stream = api.upgrade("POST", path(id, "/attach" + query), null);
        if (!stream.ok()) {
            CliError.Daemon error = stream.error();
            stream.close();
            throw startIt ? ContainerSpec.runError(command, error.getMessage()) : error;
        }
        ApiClient.Pending wait = api.send("POST", path(id, "/wait?condition=next-exit"), null);
        WaitReader waitReader = new WaitReader(wait);
        Thread waiter = Thread.ofVirtual().name("pier-wait").start(waitReader);
        String savedTerminal = null;
        try {
            if (tty && interactive && cli.stdinTerminal()) {
                savedTerminal = Terminal.makeRaw();
            }
            if (startIt) {
                try {
                    start(cli, command, id);
                } catch (CliError e) {
                    stream.close();
                    wait.cancel();
                    throw e;
                }
            }
            if (tty) {
                resize(api, path(id, "/resize"));
            } else if (sigProxy) {
                SignalProxy.install(api, id);
            }
            Session.pump(cli, stream, tty, interactive);
        } finally {
            Terminal.restore(savedTerminal);
            stream.close();
        }
        try {
            waiter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return waitReader.exitCode(cli);
    }

    private static void resize(ApiClient api, String resizePath) {
        int[] size = Terminal.size();
        if (size == null) {
            return;
        }
        try (Response ignored = api.request("POST", resizePath + new Query().add("h", Integer.toString(size[0]))
                .add("w", Integer.toString(size[1])), null, null)) {
            // best effort, as Docker does
        } catch (IOException | CliError e) {
            // a wrong size is cosmetic
        }
    }

    /** Reads the wait response on its own thread: the daemon may answer only when the container exits. */
    private static final class WaitReader implements Runnable {
        private final ApiClient.Pending pending;
        private volatile Object result;
        private volatile String failure;

        WaitReader(ApiClient.Pending pending) {
            this.pending = pending;
        }

        @Override
        public void run() {
            try (Response response = pending.read()) {
                if (!response.ok()) {
                    failure = response.error().getMessage();
                    return;
                }
                result = response.json();
            } catch (IOException e) {
                failure = "error waiting for the container: " + e.getMessage();
            }
        }

        int exitCode(Cli cli) {
            if (failure != null) {
                cli.err().println(failure);
                return 125;
            }
            Map<String, Object> status = Json.object(result);
            Map<String, Object> error = Json.object(status.get("Error"));
            String message = Json.string(error, "Message");
            if (!message.isEmpty()) {
                cli.err().println(message);
            }
            return (int) Json.number(status.get("StatusCode"));
        }
    }

    // ---- start / stop / restart / kill / rm / wait -------------------------------------------------

    public static int startCommand(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("start", "[OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers")
                .bool("attach", 'a', "Attach STDOUT/STDERR and forward signals")
                .bool("interactive", 'i', "Attach container's STDIN")
                .aliases("pier container start, pier start");
        Parsed p = flags.parse(args, from);
        p.minArgs(1);
        if (p.bool("attach") || p.bool("interactive")) {
            if (p.args().size() > 1) {
                throw new CliError.Failure("you cannot start and attach multiple containers at once");
            }
            String id = p.arg(0);
            Map<String, Object> container = Json.object(cli.api().getJson(path(id, "/json")));
            boolean tty = Json.bool(Json.object(container.get("Config")).get("Tty"));
            return attachAndStart(cli, "start", id, tty, p.bool("interactive"), true, false);
        }
        List<String> errors = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String name : p.args()) {
            try (Response response = cli.api().request("POST", path(name, "/start"), null, null)) {
                if (!response.ok() && response.status() != 304) {
                    errors.add(response.error().getMessage());
                    failed.add(name);
                    continue;
                }
            }
            cli.out().println(name);
        }
        if (!failed.isEmpty()) {
            errors.add("Error: failed to start containers: " + String.join(", ", failed));
        }
        return Support.finish(cli, errors);
    }

    public static int stop(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("stop", "[OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers")
                .integer("timeout", 't', "Seconds to wait before killing the container", "time")
                .string("signal", 's', "string", "Signal to send to the container")
                .aliases("pier container stop, pier stop");
        return simpleAction(cli, flags.parse(args, from), "/stop", true);
    }

    public static int restart(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("restart", "[OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers")
                .integer("timeout", 't', "Seconds to wait before killing the container", "time")
                .string("signal", 's', "string", "Signal to send to the container")
                .aliases("pier container restart, pier restart");
        return simpleAction(cli, flags.parse(args, from), "/restart", true);
    }

    public static int kill(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("kill", "[OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers")
                .string("signal", 's', "string", "Signal to send to the container")
                .aliases("pier container kill, pier kill");
        return simpleAction(cli, flags.parse(args, from), "/kill", false);
    }

    private static int simpleAction(Cli cli, Parsed p, String action, boolean timeout) throws CliError, IOException {
        p.minArgs(1);
        Query query = new Query();
        if (timeout && p.isSet("timeout")) {
            query.add("t", Long.toString(p.integer("timeout", 10)));
        }
        String signal = p.string("signal");
        if (signal != null) {
            if (signal.isEmpty()) {
                throw p.flagSet().invalidArgument("signal", signal, "invalid signal");
            }
            query.add("signal", signal);
        }
        List<String> errors = new ArrayList<>();
        for (String name : p.args()) {
            try (Response response = cli.api().request("POST", path(name, action + query), null, null)) {
                if (!response.ok() && response.status() != 304) {
                    errors.add(response.error().getMessage());
                    continue;
                }
            }
            cli.out().println(name);
        }
        return Support.finish(cli, errors);
    }

    public static int rm(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("rm", "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers")
                .bool("force", 'f', "Force the removal of a running container (uses SIGKILL)")
                .bool("volumes", 'v', "Remove anonymous volumes associated with the container")
                .bool("link", 'l', "Remove the specified link")
                .aliases("pier container rm, pier container remove, pier rm");
        Parsed p = flags.parse(args, from);
        p.minArgs(1);
        Query query = new Query().addIf(p.bool("volumes"), "v", "1").addIf(p.bool("link"), "link", "1")
                .addIf(p.bool("force"), "force", "1");
        // As Docker's CLI does: the removals run side by side (each waits on its container's
        // exit in the daemon), the names and errors come out in the order given.
        List<String> names = p.args();
        List<java.util.concurrent.Future<String>> results = new ArrayList<>(names.size());
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(PARALLEL_REMOVALS);
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (String name : names) {
                results.add(executor.submit(() -> {
                    slots.acquire();
                    try {
                        return removeOne(cli, name, query, p.bool("force"));
                    } finally {
                        slots.release();
                    }
                }));
            }
        }
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String error;
            try {
                error = results.get(i).get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof CliError c) throw c;
                if (e.getCause() instanceof IOException io) throw io;
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (error == null) cli.out().println(names.get(i));
            else if (!error.isEmpty()) errors.add(error);
        }
        return Support.finish(cli, errors);
    }

    private static final int PARALLEL_REMOVALS = 32;

    /** null: removed; "": nothing to report; otherwise the error message. */
    private static String removeOne(Cli cli, String name, Query query, boolean force) throws CliError, IOException {
        if (name.strip().isEmpty() || name.strip().equals("/")) return "Error: Container name cannot be empty";
        try (Response response = cli.api().request("DELETE", path(name, query.toString()), null, null)) {
            if (response.ok()) return null;
            CliError.Daemon error = response.error();
            // Docker: -f ignores containers that are already gone
            if (force && error.status() == 404) return "";
            return error.getMessage();
        }
    }

    public static int waitCommand(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("wait", "CONTAINER [CONTAINER...]",
                "Block until one or more containers stop, then print their exit codes")
                .aliases("pier container wait, pier wait");
        Parsed p = flags.parse(args, from);
        p.minArgs(1);
        List<String> errors = new ArrayList<>();
        for (String name : p.args()) {
            try (Response response = cli.api().request("POST", path(name, "/wait"), null, null)) {
                if (!response.ok()) {
                    errors.add(response.error().getMessage());
                    continue;
                }
                cli.out().println(Json.number(Json.object(response.json()).get("StatusCode")));
                cli.out().flush();
            }
        }
        return Support.finish(cli, errors);
    }

    // ---- ps ----------------------------------------------------------------------------------------

    public static int ps(Cli cli, String command, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet(command, "[OPTIONS]", "List containers")
                .bool("all", 'a', "Show all containers (default shows just running)")
                .list("filter", 'f', "Filter output based on conditions provided")
                .string("format", (char) 0, "string", "Format output using a custom template")
                .integer("last", 'n', "Show n last created containers (includes all states)")
                .bool("latest", 'l', "Show the latest created container (includes all states)")
                .bool("no-trunc", (char) 0, "Don't truncate output")
                .bool("quiet", 'q', "Only display container IDs")
                .bool("size", 's', "Display total file sizes")
                .aliases("pier container ls, pier container list, pier container ps, pier ps");
        Parsed p = flags.parse(args, from);
        p.noArgs();
        boolean quiet = p.bool("quiet");
        String format = p.string("format", "");
        boolean size = p.bool("size");
        if (format.isEmpty() || format.equals("table")) {
            if (quiet) {
                format = "{{.ID}}";
            } else {
                format = ContainerRow.DEFAULT_TABLE + (size ? "\t{{.Size}}" : "");
            }
        } else if (quiet) {
            format = "{{.ID}}";
        }
        if (format.contains(".Size")) {
            size = true;
        }
        long last = p.integer("last", -1);
        if (p.bool("latest")) {
            last = 1;
        }
        Query query = new Query().addIf(p.bool("all"), "all", "1").addIf(last > 0, "limit", Long.toString(last))
                .addIf(size, "size", "1");
        String filters = Support.filters(flags, p.list("filter"));
        if (filters != null) {
            query.add("filters", filters);
        }
        List<Object> containers = Json.array(cli.api().getJson("/containers/json" + query));
        boolean truncate = !p.bool("no-trunc");
        long now = cli.nowMillis();
        List<FieldContext> rows = new ArrayList<>(containers.size());
        for (Object c : containers) {
            rows.add(new ContainerRow(Json.object(c), truncate, now));
        }
        try {
            cli.out().print(ListFormatter.render(format, rows, ContainerRow.header()));
        } catch (TemplateException e) {
            throw new CliError.Failure(e.getMessage());
        }
        return 0;
    }

    // ---- logs --------------------------------------------------------------------------------------

    public static int logs(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("logs", "[OPTIONS] CONTAINER", "Fetch the logs of a container")
                .bool("details", (char) 0, "Show extra details provided to logs")
                .bool("follow", 'f', "Follow log output")
                .string("since", (char) 0, "string", "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)")
                .string("tail", 'n', "string", "Number of lines to show from the end of the logs (default \"all\")")
                .bool("timestamps", 't', "Show timestamps")
                .string("until", (char) 0, "string", "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)")
                .aliases("pier container logs, pier logs");
        Parsed p = flags.parse(args, from);
        p.exactArgs(1);
        String id = p.arg(0);
        Map<String, Object> container = Json.object(cli.api().getJson(path(id, "/json")));
        boolean tty = Json.bool(Json.object(container.get("Config")).get("Tty"));
        Query query = new Query().add("stdout", "1").add("stderr", "1");
        if (p.bool("follow")) {
            query.add("follow", "1");
        }
        if (p.bool("timestamps")) {
            query.add("timestamps", "1");
        }
        if (p.bool("details")) {
            query.add("details", "1");
        }
        String tail = p.string("tail", "all");
        query.add("tail", tail);
        String since = p.string("since");
        if (since != null) {
            query.add("since", timestamp(flags, "since", since, cli.nowMillis()));
        }
        String until = p.string("until");
        if (until != null) {
            query.add("until", timestamp(flags, "until", until, cli.nowMillis()));
        }
        try (Response response = cli.api().request("GET", path(id, "/logs" + query), null, null).check()) {
            if (tty) {
                StreamDemuxer.copyRaw(response.body(), cli.out());
            } else {
                StreamDemuxer.demux(response.body(), cli.out(), cli.err());
            }
        }
        return 0;
    }

    /** A relative duration ("10m", "1h30m", "45s") becomes a Unix time; anything else goes as given. */
    static String timestamp(FlagSet flags, String flag, String value, long nowMillis) throws CliError.Usage {
        if (value.isEmpty()) {
            return value;
        }
        long seconds = 0;
        long number = -1;
        boolean relative = true;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= '0' && c <= '9') {
                number = (number < 0 ? 0 : number * 10) + (c - '0');
            } else if ((c == 'h' || c == 'm' || c == 's') && number >= 0) {
                seconds += number * (c == 'h' ? 3600 : c == 'm' ? 60 : 1);
                number = -1;
            } else {
                relative = false;
                break;
            }
        }
        if (relative && number < 0) {
            return Long.toString(nowMillis / 1000 - seconds);
        }
        return value;
    }

    // ---- exec --------------------------------------------------------------------------------------

    public static int exec(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("exec", "[OPTIONS] CONTAINER COMMAND [ARG...]", "Execute a command in a running container")
                .bool("detach", 'd', "Detached mode: run command in the background")
                .list("env", 'e', "Set environment variables")
                .list("env-file", (char) 0, "Read in a file of environment variables")
                .bool("interactive", 'i', "Keep STDIN open even if not attached")
                .bool("privileged", (char) 0, "Give extended privileges to the command")
                .bool("tty", 't', "Allocate a pseudo-TTY")
                .string("user", 'u', "string", "Username or UID (format: \"<name|uid>[:<group|gid>]\")")
                .string("workdir", 'w', "string", "Working directory inside the container")
                .stopAtFirstPositional()
                .aliases("pier container exec, pier exec");
        Parsed p = flags.parse(args, from);
        p.minArgs(2);
        String container = p.arg(0);
        List<String> command = p.args().subList(1, p.args().size());
        boolean detach = p.bool("detach");
        boolean tty = p.bool("tty");
        boolean interactive = p.bool("interactive");
        if (!detach && tty && interactive && !cli.stdinTerminal()) {
            throw new CliError.Failure("the input device is not a TTY");
        }
        List<String> env = new ArrayList<>();
        for (String file : p.list("env-file")) {
            env.addAll(ContainerSpec.readKeyValueFile("exec", file, cli.environment(), true));
        }
        for (String e : p.list("env")) {
            int eq = e.indexOf('=');
            String key = eq < 0 ? e : e.substring(0, eq);
            if (key.isEmpty()) {
                throw flags.invalidArgument("env", e, "invalid environment variable: " + e);
            }
            env.add(eq < 0 && cli.environment().containsKey(key) ? key + "=" + cli.environment().get(key) : e);
        }
        StringBuilder body = new StringBuilder(256);
        body.append("{\"User\":");
        Json.quote(body, p.string("user", ""), false);
        body.append(",\"Privileged\":").append(p.bool("privileged"));
        body.append(",\"Tty\":").append(tty);
        body.append(",\"AttachStdin\":").append(interactive && !detach);
        body.append(",\"AttachStderr\":").append(!detach);
        body.append(",\"AttachStdout\":").append(!detach);
        body.append(",\"Detach\":").append(detach);
        body.append(",\"Env\":").append(env.isEmpty() ? "null" : Json.write(env, false));
        body.append(",\"WorkingDir\":");
        Json.quote(body, p.string("workdir", ""), false);
        body.append(",\"Cmd\":").append(Json.write(command, false)).append('}');
        Object created = cli.api().postJson(path(container, "/exec"), utf8(body));
        String execId = Json.string(Json.object(created), "Id");
        byte[] start = utf8(new StringBuilder("{\"Detach\":").append(detach).append(",\"Tty\":").append(tty).append('}'));
        String startPath = "/exec/" + ApiClient.segment(execId) + "/start";
        if (detach) {
            try (Response response = cli.api().request("POST", startPath, start, "application/json").check()) {
                response.bytes();
            }
            return 0;
        }
        Response stream = cli.api().upgrade("POST", startPath, start);
        if (!stream.ok()) {
            CliError.Daemon error = stream.error();
            stream.close();
            throw error;
        }
        String savedTerminal = null;
        try {
            if (tty && interactive && cli.stdinTerminal()) {
                savedTerminal = Terminal.makeRaw();
            }
            if (tty) {
                resize(cli.api(), "/exec/" + ApiClient.segment(execId) + "/resize");
            }
            Session.pump(cli, stream, tty, interactive);
        } finally {
            Terminal.restore(savedTerminal);
            stream.close();
        }
        Map<String, Object> inspect = Json.object(cli.api().getJson("/exec/" + ApiClient.segment(execId) + "/json"));
        return (int) Json.number(inspect.get("ExitCode"));
    }

    private static byte[] utf8(CharSequence text) {
        return text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    // ---- prune -------------------------------------------------------------------------------------

    public static int prune(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("container prune", "[OPTIONS]", "Remove all stopped containers")
                .list("filter", (char) 0, "Provide filter values (e.g. \"until=<timestamp>\")")
                .bool("force", 'f', "Do not prompt for confirmation");
        Parsed p = flags.parse(args, from);
        p.noArgs();
        if (!p.bool("force") && !Support.confirmed(cli, "This will remove all stopped containers.")) {
            return 0;
        }
        String filters = Support.filters(flags, p.list("filter"));
        String query = filters == null ? "" : new Query().add("filters", filters).toString();
        Map<String, Object> report = Json.object(cli.api().postJson("/containers/prune" + query, null));
        Support.printDeleted(cli, "Deleted Containers", Json.array(report.get("ContainersDeleted")));
        cli.out().println("Total reclaimed space: 0B");
        return 0;
    }

    // ---- rename ------------------------------------------------------------------------------------

    public static int rename(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("rename", "CONTAINER NEW_NAME", "Rename a container")
                .aliases("pier container rename, pier rename");
        Parsed p = flags.parse(args, from);
        p.exactArgs(2);
        if (p.arg(0).isBlank() || p.arg(1).isBlank()) throw new CliError.Failure("Error: Neither old nor new names may be empty");
        try (Response response = cli.api().request("POST", path(p.arg(0), "/rename" + new Query().add("name", p.arg(1))), null, null).check()) {
            response.bytes();
        }
        return 0;
    }

    // ---- port --------------------------------------------------------------------------------------

    public static int port(Cli cli, String[] args, int from) throws CliError, IOException {
        FlagSet flags = new FlagSet("port", "CONTAINER [PRIVATE_PORT[/PROTO]]",
                "List port mappings or a specific mapping for the container")
                .aliases("pier container port, pier port");
        Parsed p = flags.parse(args, from);
        p.rangeArgs(1, 2);
        String name = p.arg(0);
        Map<String, Object> container = Json.object(cli.api().getJson(path(name, "/json")));
        Map<String, Object> ports = Json.object(Json.object(container.get("NetworkSettings")).get("Ports"));
        List<String> lines = portLines(ports, p.args().size() == 2 ? p.arg(1) : null, name);
        for (String line : lines) {
            cli.out().println(line);
        }
        return 0;
    }

    /**
     * The lines of {@code pier port}: {@code 80/tcp -> 0.0.0.0:8080} for every binding, or just the
     * host addresses of one private port; natural-sorted like Docker.
     */
    public static List<String> portLines(Map<String, Object> ports, String privatePort, String container)
            throws CliError.Failure {
        List<String> lines = new ArrayList<>();
        if (privatePort != null) {
            int slash = privatePort.indexOf('/');
            String number = slash < 0 ? privatePort : privatePort.substring(0, slash);
            String proto = slash < 0 ? "tcp" : privatePort.substring(slash + 1);
            if (proto.isEmpty()) {
                proto = "tcp";
            }
            if (PortSpec.range(number) == null || number.indexOf('-') >= 0) {
                throw new CliError.Failure("Error: invalid port (" + number + "): strconv.ParseUint: parsing \""
                        + number + "\": invalid syntax");
            }
            List<Object> frontends = Json.array(ports.get(number + "/" + proto));
            if (frontends.isEmpty()) {
                throw new CliError.Failure("Error: No public port '" + privatePort + "' published for " + container);
            }
            for (Object f : frontends) {
                Map<String, Object> frontend = Json.object(f);
                lines.add(hostPort(frontend));
            }
        } else {
            for (Map.Entry<String, Object> entry : ports.entrySet()) {
                for (Object f : Json.array(entry.getValue())) {
                    lines.add(entry.getKey() + " -> " + hostPort(Json.object(f)));
                }
            }
        }
        NaturalOrder.sort(lines);
        return lines;
    }

    private static String hostPort(Map<String, Object> frontend) {
        String ip = Json.string(frontend, "HostIp");
        String port = Json.string(frontend, "HostPort");
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }
}
