package dev.pier.engine;

import dev.pier.dns.ContainerFiles;
import dev.pier.engine.ContainerRecord.Attachment;
import dev.pier.engine.ContainerRecord.RunState;
import dev.pier.engine.ContainerRecord.Settings;
import dev.pier.engine.ContainerRecord.Status;
import dev.pier.image.Image;
import dev.pier.image.ImageStore;
import dev.pier.linux.IpPrefix;
import dev.pier.linux.KernelException;
import dev.pier.linux.NetNamespace;
import dev.pier.network.Sandbox;
import dev.pier.runtime.ContainerSpec;
import dev.pier.runtime.NetworkNamespace;
import dev.pier.runtime.OciRuntime;
import dev.pier.runtime.RuntimeState;
import dev.pier.store.Store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Containers from create to remove. Every start builds sandbox, endpoints, files and process in
 * that order and undoes them in reverse when a step fails; every exit tears the network down at
 * once, so addresses and interfaces live exactly as long as the process.
 */
public final class ContainerService {
    private static final Logger LOG = Logger.getLogger(ContainerService.class.getName());

    private final Store.Collection<ContainerRecord> records;
    private final ImageStore images;
    private final OciRuntime runtime;
    private final NetworkService networks;
    private final Path containersDir;
    private final Path sandboxDir;
    private final Path hostResolvConf;
    private final String defaultRuntime;
    private final Map<String, ContainerRecord> byId = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Integer>> nextExit = new ConcurrentHashMap<>();

    public ContainerService(Store store, ImageStore images, OciRuntime runtime, NetworkService networks, Path dataRoot,
                            Path execRoot, Path hostResolvConf, String defaultRuntime) {
        this.records = store.collection("containers", ContainerRecord.class);
        this.images = images;
        this.runtime = runtime;
        this.networks = networks;
        this.containersDir = dataRoot.resolve("containers");
        this.sandboxDir = execRoot.resolve("netns");
        this.hostResolvConf = hostResolvConf;
        this.defaultRuntime = defaultRuntime;
    }

    private Object lock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    private void save(ContainerRecord r) {
        byId.put(r.id(), r);
        records.put(r.id(), r);
    }

    // ------------------------------------------------------------------ lookup

    public List<ContainerRecord> list() {
        return List.copyOf(byId.values());
    }

    /** By name (with or without '/'), full id, or unique id prefix, as Docker resolves containers. */
    public Optional<ContainerRecord> find(String ref) {
        String name = ref.startsWith("/") ? ref.substring(1) : ref;
        for (ContainerRecord r : byId.values()) if (r.name().equals(name)) return Optional.of(r);
        ContainerRecord exact = byId.get(ref);
        if (exact != null) return Optional.of(exact);
        if (ref.isEmpty()) return Optional.empty();
        List<ContainerRecord> prefixed = byId.values().stream().filter(c -> c.id().startsWith(ref)).toList();
        if (prefixed.size() > 1) throw EngineException.invalid("multiple IDs found with provided prefix: " + ref);
        return prefixed.stream().findFirst();
    }

    public ContainerRecord require(String ref) {
        return find(ref).orElseThrow(() -> EngineException.notFound("No such container: " + ref));
    }

    public Path logFile(String id, boolean stderr) {
        return stderr ? runtime.stderrLog(id) : runtime.stdoutLog(id);
    }

    Process exec(String id, List<String> cmd, List<String> env, String workingDir, String user, boolean tty) {
        ContainerRecord r = require(id);
        List<String> merged = new ArrayList<>(r.settings().env());
        merged.addAll(env);
        return runtime.exec(id, cmd, mergeEnv(List.of(), merged), workingDir == null || workingDir.isEmpty()
                ? r.settings().workingDir() : workingDir, user == null || user.isEmpty() ? r.settings().user() : user, tty);
    }

    public java.io.OutputStream stdin(String id) {
        return runtime.stdin(id);
    }

    // ------------------------------------------------------------------ create

    public ContainerRecord create(String requestedName, String imageRef, Settings settings) {
        Image image = images.find(imageRef).orElseThrow(() -> EngineException.notFound("No such image: " + imageRef));
        NetworkMode mode = NetworkMode.parse(settings.networkMode());
        switch (mode) {
            case NetworkMode.Attached a -> networks.require(a.network());
            case NetworkMode.Shared s -> require(s.container());
            default -> {}
        }
        if (mode instanceof NetworkMode.Host || mode instanceof NetworkMode.None || mode instanceof NetworkMode.Shared) {
            if (settings.endpoints() != null && settings.endpoints().values().stream().anyMatch(e -> e != null
                    && ((e.ipv4() != null && !e.ipv4().isEmpty()) || (e.aliases() != null && !e.aliases().isEmpty()))))
                throw EngineException.invalid("conflicting options: network-scoped alias and addresses are only supported for user-defined and bridge networks");
            if (mode instanceof NetworkMode.Shared && settings.hostname() != null && !settings.hostname().isEmpty())
                throw EngineException.invalid("conflicting options: hostname and the network mode");
        }
        for (String h : settings.extraHosts()) parseExtraHost(h);
        List<String> args = resolveArgs(settings, image);
        if (args.isEmpty()) throw EngineException.invalid("No command specified");
        String runtimeName = settings.runtime() == null || settings.runtime().isEmpty() ? defaultRuntime : settings.runtime();
        if (!runtimeName.equals("runc") && !runtimeName.equals("crun"))
            throw EngineException.invalid("unknown or invalid runtime name: " + runtimeName);

        String id = NetworkService.newId();
        synchronized (this) {
            String name;
            if (requestedName == null || requestedName.isEmpty()) {
                do { name = Names.generate(); } while (find(name).isPresent());
            } else {
                name = Names.validate(requestedName);
                for (ContainerRecord other : byId.values()) {
                    if (other.name().equals(name))
                        throw EngineException.conflict("Conflict. The container name \"/" + name + "\" is already in use by container \""
                                + other.id() + "\". You have to remove (or rename) that container to be able to reuse that name.");
                }
            }
            String hostname = settings.hostname() == null || settings.hostname().isEmpty()
                    ? (mode instanceof NetworkMode.Host ? localHostname() : id.substring(0, 12)) : settings.hostname();
            Settings effective = new Settings(settings.cmd(), settings.entrypoint(), mergeEnv(image.config().env(), settings.env()),
                    settings.workingDir() == null || settings.workingDir().isEmpty() ? image.config().workingDir() : settings.workingDir(),
                    settings.user() == null || settings.user().isEmpty() ? image.config().user() : settings.user(),
                    hostname, settings.domainname(), settings.tty(), settings.openStdin(), settings.labels(),
                    settings.exposedPorts(), mode.text(), settings.endpoints(), settings.autoRemove(), settings.restartPolicy(),
                    settings.restartRetries(), settings.capAdd(), settings.capDrop(), settings.privileged(), settings.dns(),
                    settings.dnsSearch(), settings.dnsOptions(), settings.extraHosts(), settings.links(), runtimeName, args);
            ContainerRecord r = new ContainerRecord(id, name, Instant.now(), image.id(), imageRef, effective,
                    RunState.created(), List.of(), "");
            try {
                Files.createDirectories(containersDir.resolve(id));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            save(r);
            return r;
        }
    }

    /** Docker's rule: a given entrypoint resets the image's CMD; a given CMD replaces the image's. */
    static List<String> resolveArgs(Settings s, Image image) {
        boolean entrypointGiven = s.entrypoint() != null;
        List<String> entrypoint = entrypointGiven ? s.entrypoint() : image.config().entrypoint();
        List<String> cmd = s.cmd() != null && !s.cmd().isEmpty() ? s.cmd() : (entrypointGiven ? List.of() : image.config().cmd());
        List<String> args = new ArrayList<>(entrypoint == null ? List.of() : entrypoint);
        if (cmd != null) args.addAll(cmd);
        return args;
    }

    private static List<String> mergeEnv(List<String> imageEnv, List<String> given) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : imageEnv == null ? List.<String>of() : imageEnv) env.put(key(e), e);
        if (env.keySet().stream().noneMatch("PATH"::equals))
            env.put("PATH", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String e : given == null ? List.<String>of() : given) env.put(key(e), e);
        return List.copyOf(env.values());
    }

    private static String key(String envEntry) {
        int eq = envEntry.indexOf('=');
        return eq < 0 ? envEntry : envEntry.substring(0, eq);
    }

    private static String localHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    static ContainerFiles.HostEntry parseExtraHost(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) throw EngineException.invalid("invalid add-host: " + spec + " (expected name:ip)");
        String name = spec.substring(0, colon);
        String ip = spec.substring(colon + 1);
        if (!ip.equals("host-gateway")) {
            try {
                IpPrefix.parseAddress(ip);
            } catch (IllegalArgumentException e) {
                throw EngineException.invalid("invalid IP address in add-host: \"" + ip + "\"");
            }
        }
        return new ContainerFiles.HostEntry(ip, List.of(name));
    }

    // ------------------------------------------------------------------ start

    public void start(String ref) {
        String containerId = require(ref).id();
        synchronized (lock(containerId)) {
            ContainerRecord r = require(containerId);
            if (r.state().running()) throw new EngineException(EngineException.Kind.NOT_MODIFIED, "container already started");
            if (r.state().status() == Status.REMOVING) throw EngineException.conflict("container is marked for removal and cannot be started");
            Image image = images.find(r.imageId()).orElseThrow(() -> EngineException.notFound("No such image: " + r.imageName()));
            Undo undo = new Undo();
            Path dir = containersDir.resolve(r.id());
            try {
                Files.createDirectories(dir);
                NetworkMode mode = NetworkMode.parse(r.settings().networkMode());
                List<Attachment> attachments = new ArrayList<>();
                String sandboxName = "";
                NetworkNamespace netns;
                Path filesDir = dir;
                switch (mode) {
                    case NetworkMode.Host h -> {
                        netns = new NetworkNamespace.Host();
                        writeHostModeFiles(dir, r);
                    }
                    case NetworkMode.Shared s -> {
                        ContainerRecord target = require(s.container());
                        if (!target.state().running())
                            throw EngineException.conflict("cannot join network of a non running container: " + target.id());
                        netns = target.sandboxName().isEmpty() ? new NetworkNamespace.Host()
                                : new NetworkNamespace.Path(sandboxDir.resolve(target.sandboxName()));
                        filesDir = containersDir.resolve(target.id());
                    }
                    case NetworkMode.None n -> {
                        sandboxName = sandboxName(r.id());
                        try (Sandbox sandbox = newSandbox(sandboxName, undo)) {
                            sandbox.netlink().batch().setUp(1, true).commit();
                        }
                        netns = new NetworkNamespace.Path(sandboxDir.resolve(sandboxName));
                        writeFiles(dir, r, attachments);
                    }
                    case NetworkMode.Attached a -> {
                        sandboxName = sandboxName(r.id());
                        NetworkRecord network = networks.require(a.network());
                        try (Sandbox sandbox = newSandbox(sandboxName, undo)) {
                            sandbox.netlink().batch().setUp(1, true).commit();
                            ContainerRecord.EndpointRequest request = r.settings().endpoints() == null ? null
                                    : endpointRequest(r.settings().endpoints(), network);
                            Attachment att = networks.join(network, r.id(), 0, request, true, sandbox);
                            // The sandbox's deletion removes the interface; only the addresses need freeing.
                            undo.push(() -> networks.release(att));
                            attachments.add(att);
                        }
                        netns = new NetworkNamespace.Path(sandboxDir.resolve(sandboxName));
                        writeFiles(dir, r, attachments);
                    }
                }
                ContainerSpec spec = new ContainerSpec(r.id(), image, r.settings().args(), r.settings().env(),
                        r.settings().workingDir(), r.settings().user(), r.settings().tty(), r.settings().openStdin(),
                        r.settings().hostname(), netns, filesDir.resolve(ContainerFiles.HOSTS),
                        filesDir.resolve(ContainerFiles.HOSTNAME), filesDir.resolve(ContainerFiles.RESOLV_CONF),
                        Set.copyOf(r.settings().capAdd()), Set.copyOf(r.settings().capDrop()), r.settings().privileged(),
                        r.settings().runtime(), r.settings().labels());
                nextExit.computeIfAbsent(r.id(), k -> new CompletableFuture<>());
                long pid = runtime.start(spec);
                ContainerRecord started = r.withNetwork(List.copyOf(attachments), sandboxName)
                        .withState(new RunState(Status.RUNNING, pid, 0, Instant.now(), null, ""));
                save(started);
                String id = r.id();
                runtime.onExit(id, pid, code -> Thread.ofVirtual().start(() -> exited(id, code)));
                undo.forget();
            } catch (RuntimeException | IOException e) {
                undo.run();
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                save(require(r.id()).withState(new RunState(Status.CREATED, 0, 128, null, null, message)));
                if (e instanceof EngineException ee) throw ee;
                if (e instanceof IOException io) throw new UncheckedIOException(io);
                throw (RuntimeException) e;
            }
        }
    }

    private static ContainerRecord.EndpointRequest endpointRequest(Map<String, ContainerRecord.EndpointRequest> endpoints, NetworkRecord network) {
        ContainerRecord.EndpointRequest byName = endpoints.get(network.name());
        return byName != null ? byName : endpoints.get(network.id());
    }

    private static String sandboxName(String id) {
        return "pier-" + id.substring(0, 12);
    }

    private Sandbox newSandbox(String name, Undo undo) {
        NetNamespace ns = NetNamespace.create(sandboxDir, name);
        undo.push(() -> NetNamespace.delete(sandboxDir, name));
        return new Sandbox(ns);
    }

    private void writeFiles(Path dir, ContainerRecord r, List<Attachment> attachments) throws IOException {
        List<ContainerFiles.HostEntry> extra = new ArrayList<>();
        for (String h : r.settings().extraHosts()) {
            ContainerFiles.HostEntry e = parseExtraHost(h);
            if (e.address().equals("host-gateway")) e = new ContainerFiles.HostEntry(hostGateway(), e.names());
            extra.add(e);
        }
        List<InetAddress> self = new ArrayList<>();
        for (Attachment a : attachments) {
            if (!a.ipv4().isEmpty()) self.add(IpPrefix.parseAddress(a.ipv4()));
            if (!a.ipv6().isEmpty()) self.add(IpPrefix.parseAddress(a.ipv6()));
        }
        ContainerFiles.writeIdentity(dir, r.settings().hostname(), r.settings().domainname(), extra, self);
        String host = Files.exists(hostResolvConf) ? Files.readString(hostResolvConf) : "";
        ContainerFiles.writeResolvConf(dir, ContainerFiles.resolvConf(host, r.settings().dns(), r.settings().dnsSearch(),
                r.settings().dnsOptions(), false));
    }

    /** `host-gateway` in --add-host: the default bridge's gateway, as in Docker. */
    private String hostGateway() {
        return networks.find("bridge").flatMap(n -> n.ipam().stream().findFirst()).map(NetworkRecord.IpamEntry::gateway)
                .orElse("127.0.0.1");
    }

    /** Host mode: the host's own name resolution, copied so the container cannot change the host's. */
    private void writeHostModeFiles(Path dir, ContainerRecord r) throws IOException {
        Path hosts = Path.of("/etc/hosts");
        String content = Files.exists(hosts) ? Files.readString(hosts) : "127.0.0.1\tlocalhost\n";
        StringBuilder sb = new StringBuilder(content);
        if (!content.endsWith("\n")) sb.append('\n');
        for (String h : r.settings().extraHosts()) {
            ContainerFiles.HostEntry e = parseExtraHost(h);
            sb.append(e.address().equals("host-gateway") ? hostGateway() : e.address()).append('\t').append(String.join(" ", e.names())).append('\n');
        }
        Files.writeString(dir.resolve(ContainerFiles.HOSTS), sb.toString());
        Files.writeString(dir.resolve(ContainerFiles.HOSTNAME), r.settings().hostname() + "\n");
        String resolv = Files.exists(hostResolvConf) ? Files.readString(hostResolvConf) : "";
        if (!r.settings().dns().isEmpty() || !r.settings().dnsSearch().isEmpty() || !r.settings().dnsOptions().isEmpty())
            resolv = ContainerFiles.resolvConf(resolv, r.settings().dns(), r.settings().dnsSearch(), r.settings().dnsOptions(), false);
        ContainerFiles.writeResolvConf(dir, resolv);
    }

    // ------------------------------------------------------------------ exit, stop, kill

    /** The process is gone: free the network at once and record the exit. */
    private void exited(String id, int code) {
        ContainerRecord after;
        synchronized (lock(id)) {
            ContainerRecord r = byId.get(id);
            if (r == null || !r.state().running()) return;
            teardown(r);
            after = r.withNetwork(List.of(), "").withState(new RunState(Status.EXITED, 0, code, r.state().startedAt(), Instant.now(), ""));
            save(after);
        }
        CompletableFuture<Integer> waiter = nextExit.remove(id);
        if (waiter != null) waiter.complete(code);
        if (after.settings().autoRemove()) {
            try {
                remove(id, true);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "auto-remove of " + id + " failed", e);
            }
        }
    }

    /** Network and runtime state of a stopped process; deleting the sandbox takes the interfaces with it. */
    private void teardown(ContainerRecord r) {
        for (Attachment a : r.attachments()) networks.release(a);
        if (!r.sandboxName().isEmpty()) NetNamespace.delete(sandboxDir, r.sandboxName());
        try {
            runtime.delete(r.id());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "runtime delete of " + r.id() + " failed", e);
        }
    }

    public void stop(String ref, Duration timeout) {
        ContainerRecord r = require(ref);
        if (!r.state().running()) throw new EngineException(EngineException.Kind.NOT_MODIFIED, "container already stopped");
        CompletableFuture<Integer> exit = nextExit.computeIfAbsent(r.id(), k -> new CompletableFuture<>());
        runtime.stop(r.id(), timeout);
        exit.join();
    }

    public void kill(String ref, int signal) {
        ContainerRecord r = require(ref);
        if (!r.state().running()) throw EngineException.conflict("Cannot kill container: " + ref + ": Container " + r.id() + " is not running");
        runtime.kill(r.id(), signal);
    }

    /** Blocks until the container is not running (condition not-running) or until its next exit. */
    public int waitFor(String ref, boolean nextExitOnly) {
        ContainerRecord r = require(ref);
        CompletableFuture<Integer> exit;
        synchronized (lock(r.id())) {
            r = require(r.id());
            if (!nextExitOnly && !r.state().running()) return r.state().exitCode();
            exit = nextExit.computeIfAbsent(r.id(), k -> new CompletableFuture<>());
        }
        return exit.join();
    }

    public void remove(String ref, boolean force) {
        ContainerRecord r = require(ref);
        if (r.state().running()) {
            if (!force) throw EngineException.conflict("You cannot remove a running container " + r.id()
                    + ". Stop the container before attempting removal or force remove");
            CompletableFuture<Integer> exit = nextExit.computeIfAbsent(r.id(), k -> new CompletableFuture<>());
            try {
                runtime.kill(r.id(), 9);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "kill before remove", e);
            }
            exit.join();
        }
        synchronized (lock(r.id())) {
            ContainerRecord current = byId.get(r.id());
            if (current == null) return;
            teardown(current);
            runtime.removeData(r.id());
            deleteTree(containersDir.resolve(r.id()));
            byId.remove(r.id());
            records.remove(r.id());
            locks.remove(r.id());
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try { Files.deleteIfExists(p); } catch (IOException ignored) { /* best effort */ }
            });
        } catch (IOException e) {
            LOG.log(Level.WARNING, "removing " + dir, e);
        }
    }

    // ------------------------------------------------------------------ restart of the daemon

    /**
     * After a daemon restart: adopt containers whose process still runs, record the others as
     * exited, and remove what no record owns (sandboxes, runtime state).
     */
    public void recover() {
        for (ContainerRecord r : records.values()) byId.put(r.id(), r);
        Set<String> liveSandboxes = new HashSet<>();
        for (ContainerRecord r : List.copyOf(byId.values())) {
            Optional<RuntimeState> state = safeState(r.id());
            boolean alive = state.isPresent() && state.get().running();
            if (r.state().running() && alive) {
                for (Attachment a : r.attachments()) networks.adopt(a);
                if (!r.sandboxName().isEmpty()) liveSandboxes.add(r.sandboxName());
                nextExit.computeIfAbsent(r.id(), k -> new CompletableFuture<>());
                String id = r.id();
                runtime.onExit(id, r.state().pid(), code -> Thread.ofVirtual().start(() -> exited(id, code)));
                continue;
            }
            if (alive) runtime.kill(r.id(), 9);
            if (r.state().running() || state.isPresent() || !r.sandboxName().isEmpty()) {
                ContainerRecord cleaned = r.withNetwork(List.of(), "");
                teardown(r);
                if (r.state().running())
                    cleaned = cleaned.withState(new RunState(Status.EXITED, 0, 255, r.state().startedAt(), Instant.now(), ""));
                save(cleaned);
            }
        }
        for (String id : runtime.listIds()) {
            if (!byId.containsKey(id)) {
                try { runtime.delete(id); } catch (RuntimeException e) { LOG.log(Level.WARNING, "orphan runtime state " + id, e); }
            }
        }
        // A sandbox no running container owns was left by a start the daemon did not finish.
        if (Files.isDirectory(sandboxDir)) {
            try (var files = Files.list(sandboxDir)) {
                for (Path p : files.toList()) {
                    String name = p.getFileName().toString();
                    if (!liveSandboxes.contains(name)) NetNamespace.delete(sandboxDir, name);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Optional<RuntimeState> safeState(String id) {
        try {
            return runtime.state(id);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Host-side interface names every live endpoint uses (for the orphan sweep of the bridge driver's group). */
    public Set<String> liveHostInterfaces() {
        Set<String> names = new LinkedHashSet<>();
        for (ContainerRecord r : byId.values())
            for (Attachment a : r.attachments()) if (!a.hostInterfaceName().isEmpty()) names.add(a.hostInterfaceName());
        return names;
    }

    static boolean isMissingDevice(RuntimeException e) {
        return e instanceof KernelException k && k.errno() == KernelException.ENODEV;
    }
}
