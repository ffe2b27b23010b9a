package dev.pier.engine;

import dev.pier.dns.ContainerFiles;
import dev.pier.dns.EmbeddedResolver;
import dev.pier.dns.NameTable;
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
import dev.pier.ports.PortRequest;
import dev.pier.ports.PortUnavailableException;
import dev.pier.ports.PublishedPort;
import dev.pier.runtime.ContainerSpec;
import dev.pier.runtime.NetworkNamespace;
import dev.pier.runtime.OciRuntime;
import dev.pier.runtime.RuntimeVersion;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
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
    private final PortService ports;
    private final Path containersDir;
    private final Path sandboxDir;
    private final Path hostResolvConf;
    private final DnsDefaults dnsDefaults;
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> outputReaders = new ConcurrentHashMap<>();
    private final String defaultRuntime;
    private final Map<String, ContainerRecord> byId = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Integer>> nextExit = new ConcurrentHashMap<>();
    /** Waiters for a container's removal (wait?condition=removed), completed with its last exit code. */
    private final Map<String, CompletableFuture<Integer>> removal = new ConcurrentHashMap<>();
    /** Containers the user stopped or killed: their restart policy does not bring them back. */
    private final Set<String> stoppedByUser = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> restartCounts = new ConcurrentHashMap<>();
    /** The embedded DNS server: it reads names from {@link #names()} at every query. */
    private final EmbeddedResolver resolver = new EmbeddedResolver(this::names);
    /** Bumped by every change of a container: the name table is rebuilt on the next query after it. */
    private final AtomicLong changes = new AtomicLong();
    private volatile NameSnapshot nameSnapshot;

    private record NameSnapshot(long version, NameTable table) {}

    public ContainerService(Store store, ImageStore images, OciRuntime runtime, NetworkService networks, PortService ports,
                            Path dataRoot, Path execRoot, Path hostResolvConf, DnsDefaults dnsDefaults, String defaultRuntime) {
        this.ports = ports;
        this.records = store.collection("containers", ContainerRecord.class);
        this.images = images;
        this.runtime = runtime;
        this.networks = networks;
        this.containersDir = dataRoot.resolve("containers");
        this.sandboxDir = execRoot.resolve("netns");
        this.hostResolvConf = hostResolvConf;
        this.dnsDefaults = dnsDefaults;
        this.defaultRuntime = defaultRuntime;
    }

    private Object lock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    private void save(ContainerRecord r) {
        byId.put(r.id(), r);
        changes.incrementAndGet();
        records.put(r.id(), r);
    }

    // ------------------------------------------------------------------ names for the embedded resolver

    /** Who is called what, as of the last change: rebuilt lazily, so a burst of changes costs one build. */
    public NameTable names() {
        long version = changes.get();
        NameSnapshot s = nameSnapshot;
        if (s != null && s.version() == version) return s.table();
        NameTable table = buildNames();
        nameSnapshot = new NameSnapshot(version, table);
        return table;
    }

    private NameTable buildNames() {
        List<NameTable.Peer> peers = new ArrayList<>();
        for (ContainerRecord r : byId.values()) {
            if (!r.state().running() || r.attachments().isEmpty()) continue;
            List<NameTable.Endpoint> endpoints = new ArrayList<>();
            boolean forwards = false;
            for (Attachment a : r.attachments()) {
                NetworkRecord n = networks.byId(a.networkId()).orElse(null);
                if (n == null) continue;
                if (!n.internal()) forwards = true;
                if (!resolvesNames(n)) continue;
                endpoints.add(new NameTable.Endpoint(n.id(), n.name(),
                        a.ipv4().isEmpty() ? null : IpPrefix.parseAddress(a.ipv4()),
                        a.ipv6().isEmpty() ? null : IpPrefix.parseAddress(a.ipv6()),
                        a.aliases() == null ? List.of() : a.aliases()));
            }
            // Kept even without named endpoints: whether it may forward is still the table's to say.
            peers.add(new NameTable.Peer(r.id(), r.name(), r.settings().hostname(), forwards, endpoints, links(r.settings().links())));
        }
        return new NameTable(peers);
    }

    /** --link as given ("name:alias", "name") or as Docker stores it ("/name:/container/alias"): alias → name. */
    static Map<String, String> links(List<String> links) {
        return Links.parse(links);
    }

    /** One --link of a container on the default bridge, resolved: the alias and the linked container's endpoint there. */
    private record LegacyLink(String alias, ContainerRecord target, Attachment endpoint) {}

    /**
     * The default bridge's links of a container whose endpoints are {@code attachments}; none when it is
     * not on the default bridge (elsewhere links are DNS aliases). Strict at start, as Docker is: a link
     * to a container that is gone, stopped or not on the default bridge fails it; lenient otherwise
     * (rewriting files after a connect, an exec), where such a link is left out.
     */
    private List<LegacyLink> legacyLinks(ContainerRecord r, List<Attachment> attachments, boolean strict) {
        Map<String, String> links = Links.parse(r.settings().links());
        if (links.isEmpty() || attachments.stream().noneMatch(this::onDefaultBridge)) return List.of();
        List<LegacyLink> out = new ArrayList<>();
        for (var link : links.entrySet()) {
            ContainerRecord target = find(link.getValue()).orElse(null);
            if (target == null) {
                if (strict) throw EngineException.invalid("could not get container for " + link.getValue() + ": No such container: " + link.getValue());
                continue;
            }
            if (!target.state().running()) {
                if (strict) throw EngineException.conflict("Cannot link to a non running container: /" + target.name() + " AS /" + r.name() + "/" + link.getKey());
                continue;
            }
            Attachment endpoint = target.attachments().stream().filter(this::onDefaultBridge).findFirst().orElse(null);
            if (endpoint == null) {
                if (strict) throw EngineException.conflict("container " + target.id() + " not attached to default bridge network");
                continue;
            }
            out.add(new LegacyLink(link.getKey(), target, endpoint));
        }
        return out;
    }

    private boolean onDefaultBridge(Attachment a) {
        return networks.byId(a.networkId()).map(ContainerService::isDefaultBridge).orElse(false);
    }

    private static boolean isDefaultBridge(NetworkRecord n) {
        return n.predefined() && n.driver().equals("bridge");
    }

    /** The link variables first, then the container's own: a variable the user set wins, as in Docker. */
    private static List<String> withLinkEnv(ContainerRecord r, List<LegacyLink> links, List<String> env) {
        if (links.isEmpty()) return env;
        Map<String, String> merged = new LinkedHashMap<>();
        for (LegacyLink l : links)
            for (String e : Links.environment("/" + r.name() + "/" + l.alias(), l.endpoint().ipv4(), l.target().settings().exposedPorts(),
                    l.target().settings().env())) merged.put(key(e), e);
        for (String e : env) merged.put(key(e), e);
        return List.copyOf(merged.values());
    }

    /** User-defined networks have name resolution; the default bridge (like Docker's) has none. */
    private static boolean resolvesNames(NetworkRecord n) {
        return !n.predefined() && n.driver().equals("bridge");
    }

    private boolean wantsResolver(List<Attachment> attachments) {
        return attachments.stream().anyMatch(a -> networks.byId(a.networkId()).map(ContainerService::resolvesNames).orElse(false));
    }

    /**
     * Serves 127.0.0.11 in the container's sandbox; upstreams are its --dns (asked from its namespace),
     * else the host's servers (asked from the host's, where a loopback server such as 127.0.0.53 answers).
     */
    private void attachResolver(ContainerRecord r, String sandboxName) throws IOException {
        List<String> configured = dnsDefaults.servers(r.settings());
        boolean own = !configured.isEmpty();
        List<String> servers = own ? configured
                : ContainerFiles.hostNameservers(Files.exists(hostResolvConf) ? Files.readString(hostResolvConf) : "");
        List<EmbeddedResolver.Upstream> upstreams = new ArrayList<>();
        for (String s : servers) {
            try {
                upstreams.add(new EmbeddedResolver.Upstream(IpPrefix.parseAddress(s), !own));
            } catch (IllegalArgumentException e) {
                LOG.warning("ignoring nameserver " + s + " of " + hostResolvConf + ": not an IP address");
            }
        }
        resolver.attach(r.id(), NetNamespace.open(sandboxDir.resolve(sandboxName)), upstreams);
    }

    // ------------------------------------------------------------------ lookup

    /** Every runtime the engine can run containers with, and what each says of itself. */
    public List<RuntimeVersion> runtimes() {
        return OciRuntime.runtimeNames().stream().map(runtime::version).toList();
    }

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
        List<String> merged = new ArrayList<>(withLinkEnv(r, legacyLinks(r, r.attachments(), false), r.settings().env()));
        merged.addAll(env);
        return runtime.exec(id, cmd, mergeEnv(List.of(), merged), workingDir == null || workingDir.isEmpty()
                ? r.settings().workingDir() : workingDir, user == null || user.isEmpty() ? r.settings().user() : user, tty);
    }

    public java.io.OutputStream stdin(String id) {
        return runtime.stdin(id);
    }

    /** The terminal's size of a running container with a tty; anything else has none to set (Docker's CLI asks anyway). */
    public void resize(String ref, int rows, int cols) {
        ContainerRecord r = require(ref);
        if (!r.settings().tty() || !r.state().running() || rows <= 0 || cols <= 0) return;
        try {
            runtime.resize(r.id(), rows, cols);
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.log(Level.FINE, "resize of " + r.id(), e);   // no terminal (yet), or a size the kernel cannot take
        }
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
        if (mode instanceof NetworkMode.Attached a && settings.endpoints() != null) {
            networks.require(a.network());
            for (var e : settings.endpoints().entrySet()) {
                NetworkRecord n = networks.require(e.getKey());
                if (!n.predefined() || e.getValue() == null) continue;
                if (e.getValue().ipv4() != null && !e.getValue().ipv4().isEmpty() || e.getValue().ipv6() != null && !e.getValue().ipv6().isEmpty())
                    throw EngineException.invalid("user specified IP address is supported on user defined networks only");
                if (e.getValue().aliases() != null && !e.getValue().aliases().isEmpty())
                    throw EngineException.invalid("network-scoped alias is supported only for containers in user defined networks");
            }
        }
        if (settings.endpoints() != null) settings.endpoints().values().forEach(ContainerService::checkMac);
        // Docker's rule: several networks at create are user-defined ones (host or none beside them would be ignored).
        if (settings.endpoints() != null && settings.endpoints().size() > 1 && settings.endpoints().keySet().stream()
                .anyMatch(n -> networks.find(n).map(r -> r.predefined()).orElse(false) || n.startsWith("container:")))
            throw EngineException.invalid("conflicting options: cannot attach both user-defined and non-user-defined network-modes");
        for (String h : settings.extraHosts()) parseExtraHost(h);
        checkLinks(mode, settings.links());
        for (String server : settings.dns()) {
            try {
                IpPrefix.parseAddress(server);
            } catch (IllegalArgumentException e) {
                throw EngineException.invalid("invalid --dns address: \"" + server + "\" (an IP address is expected)");
            }
        }
        String policy = settings.restartPolicy() == null ? "" : settings.restartPolicy();
        if (!List.of("", "no", "always", "unless-stopped", "on-failure").contains(policy))
            throw EngineException.invalid("invalid restart policy '" + policy + "'");
        if (settings.autoRemove() && !policy.isEmpty() && !policy.equals("no"))
            throw EngineException.invalid("conflicting options: cannot specify both --restart and --rm");
        List<String> args = resolveArgs(settings, image);
        if (args.isEmpty()) throw EngineException.invalid("No command specified");
        String runtimeName = settings.runtime() == null || settings.runtime().isEmpty() ? defaultRuntime : settings.runtime();
        if (!runtimeName.equals("runc") && !runtimeName.equals("crun"))
            throw EngineException.invalid("unknown or invalid runtime name: " + runtimeName);

        List<PortRequest> portBindings = settings.portBindings();
        if (mode instanceof NetworkMode.Shared && (!portBindings.isEmpty() || settings.publishAllPorts()))
            throw EngineException.invalid("conflicting options: port publishing and the container type network mode");
        // Docker's Config.ExposedPorts: the image's, the ones asked for, and every published one, sorted.
        Set<String> exposedSet = new java.util.TreeSet<>(image.config().exposedPorts());
        exposedSet.addAll(settings.exposedPorts());
        for (PortRequest p : portBindings) exposedSet.add(p.key());
        List<String> exposed = List.copyOf(exposedSet);

        String id = NetworkService.newId();
        synchronized (this) {
            String name;
            if (requestedName == null || requestedName.isEmpty()) {
                name = Names.generateFree(id, n -> byId.values().stream().anyMatch(c -> c.name().equals(n)));
            } else {
                name = Names.validate(requestedName);
                for (ContainerRecord other : byId.values()) {
                    if (other.name().equals(name))
                        throw EngineException.conflict("Conflict. The container name \"/" + name + "\" is already in use by container \""
                                + other.id() + "\". You have to remove (or rename) that container to be able to reuse that name.");
                }
            }
            String hostname = settings.hostname() == null || settings.hostname().isEmpty()
                    ? switch (mode) {
                        case NetworkMode.Host h -> localHostname();
                        // Sharing another container's network means sharing its name too, as in Docker.
                        case NetworkMode.Shared s -> require(s.container()).settings().hostname();
                        default -> id.substring(0, 12);
                    } : settings.hostname();
            Settings effective = new Settings(settings.cmd(), settings.entrypoint(), mergeEnv(image.config().env(), settings.env()),
                    settings.workingDir() == null || settings.workingDir().isEmpty() ? image.config().workingDir() : settings.workingDir(),
                    settings.user() == null || settings.user().isEmpty() ? image.config().user() : settings.user(),
                    hostname, settings.domainname(), settings.tty(), settings.openStdin(), settings.labels(),
                    exposed, mode.text(), settings.endpoints(), settings.autoRemove(), settings.restartPolicy(),
                    settings.restartRetries(), settings.capAdd(), settings.capDrop(), settings.privileged(), settings.dns(),
                    settings.dnsSearch(), settings.dnsOptions(), settings.extraHosts(), settings.links(), runtimeName, args,
                    portBindings, settings.publishAllPorts(), Sysctls.checked(settings.sysctls(), mode));
            ContainerRecord r = new ContainerRecord(id, name, Instant.now(), image.id(), imageRef, effective,
                    RunState.created(), List.of(), "", List.of());
            try {
                Files.createDirectories(containersDir.resolve(id));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            save(r);
            return r;
        }
    }

    /**
     * Links at create, as Docker checks them: not with host or container networking; on the default
     * bridge (where they are more than DNS aliases) each must name an existing container that does not
     * use the host's network.
     */
    private void checkLinks(NetworkMode mode, List<String> links) {
        if (links == null || links.isEmpty()) return;
        if (mode instanceof NetworkMode.Host)
            throw EngineException.invalid("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
        if (mode instanceof NetworkMode.Shared)
            throw EngineException.invalid("conflicting options: container type network can't be used with links. This would result in undefined behavior");
        if (mode instanceof NetworkMode.Attached a && !isDefaultBridge(networks.require(a.network()))) return;
        for (String target : Links.parse(links).values()) {
            ContainerRecord t = find(target).orElseThrow(() ->
                    EngineException.invalid("could not get container for " + target + ": No such container: " + target));
            if (NetworkMode.parse(t.settings().networkMode()) instanceof NetworkMode.Host)
                throw EngineException.invalid("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
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
            return new String(Files.newInputStream(Path.of("/proc/sys/kernel/hostname")).readAllBytes()).strip();
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
            stoppedByUser.remove(r.id());
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
                        writeFiles(dir, r, attachments, true);
                    }
                    case NetworkMode.Attached a -> {
                        sandboxName = sandboxName(r.id());
                        NetworkRecord network = networks.require(a.network());
                        try (Sandbox sandbox = newSandbox(sandboxName, undo)) {
                            sandbox.netlink().batch().setUp(1, true).commit();
                            Map<String, ContainerRecord.EndpointRequest> wanted = r.settings().endpoints() == null ? Map.of() : r.settings().endpoints();
                            List<NetworkRecord> order = new ArrayList<>();
                            order.add(network);
                            for (String other : wanted.keySet()) {
                                NetworkRecord n = networks.require(other);
                                if (!order.contains(n)) order.add(n);
                            }
                            for (int i = 0; i < order.size(); i++) {
                                NetworkRecord n = order.get(i);
                                // The first network gives the default route, as in Docker.
                                Attachment att = networks.join(n, r.id(), i, endpointRequest(wanted, n), i == 0, sandbox);
                                // The sandbox's deletion removes the interface; only the addresses need freeing.
                                undo.push(() -> networks.release(att));
                                attachments.add(att);
                            }
                        }
                        if (wantsResolver(attachments)) {
                            attachResolver(r, sandboxName);
                            undo.push(() -> resolver.detach(r.id()));
                        }
                        netns = new NetworkNamespace.Path(sandboxDir.resolve(sandboxName));
                        writeFiles(dir, r, attachments, true);
                    }
                }
                List<PublishedPort> published = List.of();
                // Host and none modes have no address to publish to: Docker discards the ports too.
                if (mode instanceof NetworkMode.Attached && !attachments.isEmpty() && !attachments.getFirst().ipv4().isEmpty()) {
                    Attachment primary = attachments.getFirst();
                    try {
                        String bindingIp = networks.byId(primary.networkId()).map(n -> n.options().getOrDefault(NetworkRecord.HOST_BINDING_IPV4, ""))
                                .orElse("");
                        published = ports.publish(r.id(), PortService.requests(r.settings(), bindingIp), primary.ipv4(),
                                primary.ipv6() == null ? "" : primary.ipv6(), networks.interfaceName(primary.networkId()));
                    } catch (PortUnavailableException e) {
                        throw new PortUnavailableException("driver failed programming external connectivity on endpoint "
                                + r.name() + " (" + primary.endpointId() + "): " + e.getMessage());
                    }
                    undo.push(() -> ports.unpublish(r.id()));
                }
                // Open before the process runs; releasing the endpoints (the undo above) closes them.
                List<LegacyLink> links = legacyLinks(r, attachments, true);
                allowLinks(attachments, links);
                ContainerSpec spec = new ContainerSpec(r.id(), image, r.settings().args(),
                        withLinkEnv(r, links, r.settings().env()),
                        r.settings().workingDir(), r.settings().user(), r.settings().tty(), r.settings().openStdin(),
                        r.settings().hostname(), netns, filesDir.resolve(ContainerFiles.HOSTS),
                        filesDir.resolve(ContainerFiles.HOSTNAME), filesDir.resolve(ContainerFiles.RESOLV_CONF),
                        Set.copyOf(r.settings().capAdd()), Set.copyOf(r.settings().capDrop()), r.settings().privileged(),
                        r.settings().runtime(), r.settings().labels(), r.settings().sysctls());
                nextExit.computeIfAbsent(r.id(), k -> new CompletableFuture<>());
                long pid = runtime.start(spec);
                ContainerRecord started = r.withNetwork(List.copyOf(attachments), sandboxName).withPorts(published)
                        .withState(new RunState(Status.RUNNING, pid, 0, Instant.now(), null, ""));
                save(started);
                String id = r.id();
                runtime.onExit(id, pid, code -> Thread.ofVirtual().start(() -> exited(id, code)));
                undo.forget();
            } catch (RuntimeException | IOException e) {
                undo.run();
                CompletableFuture<Integer> waiter = nextExit.remove(r.id());
                if (waiter != null) waiter.complete(128);
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                save(require(r.id()).withState(new RunState(Status.CREATED, 0, 128, null, null, message)));
                if (r.settings().autoRemove()) {
                    try { remove(r.id(), true); } catch (RuntimeException ex) { LOG.log(Level.WARNING, "auto-remove after a failed start", ex); }
                }
                if (e instanceof EngineException ee) throw ee;
                if (e instanceof IOException io) throw new UncheckedIOException(io);
                throw (RuntimeException) e;
            }
        }
        // Outside this container's lock: each linker is updated under its own.
        updateLinkers(containerId);
    }

    /** Whether one of r's --link names the container with this id. */
    private boolean linksTo(ContainerRecord r, String linkedId) {
        for (String target : Links.parse(r.settings().links()).values()) {
            try {
                if (find(target).map(t -> t.id().equals(linkedId)).orElse(false)) return true;
            } catch (EngineException e) {
                // an ambiguous id prefix links to nothing
            }
        }
        return false;
    }

    /** Opens the links of a container on the default bridge across ICC off (see NetworkService#allowLink). */
    private void allowLinks(List<Attachment> attachments, List<LegacyLink> links) {
        Attachment own = attachments.stream().filter(this::onDefaultBridge).findFirst().orElse(null);
        if (own == null) return;
        for (LegacyLink l : links) networks.allowLink(own, l.endpoint(), Links.services(l.target().settings().exposedPorts()));
    }

    /**
     * A linked container started again, likely at another address: each running container linking to
     * it gets its hosts lines for the link pointed there, and the link opened again, as Docker does.
     * Lines the linker wrote itself stay; its environment keeps the old address (a process's is fixed).
     */
    private void updateLinkers(String linkedId) {
        for (ContainerRecord candidate : byId.values()) {
            // Only linkers take a lock: another container's may be held by its own start.
            if (candidate.id().equals(linkedId) || !candidate.state().running() || !linksTo(candidate, linkedId)) continue;
            synchronized (lock(candidate.id())) {
                ContainerRecord r = byId.get(candidate.id());
                if (r == null || !r.state().running()) continue;
                try {
                    List<LegacyLink> links = legacyLinks(r, r.attachments(), false).stream()
                            .filter(l -> l.target().id().equals(linkedId)).toList();
                    for (LegacyLink l : links) {
                        List<String> addresses = Stream.of(l.endpoint().ipv4(), l.endpoint().ipv6()).filter(a -> !a.isEmpty()).toList();
                        ContainerFiles.updateHostEntries(containersDir.resolve(r.id()),
                                Links.hostNames(l.alias(), l.target().settings().hostname(), l.target().name()), addresses);
                    }
                    allowLinks(r.attachments(), links);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "updating the links of " + r.id() + " to " + linkedId + " failed", e);
                }
            }
        }
    }

    private static ContainerRecord.EndpointRequest endpointRequest(Map<String, ContainerRecord.EndpointRequest> endpoints, NetworkRecord network) {
        ContainerRecord.EndpointRequest byName = endpoints.get(network.name());
        return byName != null ? byName : endpoints.get(network.id());
    }

    // ------------------------------------------------------------------ rename

    /**
     * `rename`: the embedded resolvers answer to the new name at once (and no longer to the old), and
     * links to the container follow it under their aliases, as Docker's do. The container's own files
     * keep its hostname, which a name never was.
     */
    public void rename(String ref, String newName) {
        if (ref == null || ref.isEmpty() || newName == null || newName.isEmpty())
            throw EngineException.invalid("Neither old nor new names may be empty");
        String id = require(ref).id();
        String name = Names.validate(newName);
        String oldName;
        synchronized (lock(id)) {
            synchronized (this) { // names are unique across containers: the same lock as create's
                ContainerRecord r = byId.get(id);
                if (r == null) throw EngineException.notFound("No such container: " + ref);
                oldName = r.name();
                if (oldName.equals(name)) throw EngineException.invalid("Renaming a container with the same name as its current name");
                for (ContainerRecord other : byId.values()) {
                    if (other.name().equals(name))
                        throw EngineException.conflict("Error when allocating new name: Conflict. The container name \"/" + name
                                + "\" is already in use by container \"" + other.id() + "\". You have to remove (or rename) that container to be able to reuse that name.");
                }
                save(r.withName(name));
            }
        }
        // Links name their target; each linker takes its own lock, never while holding another's.
        for (ContainerRecord candidate : byId.values()) {
            if (candidate.id().equals(id) || Links.renamed(candidate.settings().links(), oldName, name) == null) continue;
            synchronized (lock(candidate.id())) {
                ContainerRecord linker = byId.get(candidate.id());
                List<String> links = linker == null ? null : Links.renamed(linker.settings().links(), oldName, name);
                if (links != null) save(linker.withSettings(linker.settings().withLinks(links)));
            }
        }
    }

    // ------------------------------------------------------------------ connect, disconnect

    /** --mac-address: an address an interface can have (the kernel refuses a multicast one, with a bare EADDRNOTAVAIL). */
    private static void checkMac(ContainerRecord.EndpointRequest request) {
        if (request == null || request.mac() == null || request.mac().isEmpty()) return;
        dev.pier.linux.MacAddress mac;
        try {
            mac = dev.pier.linux.MacAddress.parse(request.mac());
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid(request.mac() + " is not a valid mac address");
        }
        if ((mac.bytes()[0] & 1) != 0)
            throw EngineException.invalid(request.mac() + " is a multicast mac address: an interface cannot have it");
    }

    /**
     * `network connect`: a running container gets its next interface at once; a stopped one at its
     * next start. With `--link name:alias`, on a network with name resolution the alias answers for
     * the linked container; it is kept with the container's other links (so it also answers on the
     * other networks they share, where Docker's would not).
     */
    public void connect(String containerRef, String networkRef, ContainerRecord.EndpointRequest request, List<String> links) {
        String id = require(containerRef).id();
        synchronized (lock(id)) {
            ContainerRecord r = require(id);
            NetworkRecord network = networks.require(networkRef);
            checkMac(request);
            if (!links.isEmpty() && !resolvesNames(network))
                throw EngineException.invalid("links on network connect are supported only for user-defined networks");
            for (String target : Links.parse(links).values())
                if (find(target).isEmpty()) throw EngineException.invalid("could not get container for " + target + ": No such container: " + target);
            if (!(NetworkMode.parse(r.settings().networkMode()) instanceof NetworkMode.Attached))
                throw EngineException.invalid("container sharing network namespace with another container or host cannot be connected to any other network");
            boolean known = r.attachments().stream().anyMatch(a -> a.networkId().equals(network.id()))
                    || (r.settings().endpoints() != null && (r.settings().endpoints().containsKey(network.name())
                    || r.settings().endpoints().containsKey(network.id())))
                    || NetworkMode.parse(r.settings().networkMode()) instanceof NetworkMode.Attached a && networks.require(a.network()).id().equals(network.id());
            if (known) throw EngineException.forbidden("endpoint with name " + r.name() + " already exists in network " + network.name());
            Map<String, ContainerRecord.EndpointRequest> endpoints = new LinkedHashMap<>(r.settings().endpoints() == null ? Map.of() : r.settings().endpoints());
            endpoints.put(network.name(), request);
            ContainerRecord.Settings settings = r.settings().withEndpoints(endpoints);
            if (!links.isEmpty()) settings = settings.withLinks(Links.merged(r.settings().links(), links));
            ContainerRecord updated = r.withSettings(settings);
            if (r.state().running()) {
                int next = r.attachments().stream().mapToInt(a -> interfaceNumber(a.interfaceName())).max().orElse(-1) + 1;
                Attachment att;
                try (Sandbox sandbox = new Sandbox(NetNamespace.open(sandboxDir.resolve(r.sandboxName())))) {
                    att = networks.join(network, r.id(), next, request, false, sandbox);
                }
                List<Attachment> all = new ArrayList<>(r.attachments());
                all.add(att);
                updated = updated.withNetwork(List.copyOf(all), r.sandboxName());
                try {
                    if (!resolver.isAttached(id) && wantsResolver(all)) attachResolver(updated, r.sandboxName());
                    writeFiles(containersDir.resolve(id), updated, all, false);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            save(updated);
        }
    }

    /** `network disconnect`: removes the interface and frees its addresses. */
    public void disconnect(String containerRef, String networkRef, boolean force) {
        String id = require(containerRef).id();
        synchronized (lock(id)) {
            ContainerRecord r = require(id);
            NetworkRecord network = networks.require(networkRef);
            Attachment att = r.attachments().stream().filter(a -> a.networkId().equals(network.id())).findFirst().orElse(null);
            Map<String, ContainerRecord.EndpointRequest> endpoints = new LinkedHashMap<>(r.settings().endpoints() == null ? Map.of() : r.settings().endpoints());
            boolean requested = endpoints.remove(network.name()) != null | endpoints.remove(network.id()) != null;
            boolean isMode = NetworkMode.parse(r.settings().networkMode()) instanceof NetworkMode.Attached a
                    && networks.find(a.network()).map(n -> n.id().equals(network.id())).orElse(false);
            if (att == null && !requested && !isMode)
                throw EngineException.notFound("container " + r.id() + " is not connected to network " + network.name());
            ContainerRecord updated = r.withSettings(r.settings().withEndpoints(endpoints));
            if (isMode) updated = updated.withSettings(withMode(updated.settings(), endpoints));
            if (att != null) {
                // The published ports lead to the address leaving with this network: they go with it.
                if (r.ports().stream().anyMatch(p -> p.containerIp().equals(att.ipv4()))) {
                    ports.unpublish(r.id());
                    updated = updated.withPorts(List.of());
                }
                networks.leave(att, r.id(), null, true);
                List<Attachment> rest = r.attachments().stream().filter(a -> a != att).toList();
                updated = updated.withNetwork(rest, r.sandboxName());
                try {
                    writeFiles(containersDir.resolve(id), updated, rest, false);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            save(updated);
        }
    }

    /** Disconnecting the network a container was started on: the next start uses another, or none. */
    private static Settings withMode(Settings s, Map<String, ContainerRecord.EndpointRequest> rest) {
        String mode = rest.isEmpty() ? "none" : rest.keySet().iterator().next();
        return new Settings(s.cmd(), s.entrypoint(), s.env(), s.workingDir(), s.user(), s.hostname(), s.domainname(), s.tty(),
                s.openStdin(), s.labels(), s.exposedPorts(), mode, rest, s.autoRemove(), s.restartPolicy(), s.restartRetries(),
                s.capAdd(), s.capDrop(), s.privileged(), s.dns(), s.dnsSearch(), s.dnsOptions(), s.extraHosts(), s.links(),
                s.runtime(), s.args(), s.portBindings(), s.publishAllPorts(), s.sysctls());
    }

    private static int interfaceNumber(String ifname) {
        int i = ifname.length();
        while (i > 0 && Character.isDigit(ifname.charAt(i - 1))) i--;
        return i == ifname.length() ? 0 : Integer.parseInt(ifname.substring(i));
    }

    /** True while a running container has an endpoint on the network (it cannot be removed then). */
    public boolean hasEndpoints(String networkId) {
        return byId.values().stream().anyMatch(c -> c.attachments().stream().anyMatch(a -> a.networkId().equals(networkId)));
    }

    private static String sandboxName(String id) {
        return "pier-" + id.substring(0, 12);
    }

    private Sandbox newSandbox(String name, Undo undo) {
        NetNamespace ns = NetNamespace.create(sandboxDir, name);
        undo.push(() -> NetNamespace.delete(sandboxDir, name));
        return new Sandbox(ns);
    }

    /** hosts, hostname and resolv.conf; {@code strict}: a broken --link fails (at start), else it is left out. */
    private void writeFiles(Path dir, ContainerRecord r, List<Attachment> attachments, boolean strict) throws IOException {
        List<ContainerFiles.HostEntry> extra = new ArrayList<>();
        for (String h : r.settings().extraHosts()) {
            ContainerFiles.HostEntry e = parseExtraHost(h);
            if (e.address().equals("host-gateway")) e = new ContainerFiles.HostEntry(hostGateway(), e.names());
            extra.add(e);
        }
        // Docker lists links after --add-host: the alias, the linked container's hostname and its name.
        for (LegacyLink l : legacyLinks(r, attachments, strict)) {
            List<String> names = Links.hostNames(l.alias(), l.target().settings().hostname(), l.target().name());
            if (!l.endpoint().ipv4().isEmpty()) extra.add(new ContainerFiles.HostEntry(l.endpoint().ipv4(), names));
            if (!l.endpoint().ipv6().isEmpty()) extra.add(new ContainerFiles.HostEntry(l.endpoint().ipv6(), names));
        }
        List<InetAddress> self = new ArrayList<>();
        for (Attachment a : attachments) {
            if (!a.ipv4().isEmpty()) self.add(IpPrefix.parseAddress(a.ipv4()));
            if (!a.ipv6().isEmpty()) self.add(IpPrefix.parseAddress(a.ipv6()));
        }
        ContainerFiles.writeIdentity(dir, r.settings().hostname(), r.settings().domainname(), extra, self);
        String host = Files.exists(hostResolvConf) ? Files.readString(hostResolvConf) : "";
        ContainerFiles.writeResolvConf(dir, resolver.isAttached(r.id())
                ? ContainerFiles.embeddedResolvConf(host, dnsDefaults.search(r.settings()), dnsDefaults.options(r.settings()))
                : ContainerFiles.resolvConf(host, dnsDefaults.servers(r.settings()), dnsDefaults.search(r.settings()), dnsDefaults.options(r.settings()),
                        attachments.stream().anyMatch(a -> !a.ipv6().isEmpty())));
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
        List<String> servers = dnsDefaults.servers(r.settings()), search = dnsDefaults.search(r.settings()),
                options = dnsDefaults.options(r.settings());
        if (!servers.isEmpty() || !search.isEmpty() || !options.isEmpty())
            resolv = ContainerFiles.resolvConf(resolv, servers, search, options, false);
        ContainerFiles.writeResolvConf(dir, resolv);
    }

    // ------------------------------------------------------------------ exit, stop, kill

    /**
     * Marks a reader of the container's output (attach, logs --follow) until closed: an auto-remove
     * waits for it to drain what the process wrote last, or the files go before it reads them.
     */
    public AutoCloseable readingOutput(String id) {
        java.util.concurrent.atomic.AtomicInteger readers = outputReaders.computeIfAbsent(id, k -> new java.util.concurrent.atomic.AtomicInteger());
        readers.incrementAndGet();
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) readers.decrementAndGet();
        };
    }

    /** At most a few seconds: a client that stopped reading must not keep the container. */
    private void awaitOutputReaders(String id) {
        java.util.concurrent.atomic.AtomicInteger readers = outputReaders.get(id);
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(3).toNanos();
        try {
            while (readers != null && readers.get() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        outputReaders.remove(id);
    }

    /** The process is gone: free the network at once and record the exit. */
    private void exited(String id, int code) {
        ContainerRecord after;
        synchronized (lock(id)) {
            ContainerRecord r = byId.get(id);
            if (r == null || !r.state().running()) return;
            teardown(r);
            after = r.withNetwork(List.of(), "").withPorts(List.of()).withState(new RunState(Status.EXITED, 0, code, r.state().startedAt(), Instant.now(), ""));
            save(after);
        }
        CompletableFuture<Integer> waiter = nextExit.remove(id);
        if (waiter != null) waiter.complete(code);
        if (shouldRestart(after, code)) {
            int count = restartCounts.merge(id, 1, Integer::sum);
            long delayMs = Math.min(100L << Math.min(count - 1, 10), 60_000);
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(delayMs);
                    if (!stoppedByUser.contains(id) && byId.containsKey(id)) start(id);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "restart of " + id + " failed", e);
                }
            });
            return;
        }
        if (after.settings().autoRemove()) {
            awaitOutputReaders(id);
            try {
                remove(id, true);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "auto-remove of " + id + " failed", e);
            }
        }
    }

    /** Docker's restart policies: no, always, unless-stopped, on-failure[:max]. */
    private boolean shouldRestart(ContainerRecord r, int code) {
        if (stoppedByUser.contains(r.id()) || r.settings().autoRemove()) return false;
        String policy = r.settings().restartPolicy() == null ? "" : r.settings().restartPolicy();
        return switch (policy) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> code != 0 && (r.settings().restartRetries() <= 0
                    || restartCounts.getOrDefault(r.id(), 0) < r.settings().restartRetries());
            default -> false;
        };
    }

    /** Network and runtime state of a stopped process; deleting the sandbox takes the interfaces with it. */
    private void teardown(ContainerRecord r) {
        resolver.detach(r.id());
        try {
            ports.unpublish(r.id());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "unpublishing the ports of " + r.id() + " failed", e);
        }
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
        stoppedByUser.add(r.id());
        runtime.stop(r.id(), timeout);
        exit.join();
    }

    public void kill(String ref, int signal) {
        ContainerRecord r = require(ref);
        if (!r.state().running()) throw EngineException.conflict("Cannot kill container: " + ref + ": Container " + r.id() + " is not running");
        if (signal == 9 || signal == 15) stoppedByUser.add(r.id());
        runtime.kill(r.id(), signal);
    }

    /** Completes at the container's next exit (or when its next start fails). */
    public CompletableFuture<Integer> nextExit(String id) {
        return nextExit.computeIfAbsent(require(id).id(), k -> new CompletableFuture<>());
    }

    /**
     * Completes when the container is removed, with its last exit code: what `run --rm` waits on,
     * since a quick container can exit and be removed before its start request even returns.
     */
    public CompletableFuture<Integer> removal(String ref) {
        String id = require(ref).id();
        synchronized (lock(id)) {
            require(id);   // removed meanwhile: not found, as Docker answers
            return removal.computeIfAbsent(id, k -> new CompletableFuture<>());
        }
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
            stoppedByUser.add(r.id());
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
            changes.incrementAndGet();
            records.remove(r.id());
            locks.remove(r.id());
            stoppedByUser.remove(r.id());
            restartCounts.remove(r.id());
            CompletableFuture<Integer> waiter = removal.remove(r.id());
            if (waiter != null) waiter.complete(current.state().exitCode());
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
        Set<String> adopted = new HashSet<>();
        for (ContainerRecord r : List.copyOf(byId.values())) {
            Optional<RuntimeState> state = safeState(r.id());
            boolean alive = state.isPresent() && state.get().running();
            if (r.state().running() && alive) {
                for (Attachment a : r.attachments()) networks.adopt(a);
                if (!r.ports().isEmpty() && !r.attachments().isEmpty()) {
                    try {
                        ports.restore(r.id(), r.ports(), networks.interfaceName(r.attachments().getFirst().networkId()));
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "restoring the published ports of " + r.id() + " failed", e);
                    }
                }
                if (!r.sandboxName().isEmpty()) liveSandboxes.add(r.sandboxName());
                // The resolver's sockets died with the previous daemon: open them again.
                if (!r.sandboxName().isEmpty() && wantsResolver(r.attachments())) {
                    try {
                        attachResolver(r, r.sandboxName());
                    } catch (IOException | RuntimeException e) {
                        LOG.log(Level.WARNING, "dns resolver for " + r.id() + " after restart", e);
                    }
                }
                nextExit.computeIfAbsent(r.id(), k -> new CompletableFuture<>());
                String id = r.id();
                adopted.add(id);
                try {
                    runtime.adopt(id, r.state().pid());   // a terminal comes back from its holder
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "the terminal of " + id + " after restart", e);
                }
                runtime.onExit(id, r.state().pid(), code -> Thread.ofVirtual().start(() -> exited(id, code)));
                continue;
            }
            if (alive) runtime.kill(r.id(), 9);
            if (r.state().running() || state.isPresent() || !r.sandboxName().isEmpty()) {
                ContainerRecord cleaned = r.withNetwork(List.of(), "").withPorts(List.of());
                teardown(r);
                if (r.state().running())
                    cleaned = cleaned.withState(new RunState(Status.EXITED, 0, 255, r.state().startedAt(), Instant.now(), ""));
                save(cleaned);
            }
        }
        // The firewall's table was declared afresh: links between adopted containers are opened again.
        for (ContainerRecord r : byId.values()) {
            if (!r.state().running()) continue;
            try {
                allowLinks(r.attachments(), legacyLinks(r, r.attachments(), false));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "opening the links of " + r.id() + " after restart failed", e);
            }
        }
        for (String id : runtime.listIds()) {
            if (!byId.containsKey(id)) {
                try { runtime.delete(id); } catch (RuntimeException e) { LOG.log(Level.WARNING, "orphan runtime state " + id, e); }
            }
        }
        try {
            runtime.releaseHoldersExcept(adopted);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "killing the terminal holders of gone containers", e);
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
        // Links into an exec root that vanished under the previous daemon (its namespaces went with it).
        for (String name : NetNamespace.deleteDanglingLinks(sandboxDir)) LOG.log(Level.INFO, "removed dangling /run/netns/" + name);
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
