package dev.pier.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pier.image.FileTrees;
import dev.pier.image.Image;
import dev.pier.image.ImageStore;
import dev.pier.linux.KernelException;
import dev.pier.linux.Mounts;
import dev.pier.linux.Processes;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;

/**
 * Runs containers through an OCI runtime (runc, or crun) with no shim: `runc run --detach`
 * leaves the container's init process behind with its stdout and stderr opened straight on the
 * log files, so it outlives pierd and pierd keeps no helper process per container. pierd is a
 * child subreaper, so that init process becomes pierd's child and its exit status is collected
 * through a pidfd ({@link Processes#onExit}). A container with a terminal is the exception: runc
 * hands its master to pierd, and a `sleep infinity` per such container holds a duplicate so the
 * terminal survives pierd ({@link Processes.Terminal#holdOpen}); a restarted pierd takes it back
 * ({@link #adopt}).
 * <pre>
 *   &lt;dataRoot&gt;/containers/&lt;id&gt;/upper, work   the container's overlay layer (kept across restarts)
 *   &lt;dataRoot&gt;/containers/&lt;id&gt;/stdout.log, stderr.log
 *   &lt;execRoot&gt;/bundles/&lt;id&gt;/config.json, rootfs/ (the overlay mount), stdin.fifo, runtime,
 *                                   terminal.holder ("pid start-time fd" of the terminal's holder)
 *   &lt;execRoot&gt;/runc, &lt;execRoot&gt;/crun       the runtimes' own state (--root)
 * </pre>
 */
public final class OciRuntime {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
    private static final Pattern HOSTNAME = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})?");
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration KILL_WAIT = Duration.ofSeconds(30);
    private static final List<String> RUNTIMES = List.of("runc", "crun");

    private final Path containersDir;
    private final Path bundlesDir;
    private final Path execRoot;
    private final ImageStore images;
    private final Map<String, CompletableFuture<Integer>> exits = new ConcurrentHashMap<>();
    /** Init pids of the containers whose exit we watch: signals and deletes skip a runtime process. */
    private final Map<String, Long> initPids = new ConcurrentHashMap<>();
    private final Map<String, RandomAccessFile> stdinHolders = new ConcurrentHashMap<>();
    /** Containers in {@link #start}: their stdin is not handed out yet (the set is also the lock for that). */
    private final Set<String> starting = new java.util.HashSet<>();
    private final Map<String, Processes.Terminal> terminals = new ConcurrentHashMap<>();
    /** The holders of the terminals in {@link #terminals}, also recorded in the bundle for a restart. */
    private final Map<String, Processes.Holder> holders = new ConcurrentHashMap<>();

    public OciRuntime(Path dataRoot, Path execRoot, ImageStore images) {
        this.containersDir = dataRoot.resolve("containers");
        this.execRoot = execRoot;
        this.bundlesDir = execRoot.resolve("bundles");
        this.images = images;
        try {
            Files.createDirectories(containersDir);
            Files.createDirectories(bundlesDir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + containersDir + " and " + bundlesDir, e);
        }
        // Detached container processes must come back to us, not to init, or we never learn how they end.
        Processes.becomeChildSubreaper();
    }

    // ------------------------------------------------------------------ start

    /**
     * Mounts the container's overlay root filesystem, writes its OCI config and starts its process
     * with `runc run --detach`: stdout and stderr go straight to {@link #stdoutLog} and
     * {@link #stderrLog}, stdin is /dev/null or, with openStdin, a FIFO whose write end pierd holds
     * ({@link #stdin}). Returns the init process's pid on the host.
     *
     * @throws IllegalArgumentException   for a bad spec (nothing done)
     * @throws ContainerRuntimeException  with the runtime's error text; everything done is undone
     */
    public long start(ContainerSpec spec) {
        validate(spec);
        // Until the process has the FIFO open, stdin(id) refuses: input written and closed before
        // that is lost with the pipe, and the process's open then waits for a writer for ever.
        synchronized (starting) {
            starting.add(spec.id());
        }
        try {
            return launch(spec);
        } finally {
            synchronized (starting) {
                starting.remove(spec.id());
            }
        }
    }

    private long launch(ContainerSpec spec) {
        String id = spec.id();
        String runtime = runtimeName(spec.runtime());
        // The runtime keeps a container's state in <root>/<id>: only ask it (a 25 ms process) when that exists.
        if (Files.isDirectory(execRoot.resolve(runtime).resolve(id)) && state(id).isPresent()) {
            throw new IllegalStateException("container " + id + " already exists in " + runtime);
        }

        Deque<Runnable> undo = new ArrayDeque<>();
        try {
            Path dataDir = containersDir.resolve(id);
            if (!Files.isDirectory(dataDir)) {
                Files.createDirectories(dataDir);
                undo.push(() -> FileTrees.deleteQuietly(dataDir));
            }
            Path upper = dataDir.resolve("upper"), work = dataDir.resolve("work");
            for (Path layerDir : List.of(upper, work)) {
                if (Files.isDirectory(layerDir)) continue; // a restart keeps the container's own layer
                Files.createDirectories(layerDir);
                undo.push(() -> FileTrees.deleteQuietly(layerDir));
            }
            Path stdout = stdoutLog(id), stderr = stderrLog(id);
            truncateOnUndo(stdout, undo);
            truncateOnUndo(stderr, undo);

            Path bundle = bundlesDir.resolve(id);
            releaseHolder(id);
            removeBundle(bundle); // left by a crash between a start and its delete
            Files.createDirectories(bundle);
            undo.push(() -> removeBundle(bundle));
            Files.writeString(bundle.resolve("runtime"), runtime);
            Path rootfs = Files.createDirectory(bundle.resolve("rootfs"));
            Mounts.overlay(images.layerDirs(spec.image()), upper, work, rootfs);
            undo.push(() -> unmountRootfs(rootfs));

            OciConfig.Process process = resolveProcess(spec, rootfs);
            String hostname = spec.hostname() == null || spec.hostname().isEmpty()
                    ? id.substring(0, Math.min(12, id.length())) : spec.hostname();
            Files.write(bundle.resolve("config.json"), OciConfig.build(id, process, hostname, spec.network(),
                    spec.hostsFile(), spec.hostnameFile(), spec.resolvConfFile(), spec.privileged(), spec.labels(), spec.sysctls()));

            File stdin = new File("/dev/null");
            if (spec.openStdin() && !spec.tty()) {
                Path fifo = bundle.resolve("stdin.fifo");
                Mounts.makeFifo(fifo, 0600);
                // Read-write: opening does not wait for a reader, and the child's read-only open finds a writer.
                RandomAccessFile holder = new RandomAccessFile(fifo.toFile(), "rw");
                stdinHolders.put(id, holder);
                undo.push(() -> closeStdin(id));
                stdin = fifo.toFile();
            }

            Path pidFile = bundle.resolve("init.pid");
            Path runtimeLog = bundle.resolve("runtime.log");
            undo.push(() -> runtimeQuietly(runtime, "delete", "--force", id));
            List<String> args = new ArrayList<>(List.of("--log", runtimeLog.toString(), "--log-format", "json",
                    "run", "--detach", "--bundle", bundle.toString(), "--pid-file", pidFile.toString()));
            Processes.ConsoleSocket console = null;
            if (spec.tty()) {
                console = Processes.ConsoleSocket.open();
                undo.push(console::close);
                args.addAll(List.of("--console-socket", console.address()));
            }
            args.add(id);
            ProcessBuilder pb = new ProcessBuilder(command(runtime, args))
                    .redirectInput(ProcessBuilder.Redirect.from(spec.tty() ? new File("/dev/null") : stdin))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
            int exit = waitFor(pb.start(), runtime + " run " + id);
            if (exit != 0) throw new ContainerRuntimeException(runtimeError(runtime, runtimeLog, exit));
            Processes.Holder holder = null;
            if (console != null) {
                // The terminal's output goes to the stdout log through one pierd thread (no shim process).
                Processes.Terminal terminal = console.receive();
                console.close();
                terminals.put(id, terminal);
                undo.push(() -> closeTerminal(id));
                holder = holdTerminal(id, terminal);
                undo.push(() -> releaseHolder(id));
                terminal.copyTo(Files.newOutputStream(stdout, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            CompletableFuture<Integer> ended = Processes.onExit(pid).thenApply(Processes.ExitStatus::code);
            exits.put(id, ended);
            initPids.put(id, pid);
            if (holder != null) killHolderAtExit(id, holder, ended);
            return pid;
        } catch (RuntimeException | IOException e) {
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException ignored) {
                    // keep undoing: the first failure is the one to report
                }
            }
            if (e instanceof ContainerRuntimeException || e instanceof IllegalArgumentException) throw (RuntimeException) e;
            throw new ContainerRuntimeException("starting container " + id + ": " + e.getMessage(), e);
        }
    }

    private static void validate(ContainerSpec spec) {
        if (spec.id() == null || !ID.matcher(spec.id()).matches()) {
            throw new IllegalArgumentException("invalid container id \"" + spec.id() + "\": letters, digits, '_', '.', '-', at most 128");
        }
        if (spec.image() == null) throw new IllegalArgumentException("container " + spec.id() + " has no image");
        if (spec.args().isEmpty() && spec.image().config().entrypoint().isEmpty() && spec.image().config().cmd().isEmpty()) {
            throw new IllegalArgumentException("no command specified");
        }
        if (spec.hostname() != null && !spec.hostname().isEmpty() && !HOSTNAME.matcher(spec.hostname()).matches()) {
            throw new IllegalArgumentException("invalid hostname \"" + spec.hostname() + "\"");
        }
        if (spec.workingDir() != null && !spec.workingDir().isEmpty() && !spec.workingDir().startsWith("/")) {
            throw new IllegalArgumentException("the working directory '" + spec.workingDir() + "' is invalid, it needs to be an absolute path");
        }
        for (String e : spec.env()) {
            if (e.isEmpty() || e.startsWith("=")) throw new IllegalArgumentException("invalid environment variable: \"" + e + "\"");
        }
        for (Path f : new Path[]{spec.hostsFile(), spec.hostnameFile(), spec.resolvConfFile()}) {
            if (f != null && !Files.isRegularFile(f)) throw new IllegalArgumentException("file to bind-mount does not exist: " + f);
        }
        if (spec.network() instanceof NetworkNamespace.Path p && !Files.exists(p.file())) {
            throw new IllegalArgumentException("network namespace file does not exist: " + p.file());
        }
        runtimeName(spec.runtime());
        Capabilities.resolve(spec.capAdd(), spec.capDrop(), spec.privileged());
    }

    /** Args, env, cwd and user from the spec over the image's config, Docker's way. */
    private static OciConfig.Process resolveProcess(ContainerSpec spec, Path rootfs) throws IOException {
        var image = spec.image().config();
        List<String> args = new ArrayList<>(spec.args());
        if (args.isEmpty()) {
            args.addAll(image.entrypoint());
            args.addAll(image.cmd());
        }
        String user = spec.user() == null || spec.user().isEmpty() ? image.user() : spec.user();
        ContainerUser resolved = ContainerUser.resolve(rootfs, user);
        String cwd = spec.workingDir() == null || spec.workingDir().isEmpty() ? image.workingDir() : spec.workingDir();
        if (cwd.isEmpty()) cwd = "/";
        Path cwdOnHost = FileTrees.resolveInRoot(rootfs, cwd);
        if (!Files.exists(cwdOnHost, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(cwdOnHost);
            Files.setAttribute(cwdOnHost, "unix:uid", resolved.uid());
            Files.setAttribute(cwdOnHost, "unix:gid", resolved.gid());
        }
        Map<String, String> env = new LinkedHashMap<>();
        String hostname = spec.hostname() == null || spec.hostname().isEmpty()
                ? spec.id().substring(0, Math.min(12, spec.id().length())) : spec.hostname();
        put(env, DEFAULT_PATH);
        put(env, "HOSTNAME=" + hostname);
        if (spec.tty()) put(env, "TERM=xterm");
        for (String e : image.env()) put(env, e);
        for (String e : spec.env()) put(env, e);
        if (env.keySet().stream().noneMatch("HOME"::equals)) put(env, "HOME=" + resolved.home());
        return new OciConfig.Process(List.copyOf(args), List.copyOf(env.values()), cwd, resolved, spec.tty(),
                Capabilities.resolve(spec.capAdd(), spec.capDrop(), spec.privileged()));
    }

    private static void put(Map<String, String> env, String entry) {
        int eq = entry.indexOf('=');
        env.put(eq < 0 ? entry : entry.substring(0, eq), entry);
    }

    private static void truncateOnUndo(Path log, Deque<Runnable> undo) throws IOException {
        long size = Files.exists(log) ? Files.size(log) : -1;
        undo.push(() -> {
            try {
                if (size < 0) {
                    Files.deleteIfExists(log);
                } else {
                    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
                        ch.truncate(size); // the runtime's own complaint went there too
                    }
                }
            } catch (IOException ignored) {
                // best effort
            }
        });
    }

    /** runc's --log file in JSON: the error-level messages are the story; else its exit code. */
    private static String runtimeError(String runtime, Path log, int exit) {
        List<String> messages = new ArrayList<>();
        try {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) continue;
                    try {
                        JsonNode n = JSON.readTree(line);
                        String level = n.path("level").asText("");
                        if (level.equals("error") || level.equals("fatal")) messages.add(n.path("msg").asText());
                    } catch (IOException notJson) {
                        messages.add(line.strip());
                    }
                }
            }
        } catch (IOException ignored) {
            // fall through to the exit code
        }
        if (messages.isEmpty()) return runtime + " failed with exit code " + exit;
        return String.join("; ", new LinkedHashSet<>(messages));
    }

    // ------------------------------------------------------------------ lifecycle

    /** Sends signal (a number, e.g. 9) to the container's init process (`runc kill`). */
    public void kill(String id, int signal) {
        if (signal <= 0 || signal > 64) throw new IllegalArgumentException("invalid signal " + signal);
        // What `runc kill` does (a signal to the init process) without a runtime process of
        // 30-50 ms: the pid is ours to signal while its exit has not been seen, so it is not reused.
        Long pid = initPids.get(requireId(id));
        CompletableFuture<Integer> exit = exits.get(id);
        if (pid != null && exit != null) {
            if (exit.isDone() || !Processes.signal(pid, signal)) {
                throw new ContainerRuntimeException("container " + id + " is not running");
            }
            return;
        }
        run(runtimeOf(id), "kill", id, String.valueOf(signal));
    }

    /**
     * SIGTERM, then SIGKILL when the container has not exited after timeout (null or negative:
     * wait as long as it takes). Returns once the init process has ended.
     */
    public void stop(String id, Duration timeout) {
        CompletableFuture<Integer> exit = exits.get(requireId(id));
        if (exit == null) {
            Optional<RuntimeState> state = state(id);
            if (state.isEmpty() || !state.get().running()) return;
            exit = exitFuture(id, state.get().pid());
        }
        if (exit.isDone()) return;
        try {
            kill(id, Processes.SIGTERM);
        } catch (ContainerRuntimeException e) {
            if (exit.isDone() || !isRunning(id)) return;
            throw e;
        }
        if (await(exit, timeout == null || timeout.isNegative() ? null : timeout)) return;
        try {
            kill(id, Processes.SIGKILL);
        } catch (ContainerRuntimeException e) {
            if (exit.isDone() || !isRunning(id)) return;
            throw e;
        }
        if (!await(exit, KILL_WAIT)) {
            throw new ContainerRuntimeException("container " + id + " did not exit " + KILL_WAIT.toSeconds() + "s after SIGKILL");
        }
    }

    private boolean isRunning(String id) {
        return state(id).map(RuntimeState::running).orElse(false);
    }

    private static boolean await(CompletableFuture<Integer> exit, Duration timeout) {
        try {
            if (timeout == null) exit.get();
            else exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerRuntimeException("interrupted while waiting for a container to exit", e);
        } catch (ExecutionException e) {
            return true;
        }
    }

    /**
     * Removes the container from the runtime (`delete --force`, which kills it if it still runs),
     * unmounts its root filesystem and removes its bundle. Keeps {@code <dataRoot>/containers/<id>}
     * (logs, upper layer) for a later start or {@link #removeData}. Absent parts are fine.
     */
    public void delete(String id) {
        requireId(id);
        String runtime = runtimeOf(id);
        CompletableFuture<Integer> exit = exits.get(id);
        // No state directory: the runtime has nothing of this container (already deleted).
        boolean known = Files.isDirectory(execRoot.resolve(runtime).resolve(id));
        if (known && !(exit != null && exit.isDone() && forgetStopped(runtime, id))) {
            RunResult r = runtimeCommand(runtime, "delete", "--force", id);
            if (r.exit() != 0 && !notFound(r)) throw new ContainerRuntimeException(runtime + " delete " + id + ": " + r.error());
        }
        closeStdin(id);
        closeTerminal(id);
        releaseHolder(id);
        exits.remove(id);
        initPids.remove(id);
        Path bundle = bundlesDir.resolve(id);
        unmountRootfs(bundle.resolve("rootfs"));
        removeBundle(bundle);
    }

    /**
     * What `runc delete` does for a container whose init has exited, without its 30-50 ms process:
     * removes the container's cgroups (listed in the runtime's state.json) and its state
     * directory. False, with nothing changed, when the state is not runc's or not readable; the
     * caller then runs the runtime itself.
     */
    private boolean forgetStopped(String runtime, String id) {
        if (!runtime.equals("runc")) return false;
        Path stateDir = execRoot.resolve(runtime).resolve(id);
        Path stateFile = stateDir.resolve("state.json");
        List<Path> cgroups = new ArrayList<>();
        try {
            if (!Files.isRegularFile(stateFile)) return false;
            JsonNode paths = JSON.readTree(stateFile.toFile()).path("cgroup_paths");
            if (!paths.isObject()) return false;
            for (JsonNode path : paths) {
                Path p = Path.of(path.asText());
                if (!p.startsWith("/sys/fs/cgroup/")) return false;
                if (!cgroups.contains(p)) cgroups.add(p);
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        for (Path cgroup : cgroups) {
            // The init is gone, and with it its pid namespace; a cgroup stays busy a moment while the last tasks exit.
            for (int attempt = 0; Files.isDirectory(cgroup); attempt++) {
                try {
                    Files.delete(cgroup);
                } catch (java.nio.file.NoSuchFileException gone) {
                    break;
                } catch (IOException busy) {
                    if (attempt >= 200) return false;
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            }
        }
        try {
            FileTrees.deleteRecursively(stateDir);
        } catch (IOException e) {
            return false;
        }
        return true;
    }

    /** Removes {@code <dataRoot>/containers/<id>}: logs and the container's own layer. */
    public void removeData(String id) {
        requireId(id);
        if (Mounts.isMountPoint(bundlesDir.resolve(id).resolve("rootfs"))) {
            throw new IllegalStateException("container " + id + " still has its root filesystem mounted: delete it first");
        }
        try {
            FileTrees.deleteRecursively(containersDir.resolve(id));
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + containersDir.resolve(id), e);
        }
    }

    /** The runtime's view of the container (`runc state`); empty when the runtime does not know it. */
    public Optional<RuntimeState> state(String id) {
        requireId(id);
        for (String runtime : candidates(id)) {
            RunResult r = runtimeCommand(runtime, "state", id);
            if (r.exit() != 0) {
                if (notFound(r)) continue;
                throw new ContainerRuntimeException(runtime + " state " + id + ": " + r.error());
            }
            try {
                JsonNode n = JSON.readTree(r.stdout());
                Instant created = null;
                try {
                    created = Instant.parse(n.path("created").asText(""));
                } catch (DateTimeParseException ignored) {
                    // leave it unknown
                }
                return Optional.of(new RuntimeState(n.path("id").asText(id),
                        RuntimeState.Status.parse(n.path("status").asText("")), n.path("pid").asLong(0),
                        Path.of(n.path("bundle").asText("")), created));
            } catch (IOException e) {
                throw new ContainerRuntimeException(runtime + " state " + id + " printed no JSON: " + r.stdout());
            }
        }
        return Optional.empty();
    }

    /** Ids of all containers the runtimes hold under our exec root (for reconciling after a restart). */
    public List<String> listIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (String runtime : RUNTIMES) {
            if (!Files.isDirectory(execRoot.resolve(runtime))) continue;
            RunResult r = runtimeCommand(runtime, "list", "--quiet");
            if (r.exit() != 0) throw new ContainerRuntimeException(runtime + " list: " + r.error());
            for (String line : r.stdout().split("\n")) if (!line.isBlank()) ids.add(line.strip());
        }
        return List.copyOf(ids);
    }

    /**
     * Calls exitCode once with the exit code when the container's init process ends: the real
     * status (128 + signal when killed) for a process pierd started, -1 when it is unknowable (a
     * container adopted after a pierd restart is not pierd's child). The callback runs on a
     * virtual thread.
     */
    public void onExit(String id, long pid, IntConsumer exitCode) {
        requireId(id);
        exitFuture(id, pid).thenAccept(exitCode::accept);
    }

    private CompletableFuture<Integer> exitFuture(String id, long pid) {
        initPids.putIfAbsent(id, pid);
        return exits.computeIfAbsent(id, k -> Processes.onExit(pid).thenApply(Processes.ExitStatus::code));
    }

    /**
     * After a pierd restart, for a container whose init process still runs: with a terminal,
     * takes the master back from its holder (pidfd_getfd) and copies the terminal's output into
     * the stdout log again, so logs, attach, stdin and resize work as before the restart. What the
     * container wrote while no pierd read waited in the terminal (the kernel queues some 16 KiB;
     * beyond that the container's writes blocked, so it stalled until now): it lands in the log
     * here, late, but nothing is lost.
     *
     * @throws ContainerRuntimeException when the holder is gone (the terminal with it)
     */
    public void adopt(String id, long pid) {
        CompletableFuture<Integer> exit = exitFuture(requireId(id), pid);
        Optional<Processes.Holder> recorded = recordedHolder(id);
        if (recorded.isEmpty() || terminals.containsKey(id)) return;
        Processes.Holder holder = recorded.get();
        Processes.Terminal terminal;
        try {
            terminal = holder.takeTerminal();
        } catch (KernelException e) {
            releaseHolder(id);
            throw new ContainerRuntimeException("taking back the terminal of " + id + " from its holder: " + e.getMessage(), e);
        }
        try {
            terminal.copyTo(Files.newOutputStream(stdoutLog(id), StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            terminal.close();
            throw new ContainerRuntimeException("opening the log of " + id + ": " + e.getMessage(), e);
        }
        terminals.put(id, terminal);
        holders.put(id, holder);
        killHolderAtExit(id, holder, exit);
    }

    /**
     * After a restart, once every live container is adopted: kills the terminal holders recorded
     * for any other container (one that ended, or whose start a crash cut short).
     */
    public void releaseHoldersExcept(Set<String> live) {
        if (!Files.isDirectory(bundlesDir)) return;
        try (DirectoryStream<Path> bundles = Files.newDirectoryStream(bundlesDir)) {
            for (Path bundle : bundles) {
                String id = bundle.getFileName().toString();
                if (!live.contains(id) && ID.matcher(id).matches() && Files.exists(bundle.resolve(HOLDER_FILE))) releaseHolder(id);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + bundlesDir, e);
        }
        // A crash between starting a holder and recording it leaves one nobody wrote down: found by its
        // mark (this daemon's bundle directory), it goes unless it is the holder a live container uses.
        for (Processes.Holder.Marked m : Processes.Holder.marked(bundlesDir + "/")) {
            String id = m.mark().substring(bundlesDir.toString().length() + 1);
            if (live.contains(id) && m.holder().equals(holders.get(id))) continue;
            m.holder().kill();
        }
    }

    public Path stdoutLog(String id) {
        return containersDir.resolve(requireId(id)).resolve("stdout.log");
    }

    public Path stderrLog(String id) {
        return containersDir.resolve(requireId(id)).resolve("stderr.log");
    }

    /**
     * The write end of the container's stdin (only with openStdin). Closing it gives the
     * container end-of-file. After a pierd restart the FIFO is opened again. With a terminal,
     * the writes go to the terminal (closing is then a no-op for the terminal).
     */
    public OutputStream stdin(String id) {
        requireId(id);
        RandomAccessFile holder;
        // Under the lock start() takes to mark and unmark its container: never half-way through a start.
        synchronized (starting) {
            if (starting.contains(id)) throw new IllegalStateException("container " + id + " is starting: its stdin opens with its process");
            Processes.Terminal terminal = terminals.get(id);
            if (terminal != null) return terminal.output();
            holder = stdinHolders.computeIfAbsent(id, k -> {
                Path fifo = bundlesDir.resolve(id).resolve("stdin.fifo");
                if (!Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)) return null;
                try {
                    return new RandomAccessFile(fifo.toFile(), "rw");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        if (holder == null) throw new IllegalStateException("container " + id + " was not started with stdin open (or its terminal is gone)");
        OutputStream out = Channels.newOutputStream(holder.getChannel());
        return new OutputStream() {
            @Override public void write(int b) throws IOException { out.write(b); }
            @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
            @Override public void close() { closeStdin(id); }
        };
    }

    /**
     * `runc exec` of cmd in the running container; the returned process's streams are the exec'd
     * process's. Without tty it is the `runc exec` process itself (its exit code is the command's);
     * with tty it is a {@link TerminalProcess} over the terminal's master (resizable). env adds to
     * the container's.
     */
    public Process exec(String id, List<String> cmd, List<String> env, String workingDir, String user, boolean tty) {
        requireId(id);
        if (cmd == null || cmd.isEmpty()) throw new IllegalArgumentException("no command specified");
        if (workingDir != null && !workingDir.isEmpty() && !workingDir.startsWith("/")) {
            throw new IllegalArgumentException("the working directory '" + workingDir + "' is invalid, it needs to be an absolute path");
        }
        String runtime = runtimeOf(id);
        List<String> options = new ArrayList<>();
        if (workingDir != null && !workingDir.isEmpty()) options.addAll(List.of("--cwd", workingDir));
        if (user != null && !user.isEmpty()) {
            try {
                ContainerUser u = ContainerUser.resolve(bundlesDir.resolve(id).resolve("rootfs"), user);
                options.addAll(List.of("--user", u.uid() + ":" + u.gid()));
                for (int g : u.additionalGids()) options.addAll(List.of("--additional-gids", String.valueOf(g)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (tty) options.addAll(List.of("--env", "TERM=xterm"));
        for (String e : env == null ? List.<String>of() : env) options.addAll(List.of("--env", e));
        if (!tty) {
            List<String> args = new ArrayList<>(List.of("exec"));
            args.addAll(options);
            args.add(id);
            args.addAll(cmd);
            try {
                return new ProcessBuilder(command(runtime, args)).start();
            } catch (IOException e) {
                throw new ContainerRuntimeException("starting " + runtime + " exec: " + e.getMessage(), e);
            }
        }
        // runc relays a terminal only from a terminal of its own; detached, it hands us the master instead.
        Path pidFile = bundlesDir.resolve(id).resolve("exec-" + java.util.UUID.randomUUID() + ".pid");
        try (Processes.ConsoleSocket console = Processes.ConsoleSocket.open()) {
            List<String> args = new ArrayList<>(List.of("exec", "--tty", "--detach", "--console-socket", console.address(),
                    "--pid-file", pidFile.toString()));
            args.addAll(options);
            args.add(id);
            args.addAll(cmd);
            RunResult r = runtimeCommand(runtime, args.toArray(String[]::new));
            if (r.exit() != 0) throw new ContainerRuntimeException(runtime + " exec in " + id + ": " + r.error());
            Processes.Terminal terminal = console.receive();
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return new TerminalProcess(terminal, pid, Processes.onExit(pid).thenApply(Processes.ExitStatus::code));
        } catch (IOException e) {
            throw new ContainerRuntimeException("reading the pid of an exec in " + id + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // the bundle goes at delete anyway
            }
        }
    }

    /** Resizes the terminal of a container started with tty (while pierd holds it). */
    public void resize(String id, int rows, int cols) {
        Processes.Terminal terminal = terminals.get(requireId(id));
        if (terminal == null) throw new IllegalStateException("container " + id + " has no terminal");
        terminal.resize(rows, cols);
    }

    // ------------------------------------------------------------------ helpers

    private static final String HOLDER_FILE = "terminal.holder";

    /** Starts the terminal's holder and records it in the bundle, where a restarted pierd looks. */
    private Processes.Holder holdTerminal(String id, Processes.Terminal terminal) throws IOException {
        // argv[0] names the container in ps; `sleep infinity` is ~0.1 MiB of private memory.
        Processes.Holder holder = terminal.holdOpen(Path.of(binary("sleep")),
                List.of("pier-tty-" + id.substring(0, Math.min(12, id.length())), "infinity"), bundlesDir.resolve(id).toString());
        holders.put(id, holder);
        try {
            Files.writeString(bundlesDir.resolve(id).resolve(HOLDER_FILE), holder.pid() + " " + holder.startTime() + " " + holder.fd() + "\n");
        } catch (IOException | RuntimeException e) {
            holders.remove(id, holder);
            holder.kill();
            throw e;
        }
        return holder;
    }

    /** Once the container has ended, nobody needs its terminal: its holder goes at once, not at delete. */
    private void killHolderAtExit(String id, Processes.Holder holder, CompletableFuture<Integer> exit) {
        exit.whenComplete((code, error) -> {
            if (holders.remove(id, holder)) holder.kill();
        });
    }

    /** The holder recorded in the container's bundle; empty when none is (or the record is unreadable). */
    private Optional<Processes.Holder> recordedHolder(String id) {
        Path file = bundlesDir.resolve(id).resolve(HOLDER_FILE);
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
            String[] f = Files.readString(file).strip().split(" ");
            return Optional.of(new Processes.Holder(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Kills the container's terminal holder (the one known and the one recorded) and removes the record. */
    private void releaseHolder(String id) {
        Processes.Holder known = holders.remove(id);
        if (known != null) known.kill();
        recordedHolder(id).filter(h -> !h.equals(known)).ifPresent(Processes.Holder::kill);
        try {
            Files.deleteIfExists(bundlesDir.resolve(id).resolve(HOLDER_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void closeTerminal(String id) {
        Processes.Terminal terminal = terminals.remove(id);
        if (terminal != null) terminal.close();
    }

    private static String requireId(String id) {
        if (id == null || !ID.matcher(id).matches()) throw new IllegalArgumentException("invalid container id \"" + id + "\"");
        return id;
    }

    private static String runtimeName(String name) {
        if (name == null || name.isEmpty()) return "runc";
        if (!RUNTIMES.contains(name)) throw new IllegalArgumentException("unknown or invalid runtime name: " + name);
        return name;
    }

    private final Map<String, RuntimeVersion> versions = new ConcurrentHashMap<>();

    /** The runtimes this engine can use, by name. */
    public static List<String> runtimeNames() {
        return RUNTIMES;
    }

    /** The runtime's path, version and commit, asked once ({@code --version}); empty fields when it is not installed. */
    public RuntimeVersion version(String runtime) {
        String name = runtimeName(runtime);
        return versions.computeIfAbsent(name, n -> {
            String path;
            try {
                path = binary(n);
            } catch (ContainerRuntimeException notInstalled) {
                return new RuntimeVersion(n, "", "", "");
            }
            try {
                Process p = new ProcessBuilder(path, "--version").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                p.waitFor();
                return RuntimeVersion.parse(n, path, out);
            } catch (IOException e) {
                return new RuntimeVersion(n, path, "", "");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new RuntimeVersion(n, path, "", "");
            }
        });
    }

    /** The runtime that started id (recorded in its bundle), else runc. */
    private String runtimeOf(String id) {
        Path marker = bundlesDir.resolve(requireId(id)).resolve("runtime");
        try {
            if (Files.isRegularFile(marker)) return runtimeName(Files.readString(marker).strip());
        } catch (IOException ignored) {
            // fall back to the default
        }
        return "runc";
    }

    private List<String> candidates(String id) {
        Path marker = bundlesDir.resolve(id).resolve("runtime");
        if (Files.isRegularFile(marker)) return List.of(runtimeOf(id));
        List<String> out = new ArrayList<>();
        for (String r : RUNTIMES) if (Files.isDirectory(execRoot.resolve(r))) out.add(r);
        return out;
    }

    private List<String> command(String runtime, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary(runtime));
        cmd.add("--root");
        cmd.add(execRoot.resolve(runtime).toString());
        cmd.addAll(args);
        return cmd;
    }

    private static final Map<String, String> BINARIES = new ConcurrentHashMap<>();

    /** The runtime's executable: PATH first, then the usual sbin/bin directories (root's PATH may lack sbin). */
    private static String binary(String runtime) {
        return BINARIES.computeIfAbsent(runtime, r -> {
            List<String> dirs = new ArrayList<>();
            String path = System.getenv("PATH");
            if (path != null) dirs.addAll(List.of(path.split(":")));
            dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
            for (String d : dirs) {
                if (d.isEmpty()) continue;
                Path p = Path.of(d, r);
                if (Files.isExecutable(p)) return p.toString();
            }
            throw new ContainerRuntimeException(r + " is not installed (not found in PATH or the sbin/bin directories)");
        });
    }

    private record RunResult(int exit, String stdout, String stderr) {
        /** runc's stderr is logrus text: keep the msg="..." part when there is one. */
        String error() {
            String s = stderr.strip();
            int msg = s.indexOf("msg=\"");
            if (msg >= 0) {
                int end = s.lastIndexOf('"');
                if (end > msg + 5) return s.substring(msg + 5, end).replace("\\\"", "\"");
            }
            return s.isEmpty() ? "exit code " + exit : s;
        }
    }

    private static boolean notFound(RunResult r) {
        String s = r.stderr().toLowerCase(java.util.Locale.ROOT);
        return s.contains("does not exist") || s.contains("not found") || s.contains("no such file");
    }

    private RunResult runtimeCommand(String runtime, String... args) {
        ProcessBuilder pb = new ProcessBuilder(command(runtime, List.of(args)))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Process p = pb.start();
            CompletableFuture<String> err = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> err.complete(readAll(p.getErrorStream())));
            String out = readAll(p.getInputStream());
            int exit = waitFor(p, runtime + " " + String.join(" ", args));
            return new RunResult(exit, out, err.join());
        } catch (IOException e) {
            throw new ContainerRuntimeException("running " + runtime + ": " + e.getMessage(), e);
        }
    }

    private void run(String runtime, String... args) {
        RunResult r = runtimeCommand(runtime, args);
        if (r.exit() != 0) throw new ContainerRuntimeException(runtime + " " + args[0] + " " + (args.length > 1 ? args[1] : "") + ": " + r.error());
    }

    private void runtimeQuietly(String runtime, String... args) {
        try {
            runtimeCommand(runtime, args);
        } catch (RuntimeException ignored) {
            // cleanup path
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static int waitFor(Process p, String what) {
        try {
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new ContainerRuntimeException(what + " did not finish in " + COMMAND_TIMEOUT.toSeconds() + "s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ContainerRuntimeException(what + " interrupted", e);
        }
    }

    private void closeStdin(String id) {
        RandomAccessFile holder = stdinHolders.remove(id);
        if (holder != null) {
            try {
                holder.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** Unmounts the overlay; a mount still busy is detached so it goes when its last user does. */
    private static void unmountRootfs(Path rootfs) {
        try {
            while (Mounts.isMountPoint(rootfs)) {
                try {
                    Mounts.unmount(rootfs, false);
                } catch (KernelException e) {
                    if (e.errno() != KernelException.EBUSY) throw e;
                    Mounts.unmount(rootfs, true);
                }
            }
        } catch (KernelException e) {
            throw new ContainerRuntimeException("unmounting " + rootfs + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes a bundle entry by entry (never recursing: should rootfs still be mounted, the
     * container's files under it must not be touched).
     */
    private static void removeBundle(Path bundle) {
        if (!Files.isDirectory(bundle, LinkOption.NOFOLLOW_LINKS)) return;
        Path rootfs = bundle.resolve("rootfs");
        unmountRootfs(rootfs);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(bundle)) {
            for (Path p : entries) Files.deleteIfExists(p);   // rootfs: an empty directory once unmounted
            Files.deleteIfExists(bundle);
        } catch (IOException e) {
            throw new UncheckedIOException("removing bundle " + bundle, e);
        }
    }
}
