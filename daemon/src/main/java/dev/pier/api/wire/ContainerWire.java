package dev.pier.api.wire;

import dev.pier.engine.ContainerRecord;
import dev.pier.engine.ContainerRecord.Attachment;
import dev.pier.engine.ContainerRecord.Settings;
import dev.pier.engine.NetworkMode;
import dev.pier.ports.PortRequest;
import dev.pier.ports.PublishedPort;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.pier.api.wire.Wire.map;
import static dev.pier.api.wire.Wire.orEmpty;
import static dev.pier.api.wire.Wire.time;

/** Docker's container JSON: `inspect` (ContainerJSON) and `ps` (ContainerSummary). */
public final class ContainerWire {
    private ContainerWire() {}

    /** `--link db:alias` as Docker shows it: {@code /db:/web/alias} (the alias is the name when none is given). */
    static List<String> links(String containerName, List<String> links) {
        List<String> out = new java.util.ArrayList<>();
        for (String link : links) {
            int colon = link.indexOf(':');
            String target = (colon < 0 ? link : link.substring(0, colon));
            String alias = colon < 0 ? target : link.substring(colon + 1);
            target = target.startsWith("/") ? target.substring(1) : target;
            alias = alias.startsWith("/") ? alias.substring(1) : alias;
            out.add("/" + target + ":/" + containerName + "/" + alias);
        }
        return out;
    }

    public static String status(ContainerRecord r) {
        return switch (r.state().status()) {
            case CREATED -> "created";
            case RUNNING -> "running";
            case EXITED -> "exited";
            case REMOVING -> "removing";
            case DEAD -> "dead";
        };
    }

    /** `ps`'s STATUS column text: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created". */
    public static String statusText(ContainerRecord r, Instant now) {
        return switch (r.state().status()) {
            case RUNNING -> "Up " + human(Duration.between(r.state().startedAt(), now));
            case EXITED -> "Exited (" + r.state().exitCode() + ") " + human(Duration.between(r.state().finishedAt(), now)) + " ago";
            case CREATED -> "Created";
            case REMOVING -> "Removal In Progress";
            case DEAD -> "Dead";
        };
    }

    /** Go's units.HumanDuration. */
    static String human(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 1) return "Less than a second";
        if (s == 1) return "1 second";
        if (s < 60) return s + " seconds";
        long m = s / 60;
        if (m == 1) return "About a minute";
        if (m < 60) return m + " minutes";
        long h = Math.round(s / 3600.0);
        if (h == 1) return "About an hour";
        if (h < 48) return h + " hours";
        if (h < 24 * 7 * 2) return h / 24 + " days";
        if (h < 24 * 30 * 2) return h / 24 / 7 + " weeks";
        if (h < 24 * 365 * 2) return h / 24 / 30 + " months";
        return h / 24 / 365 + " years";
    }

    public static Map<String, Object> summary(ContainerRecord r, Instant now) {
        Map<String, Object> m = map();
        m.put("Id", r.id());
        m.put("Names", List.of("/" + r.name()));
        m.put("Image", r.imageName());
        m.put("ImageID", r.imageId());
        m.put("Command", command(r.settings().args()));
        m.put("Created", r.created().getEpochSecond());
        m.put("Ports", summaryPorts(r));
        m.put("Labels", r.settings().labels() == null ? Map.of() : r.settings().labels());
        m.put("State", status(r));
        m.put("Status", statusText(r, now));
        m.put("HostConfig", Map.of("NetworkMode", r.settings().networkMode()));
        Map<String, Object> nets = new LinkedHashMap<>();
        for (Attachment a : r.attachments()) nets.put(a.networkName(), endpoint(a));
        m.put("NetworkSettings", Map.of("Networks", nets));
        m.put("Mounts", List.of());
        return m;
    }

    public static Map<String, Object> inspect(ContainerRecord r, String hostsPath, String hostnamePath, String resolvPath,
                                              String logPath) {
        Settings s = r.settings();
        Map<String, Object> m = map();
        m.put("Id", r.id());
        m.put("Created", time(r.created()));
        m.put("Path", s.args().isEmpty() ? "" : s.args().getFirst());
        m.put("Args", s.args().size() > 1 ? s.args().subList(1, s.args().size()) : List.of());
        Map<String, Object> state = map();
        state.put("Status", status(r));
        state.put("Running", r.state().running());
        state.put("Paused", false);
        state.put("Restarting", false);
        state.put("OOMKilled", false);
        state.put("Dead", r.state().status() == ContainerRecord.Status.DEAD);
        state.put("Pid", r.state().pid());
        state.put("ExitCode", r.state().exitCode());
        state.put("Error", orEmpty(r.state().error()));
        state.put("StartedAt", time(r.state().startedAt()));
        state.put("FinishedAt", time(r.state().finishedAt()));
        m.put("State", state);
        m.put("Image", r.imageId());
        m.put("ResolvConfPath", resolvPath);
        m.put("HostnamePath", hostnamePath);
        m.put("HostsPath", hostsPath);
        m.put("LogPath", logPath);
        m.put("Name", "/" + r.name());
        m.put("RestartCount", 0);
        m.put("Driver", "overlay2");
        m.put("Platform", "linux");
        m.put("MountLabel", "");
        m.put("ProcessLabel", "");
        m.put("AppArmorProfile", "");
        m.put("ExecIDs", null);
        Map<String, Object> host = map();
        host.put("NetworkMode", s.networkMode());
        host.put("PortBindings", portBindings(s));
        host.put("RestartPolicy", Map.of("Name", orEmpty(s.restartPolicy()).isEmpty() ? "no" : s.restartPolicy(),
                "MaximumRetryCount", s.restartRetries()));
        host.put("AutoRemove", s.autoRemove());
        host.put("CapAdd", s.capAdd());
        host.put("CapDrop", s.capDrop());
        host.put("Dns", s.dns());
        host.put("DnsOptions", s.dnsOptions());
        host.put("DnsSearch", s.dnsSearch());
        host.put("ExtraHosts", s.extraHosts());
        host.put("Links", links(r.name(), s.links()));
        if (!s.sysctls().isEmpty()) host.put("Sysctls", new java.util.TreeMap<>(s.sysctls()));
        host.put("Privileged", s.privileged());
        host.put("PublishAllPorts", s.publishAllPorts());
        host.put("Runtime", s.runtime());
        m.put("HostConfig", host);
        m.put("Mounts", List.of());
        Map<String, Object> config = map();
        config.put("Hostname", s.hostname());
        config.put("Domainname", orEmpty(s.domainname()));
        config.put("User", orEmpty(s.user()));
        config.put("AttachStdin", false);
        config.put("AttachStdout", false);
        config.put("AttachStderr", false);
        Map<String, Object> exposed = new LinkedHashMap<>();
        for (String p : s.exposedPorts()) exposed.put(p, Map.of());
        if (!exposed.isEmpty()) config.put("ExposedPorts", exposed);
        config.put("Tty", s.tty());
        config.put("OpenStdin", s.openStdin());
        config.put("StdinOnce", false);
        config.put("Env", s.env());
        config.put("Cmd", s.cmd());
        config.put("Image", r.imageName());
        config.put("Volumes", null);
        config.put("WorkingDir", orEmpty(s.workingDir()));
        config.put("Entrypoint", s.entrypoint());
        config.put("OnBuild", null);
        config.put("Labels", s.labels() == null ? Map.of() : s.labels());
        m.put("Config", config);
        m.put("NetworkSettings", networkSettings(r));
        return m;
    }

    private static Map<String, Object> networkSettings(ContainerRecord r) {
        Map<String, Object> ns = map();
        ns.put("Bridge", "");
        ns.put("SandboxID", r.sandboxName().isEmpty() ? "" : r.sandboxName());
        ns.put("HairpinMode", false);
        ns.put("LinkLocalIPv6Address", "");
        ns.put("LinkLocalIPv6PrefixLen", 0);
        ns.put("Ports", ports(r));
        ns.put("SandboxKey", r.sandboxName().isEmpty() ? "" : "/var/run/netns/" + r.sandboxName());
        ns.put("SecondaryIPAddresses", null);
        ns.put("SecondaryIPv6Addresses", null);
        Attachment bridge = r.attachments().stream().filter(a -> a.networkName().equals("bridge")).findFirst().orElse(null);
        ns.put("EndpointID", bridge == null ? "" : bridge.endpointId());
        ns.put("Gateway", bridge == null ? "" : bridge.gatewayV4());
        ns.put("GlobalIPv6Address", bridge == null ? "" : bridge.ipv6());
        ns.put("GlobalIPv6PrefixLen", bridge == null ? 0 : bridge.ipv6PrefixLength());
        ns.put("IPAddress", bridge == null ? "" : bridge.ipv4());
        ns.put("IPPrefixLen", bridge == null ? 0 : bridge.ipv4PrefixLength());
        ns.put("IPv6Gateway", bridge == null ? "" : bridge.gatewayV6());
        ns.put("MacAddress", bridge == null ? "" : bridge.mac());
        Map<String, Object> nets = new LinkedHashMap<>();
        NetworkMode mode = NetworkMode.parse(r.settings().networkMode());
        if (r.attachments().isEmpty()) {
            switch (mode) {
                case NetworkMode.Host h -> nets.put("host", emptyEndpoint());
                case NetworkMode.None n -> nets.put("none", emptyEndpoint());
                case NetworkMode.Attached a -> nets.put(a.network(), emptyEndpoint());
                case NetworkMode.Shared s -> {}
            }
        }
        for (Attachment a : r.attachments()) nets.put(a.networkName(), endpoint(a));
        ns.put("Networks", nets);
        return ns;
    }

    /** HostConfig.PortBindings as asked: {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}. */
    static Map<String, Object> portBindings(Settings s) {
        Map<String, Object> out = new TreeMap<>();
        for (PortRequest p : s.portBindings()) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) out.computeIfAbsent(p.key(), k -> new ArrayList<>());
            Map<String, Object> b = map();
            b.put("HostIp", p.hostIp());
            b.put("HostPort", p.hostPortText());
            list.add(b);
        }
        return out;
    }

    /**
     * NetworkSettings.Ports of a running container: every exposed port, with its host bindings or
     * null when it is not published; {} when it does not run.
     */
    static Map<String, Object> ports(ContainerRecord r) {
        Map<String, Object> out = new TreeMap<>();
        if (!r.state().running() || !(NetworkMode.parse(r.settings().networkMode()) instanceof NetworkMode.Attached)) return out;
        for (String key : r.settings().exposedPorts()) out.put(key, null);
        for (PublishedPort p : r.ports()) {
            @SuppressWarnings("unchecked")
            List<Object> list = out.get(p.key()) instanceof List<?> l ? (List<Object>) l : new ArrayList<>();
            Map<String, Object> b = map();
            b.put("HostIp", p.hostIpText());
            b.put("HostPort", Integer.toString(p.hostPort()));
            list.add(b);
            out.put(p.key(), list);
        }
        return out;
    }

    /** Docker's Command column: path and arguments, each argument with a space in single quotes. */
    static String command(List<String> args) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (i > 0) out.append(' ');
            out.append(i > 0 && arg.indexOf(' ') >= 0 ? "'" + arg + "'" : arg);
        }
        return out.toString();
    }

    /** The Ports list of /containers/json: published ports with their host side, exposed ones without. */
    static List<Object> summaryPorts(ContainerRecord r) {
        List<Object> out = new ArrayList<>();
        if (!r.state().running()) return out;
        for (Map.Entry<String, Object> e : ports(r).entrySet()) {
            int slash = e.getKey().indexOf('/');
            int privatePort = Integer.parseInt(e.getKey().substring(0, slash));
            String type = e.getKey().substring(slash + 1);
            if (e.getValue() == null) {
                Map<String, Object> p = map();
                p.put("PrivatePort", privatePort);
                p.put("Type", type);
                out.add(p);
                continue;
            }
            for (Object o : (List<?>) e.getValue()) {
                Map<?, ?> b = (Map<?, ?>) o;
                Map<String, Object> p = map();
                p.put("IP", b.get("HostIp"));
                p.put("PrivatePort", privatePort);
                p.put("PublicPort", Integer.parseInt((String) b.get("HostPort")));
                p.put("Type", type);
                out.add(p);
            }
        }
        return out;
    }

    private static Map<String, Object> emptyEndpoint() {
        Map<String, Object> e = map();
        e.put("IPAMConfig", null);
        e.put("Links", null);
        e.put("Aliases", null);
        e.put("NetworkID", "");
        e.put("EndpointID", "");
        e.put("Gateway", "");
        e.put("IPAddress", "");
        e.put("IPPrefixLen", 0);
        e.put("IPv6Gateway", "");
        e.put("GlobalIPv6Address", "");
        e.put("GlobalIPv6PrefixLen", 0);
        e.put("MacAddress", "");
        e.put("DriverOpts", null);
        return e;
    }

    static Map<String, Object> endpoint(Attachment a) {
        Map<String, Object> e = map();
        e.put("IPAMConfig", null);
        e.put("Links", null);
        e.put("Aliases", a.aliases().isEmpty() ? null : new ArrayList<>(a.aliases()));
        e.put("NetworkID", a.networkId());
        e.put("EndpointID", a.endpointId());
        e.put("Gateway", a.gatewayV4());
        e.put("IPAddress", a.ipv4());
        e.put("IPPrefixLen", a.ipv4PrefixLength());
        e.put("IPv6Gateway", a.gatewayV6());
        e.put("GlobalIPv6Address", a.ipv6());
        e.put("GlobalIPv6PrefixLen", a.ipv6PrefixLength());
        e.put("MacAddress", a.mac());
        e.put("DriverOpts", null);
        return e;
    }
}
