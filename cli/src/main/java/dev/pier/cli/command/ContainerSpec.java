package dev.pier.cli.command;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.pier.cli.CliError;
import dev.pier.cli.args.FlagSet;
import dev.pier.cli.args.Parsed;
import dev.pier.cli.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code run} and {@code create} send to {@code POST /containers/create}: Docker's flags turned into
 * the Config / HostConfig / NetworkingConfig document, validated before anything is sent.
 */
public record ContainerSpec(String name, String image, boolean detach, boolean autoRemove, boolean tty,
                            boolean interactive, boolean sigProxy, byte[] body) {

    /** The run/create flags, Docker's names and shorthands. */
    static FlagSet flags(String command, String description, boolean run) {
        FlagSet flags = new FlagSet(command, "[OPTIONS] IMAGE [COMMAND] [ARG...]", description).stopAtFirstPositional();
        if (run) {
            flags.bool("detach", 'd', "Run container in background and print container ID");
            flags.bool("sig-proxy", (char) 0, "Proxy received signals to the process (default true)");
            flags.aliases("pier container run, pier run");
        } else {
            flags.aliases("pier container create, pier create");
        }
        flags.string("name", (char) 0, "string", "Assign a name to the container")
                .bool("rm", (char) 0, "Automatically remove the container and its associated anonymous volumes when it exits")
                .string("hostname", 'h', "string", "Container host name")
                .string("domainname", (char) 0, "string", "Container NIS domain name")
                .list("network", (char) 0, "Connect a container to a network", "net")
                .list("env", 'e', "Set environment variables")
                .list("env-file", (char) 0, "Read in a file of environment variables")
                .string("workdir", 'w', "string", "Working directory inside the container")
                .string("entrypoint", (char) 0, "string", "Overwrite the default ENTRYPOINT of the image")
                .bool("interactive", 'i', "Keep STDIN open even if not attached")
                .bool("tty", 't', "Allocate a pseudo-TTY")
                .string("user", 'u', "string", "Username or UID (format: \"<name|uid>[:<group|gid>]\")")
                .string("restart", (char) 0, "string", "Restart policy to apply when a container exits (default \"no\")")
                .list("cap-add", (char) 0, "Add Linux capabilities")
                .list("cap-drop", (char) 0, "Drop Linux capabilities")
                .bool("privileged", (char) 0, "Give extended privileges to this container")
                .list("publish", 'p', "Publish a container's port(s) to the host")
                .bool("publish-all", 'P', "Publish all exposed ports to random ports")
                .list("expose", (char) 0, "Expose a port or a range of ports")
                .string("ip", (char) 0, "string", "IPv4 address (e.g., 172.30.100.104)")
                .string("ip6", (char) 0, "string", "IPv6 address (e.g., 2001:db8::33)")
                .list("network-alias", (char) 0, "Add network-scoped alias for the container", "net-alias")
                .string("mac-address", (char) 0, "string", "Container MAC address (e.g., 92:d0:c6:0a:29:33)")
                .list("dns", (char) 0, "Set custom DNS servers")
                .list("dns-search", (char) 0, "Set custom DNS search domains")
                .list("dns-option", (char) 0, "Set DNS options", "dns-opt")
                .list("add-host", (char) 0, "Add a custom host-to-IP mapping (host:ip)")
                .list("link", (char) 0, "Add link to another container")
                .list("sysctl", (char) 0, "Sysctl options")
                .list("label", 'l', "Set meta data on a container")
                .list("label-file", (char) 0, "Read in a line delimited file of labels")
                .string("runtime", (char) 0, "string", "Runtime to use for this container")
                .list("volume", 'v', "Bind mount a volume");
        return flags;
    }

    /** The IPC namespace's parameters --sysctl may set (beside net.* and fs.mqueue.*), as Docker's CLI lists them. */
    private static final java.util.Set<String> IPC_SYSCTLS = java.util.Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
            "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    /** Validates the parsed flags and builds the create document. */
    static ContainerSpec from(Parsed p, boolean run, Map<String, String> environment) throws CliError {
        FlagSet flags = p.flagSet();
        p.minArgs(1);
        String command = flags.command();
        String image = p.arg(0);
        List<String> cmd = p.args().subList(1, p.args().size());
        boolean detach = run && p.bool("detach");
        boolean autoRemove = p.bool("rm");
        boolean tty = p.bool("tty");
        boolean interactive = p.bool("interactive");
        boolean sigProxy = !run || !p.isSet("sig-proxy") || p.bool("sig-proxy");

        if (image.isEmpty()) {
            throw runError(command, "invalid reference format");
        }

        // environment: files first, then -e, as Docker does
        List<String> env = new ArrayList<>();
        for (String file : p.list("env-file")) {
            env.addAll(readKeyValueFile(command, file, environment, true));
        }
        for (String e : p.list("env")) {
            int eq = e.indexOf('=');
            String key = eq < 0 ? e : e.substring(0, eq);
            if (key.isEmpty()) {
                throw flags.invalidArgument("env", e, "invalid environment variable: " + e);
            }
            if (eq < 0 && environment.containsKey(key)) {
                env.add(key + "=" + environment.get(key));
            } else {
                env.add(e);
            }
        }

        Map<String, String> labels = new TreeMap<>();
        for (String file : p.list("label-file")) {
            for (String line : readKeyValueFile(command, file, environment, false)) {
                putLabel(labels, line);
            }
        }
        for (String label : p.list("label")) {
            if (label.isEmpty() || label.charAt(0) == '=') {
                throw flags.invalidArgument("label", label, "invalid label '" + label + "': empty name");
            }
            putLabel(labels, label);
        }

        // ports: -p bindings (sorted like Go's map encoding) and exposed ports
        Map<String, List<PortSpec.Binding>> portBindings = new TreeMap<>();
        Map<String, Boolean> exposed = new TreeMap<>();
        for (String spec : p.list("publish")) {
            List<PortSpec.Binding> bindings;
            try {
                bindings = PortSpec.parse(spec);
            } catch (IllegalArgumentException e) {
                throw runError(command, e.getMessage());
            }
            for (PortSpec.Binding binding : bindings) {
                List<PortSpec.Binding> list = portBindings.get(binding.port());
                if (list == null) {
                    list = new ArrayList<>();
                    portBindings.put(binding.port(), list);
                }
                list.add(binding);
                exposed.put(binding.port(), Boolean.TRUE);
            }
        }
        for (String spec : p.list("expose")) {
            try {
                for (String port : PortSpec.parseExpose(spec)) {
                    exposed.put(port, Boolean.TRUE);
                }
            } catch (IllegalArgumentException e) {
                throw runError(command, e.getMessage());
            }
        }

        List<String> networks = p.list("network");
        if (networks.size() > 1 && networks.stream().anyMatch(n -> !isUserDefined(n))) {
            throw runError(command, "conflicting options: cannot attach both user-defined and non-user-defined network-modes");
        }
        String networkMode = networks.isEmpty() ? "default" : networks.getFirst();
        String ip = p.string("ip");
        String ip6 = p.string("ip6");
        String mac = p.string("mac-address");
        List<String> aliases = p.list("network-alias");
        if (ip != null && !Addresses.isIpv4(ip)) {
            throw flags.invalidArgument("ip", ip, "invalid string being converted to IP address: " + ip);
        }
        if (ip6 != null && !Addresses.isIpv6(ip6)) {
            throw flags.invalidArgument("ip6", ip6, "invalid string being converted to IP address: " + ip6);
        }
        if (mac != null && !Addresses.isMac(mac)) {
            throw runError(command, mac + " is not a valid mac address");
        }
        if (!aliases.isEmpty() && !isUserDefined(networkMode)) {
            throw runError(command, "network-scoped aliases are only supported for user-defined networks");
        }
        for (String dns : p.list("dns")) {
            if (!Addresses.isIp(dns)) {
                throw flags.invalidArgument("dns", dns, "IP address is not correctly formatted: " + dns);
            }
        }
        List<String> extraHosts = new ArrayList<>();
        for (String host : p.list("add-host")) {
            extraHosts.add(validateExtraHost(flags, host));
        }
        for (String link : p.list("link")) {
            String[] parts = link.split(":", -1);
            if (parts.length > 2 || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
                throw flags.invalidArgument("link", link, "bad format for links: " + link);
            }
        }
        // Docker's CLI check: namespaced parameters only (net.*, fs.mqueue.*, the IPC ones).
        Map<String, String> sysctls = new TreeMap<>();
        for (String sysctl : p.list("sysctl")) {
            int eq = sysctl.indexOf('=');
            String key = eq < 0 ? sysctl : sysctl.substring(0, eq);
            boolean allowed = key.startsWith("net.") || key.startsWith("fs.mqueue.") || IPC_SYSCTLS.contains(key);
            if (eq < 0 || !allowed) {
                throw flags.invalidArgument("sysctl", sysctl, "sysctl '" + sysctl + "' is not whitelisted");
            }
            sysctls.put(key, sysctl.substring(eq + 1));
        }
        String restart = p.string("restart", "no");
        String restartName = restart;
        long maxRetries = 0;
        int colon = restart.indexOf(':');
        if (colon >= 0) {
            restartName = restart.substring(0, colon);
            try {
                maxRetries = Long.parseLong(restart.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw runError(command, "invalid restart policy format: maximum retry count must be an integer");
            }
            if (!restartName.equals("on-failure")) {
                throw runError(command, "invalid restart policy: maximum retry count can only be used with 'on-failure'");
            }
            if (maxRetries < 0) {
                throw runError(command, "invalid restart policy: maximum retry count cannot be negative");
            }
        }
        switch (restartName) {
            case "", "no", "always", "unless-stopped", "on-failure" -> {
            }
            default -> throw runError(command, "invalid restart policy: unknown policy '" + restartName
                    + "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
        }
        if (restartName.isEmpty()) {
            restartName = "no";
        }
        if (autoRemove && !restartName.equals("no")) {
            throw runError(command, "conflicting options: cannot specify both --restart and --rm");
        }
        String workdir = p.string("workdir");
        if (workdir != null && !workdir.isEmpty() && !workdir.startsWith("/")) {
            throw runError(command, "the working directory '" + workdir + "' is invalid, it needs to be an absolute path");
        }

        boolean attach = !detach && run;
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);
            JsonGenerator g = Json.factory().createGenerator(buffer);
            g.writeStartObject();
            g.writeStringField("Hostname", p.string("hostname", ""));
            g.writeStringField("Domainname", p.string("domainname", ""));
            g.writeStringField("User", p.string("user", ""));
            g.writeBooleanField("AttachStdin", attach && interactive);
            g.writeBooleanField("AttachStdout", attach);
            g.writeBooleanField("AttachStderr", attach);
            if (!exposed.isEmpty()) {
                g.writeObjectFieldStart("ExposedPorts");
                for (String port : exposed.keySet()) {
                    g.writeObjectFieldStart(port);
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeBooleanField("Tty", tty);
            g.writeBooleanField("OpenStdin", interactive);
            g.writeBooleanField("StdinOnce", attach && interactive);
            writeStrings(g, "Env", env, false);
            writeStrings(g, "Cmd", cmd, true);
            g.writeStringField("Image", image);
            g.writeStringField("WorkingDir", workdir == null ? "" : workdir);
            String entrypoint = p.string("entrypoint");
            if (entrypoint == null) {
                g.writeNullField("Entrypoint");
            } else {
                g.writeArrayFieldStart("Entrypoint");
                g.writeString(entrypoint); // "" resets the image's entrypoint, as in Docker
                g.writeEndArray();
            }
            g.writeObjectFieldStart("Labels");
            for (Map.Entry<String, String> label : labels.entrySet()) {
                g.writeStringField(label.getKey(), label.getValue());
            }
            g.writeEndObject();

            g.writeObjectFieldStart("HostConfig");
            writeStrings(g, "Binds", p.list("volume"), true);
            if (!sysctls.isEmpty()) {
                g.writeObjectFieldStart("Sysctls");
                for (Map.Entry<String, String> sysctl : sysctls.entrySet()) {
                    g.writeStringField(sysctl.getKey(), sysctl.getValue());
                }
                g.writeEndObject();
            }
            g.writeStringField("NetworkMode", networkMode);
            g.writeObjectFieldStart("PortBindings");
            for (Map.Entry<String, List<PortSpec.Binding>> entry : portBindings.entrySet()) {
                g.writeArrayFieldStart(entry.getKey());
                for (PortSpec.Binding binding : entry.getValue()) {
                    g.writeStartObject();
                    g.writeStringField("HostIp", binding.hostIp());
                    g.writeStringField("HostPort", binding.hostPort());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeObjectFieldStart("RestartPolicy");
            g.writeStringField("Name", restartName);
            g.writeNumberField("MaximumRetryCount", maxRetries);
            g.writeEndObject();
            g.writeBooleanField("AutoRemove", autoRemove);
            writeStrings(g, "CapAdd", p.list("cap-add"), true);
            writeStrings(g, "CapDrop", p.list("cap-drop"), true);
            writeStrings(g, "Dns", p.list("dns"), false);
            writeStrings(g, "DnsOptions", p.list("dns-option"), false);
            writeStrings(g, "DnsSearch", p.list("dns-search"), false);
            writeStrings(g, "ExtraHosts", extraHosts, true);
            writeStrings(g, "Links", p.list("link"), true);
            g.writeBooleanField("Privileged", p.bool("privileged"));
            g.writeBooleanField("PublishAllPorts", p.bool("publish-all"));
            String runtime = p.string("runtime");
            if (runtime != null) {
                g.writeStringField("Runtime", runtime);
            }
            g.writeEndObject();

            g.writeObjectFieldStart("NetworkingConfig");
            g.writeObjectFieldStart("EndpointsConfig");
            boolean endpointSettings = ip != null || ip6 != null || mac != null || !aliases.isEmpty();
            if (endpointSettings || networks.size() > 1) {
                for (int i = 0; i < Math.max(1, networks.size()); i++) {
                    String network = i == 0 ? networkMode : networks.get(i);
                    g.writeObjectFieldStart(network);
                    if (i == 0) {
                        if (ip != null || ip6 != null) {
                            g.writeObjectFieldStart("IPAMConfig");
                            if (ip != null) {
                                g.writeStringField("IPv4Address", ip);
                            }
                            if (ip6 != null) {
                                g.writeStringField("IPv6Address", ip6);
                            }
                            g.writeEndObject();
                        }
                        if (!aliases.isEmpty()) {
                            writeStrings(g, "Aliases", aliases, false);
                        }
                        if (mac != null) {
                            g.writeStringField("MacAddress", mac);
                        }
                    }
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
            g.close();
            return new ContainerSpec(p.string("name", ""), image, detach, autoRemove, tty, interactive, sigProxy,
                    buffer.toByteArray());
        } catch (IOException e) {
            throw new CliError.Failure("pier: cannot encode the request: " + e.getMessage(), 125);
        }
    }

    private static void putLabel(Map<String, String> labels, String label) {
        int eq = label.indexOf('=');
        if (eq < 0) {
            labels.put(label, "");
        } else {
            labels.put(label.substring(0, eq), label.substring(eq + 1));
        }
    }

    private static void writeStrings(JsonGenerator g, String field, List<String> values, boolean nullWhenEmpty)
            throws IOException {
        if (values.isEmpty() && nullWhenEmpty) {
            g.writeNullField(field);
            return;
        }
        g.writeArrayFieldStart(field);
        for (String value : values) {
            g.writeString(value);
        }
        g.writeEndArray();
    }

    /** {@code host:ip} or {@code host=ip}, the IP checked (or the special {@code host-gateway}). */
    private static String validateExtraHost(FlagSet flags, String value) throws CliError.Usage {
        int eq = value.indexOf('=');
        int sep = eq >= 0 ? eq : value.indexOf(':');
        if (sep <= 0) {
            throw flags.invalidArgument("add-host", value, "bad format for add-host: \"" + value + "\"");
        }
        String name = value.substring(0, sep);
        String ip = value.substring(sep + 1);
        if (ip.startsWith("[") && ip.endsWith("]")) {
            ip = ip.substring(1, ip.length() - 1);
        }
        if (!ip.equals("host-gateway") && !Addresses.isIp(ip)) {
            throw flags.invalidArgument("add-host", value, "invalid IP address in add-host: \"" + ip + "\"");
        }
        return name + ":" + ip;
    }

    static boolean isUserDefined(String networkMode) {
        return !(networkMode.equals("default") || networkMode.equals("bridge") || networkMode.equals("host")
                || networkMode.equals("none") || networkMode.startsWith("container:"));
    }

    /** A run/create error in Docker's layout: {@code pier: <msg>} then the help hint; exit 125. */
    static CliError.Failure runError(String command, String message) {
        return new CliError.Failure("pier: " + message + "\n\nRun 'pier " + command + " --help' for more information", 125);
    }

    /**
     * Docker's env/label file format: one KEY=value per line, leading whitespace trimmed, # comments;
     * a bare KEY takes its value from the local environment (env files only) or is dropped.
     */
    static List<String> readKeyValueFile(String command, String file, Map<String, String> environment, boolean lookup)
            throws CliError.Failure {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw runError(command, "open " + file + ": no such file or directory");
        } catch (IOException e) {
            throw runError(command, "open " + file + ": " + e.getMessage());
        }
        List<String> result = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            line = line.stripLeading();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String variable = (eq < 0 ? line : line.substring(0, eq)).stripLeading();
            for (int k = 0; k < variable.length(); k++) {
                if (Character.isWhitespace(variable.charAt(k))) {
                    throw runError(command, "poorly formatted environment: variable '" + variable + "' contains whitespaces");
                }
            }
            if (variable.isEmpty()) {
                throw runError(command, "poorly formatted environment: no variable name on line '" + line + "'");
            }
            if (eq >= 0) {
                result.add(variable + "=" + line.substring(eq + 1));
            } else if (lookup && environment.containsKey(variable)) {
                result.add(variable + "=" + environment.get(variable));
            }
        }
        return result;
    }
}
