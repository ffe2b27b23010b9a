package dev.pier.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pier.ipam.AddressPool;
import dev.pier.ipam.IpamException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The table of daemon settings and the two readers that fill it: command-line flags (Go pflag's syntax, as
 * dockerd takes them) and daemon.json. Both produce raw values keyed by the daemon.json key, so precedence
 * and conflict checks compare like with like; {@link DaemonConfig} then validates the merged values.
 */
final class DaemonOptions {

    private DaemonOptions() {}

    enum Kind { STRING, BOOL, INT, LIST, POOLS, RUNTIMES }

    /** One setting: its daemon.json key, its flag (long name, optional shorthand) and how to read it. */
    record Setting(String key, String flag, char shorthand, Kind kind, String valueName, String help) {

        String flagDisplay() {
            return "--" + flag;
        }
    }

    static final String CONFIG_FILE_FLAG = "config-file";

    static final List<Setting> SETTINGS = List.of(
            new Setting("hosts", "host", 'H', Kind.LIST, "list", "Daemon socket(s) to listen on (default [unix:///run/pier/pier.sock])"),
            new Setting("data-root", "data-root", '\0', Kind.STRING, "string", "Root directory of persistent state (default \"/var/lib/pier\")"),
            new Setting("exec-root", "exec-root", '\0', Kind.STRING, "string", "Root directory of execution state (default \"/run/pier\")"),
            new Setting("bridge-name", "bridge-name", '\0', Kind.STRING, "string", "Interface Pier creates for the default bridge network (default \"pier0\")"),
            new Setting("bridge", "bridge", 'b', Kind.STRING, "string", "Attach the default network to this existing bridge instead; \"none\" disables it"),
            new Setting("bip", "bip", '\0', Kind.STRING, "string", "Address and prefix of the default bridge, e.g. 172.17.0.1/16"),
            new Setting("fixed-cidr", "fixed-cidr", '\0', Kind.STRING, "string", "IPv4 subnet for container addresses on the default bridge"),
            new Setting("fixed-cidr-v6", "fixed-cidr-v6", '\0', Kind.STRING, "string", "IPv6 subnet for container addresses on the default bridge"),
            new Setting("ipv6", "ipv6", '\0', Kind.BOOL, "", "Enable IPv6 on the default bridge network"),
            new Setting("mtu", "mtu", '\0', Kind.INT, "int", "MTU of the default bridge network (default 1500)"),
            new Setting("default-gateway", "default-gateway", '\0', Kind.STRING, "ip", "Default IPv4 gateway of containers on the default bridge"),
            new Setting("default-gateway-v6", "default-gateway-v6", '\0', Kind.STRING, "ip", "Default IPv6 gateway of containers on the default bridge"),
            new Setting("dns", "dns", '\0', Kind.LIST, "list", "DNS server for containers"),
            new Setting("dns-search", "dns-search", '\0', Kind.LIST, "list", "DNS search domain for containers"),
            new Setting("dns-opts", "dns-opt", '\0', Kind.LIST, "list", "DNS option for containers"),
            new Setting("resolv-conf", "resolv-conf", '\0', Kind.STRING, "string", "The host's resolver configuration containers start from (default \"/etc/resolv.conf\")"),
            new Setting("iptables", "iptables", '\0', Kind.BOOL, "", "Manage Pier's nftables rules (default true)"),
            new Setting("ip-forward", "ip-forward", '\0', Kind.BOOL, "", "Enable net.ipv4.ip_forward (default true)"),
            new Setting("ip-masq", "ip-masq", '\0', Kind.BOOL, "", "Masquerade traffic leaving the default bridge (default true)"),
            new Setting("icc", "icc", '\0', Kind.BOOL, "", "Let containers on the default bridge talk to each other (default true)"),
            new Setting("userland-proxy", "userland-proxy", '\0', Kind.BOOL, "", "Accepted for Docker compatibility and ignored: Pier publishes ports in the kernel"),
            new Setting("default-address-pools", "default-address-pool", '\0', Kind.POOLS, "base=CIDR,size=N", "Pool networks are carved from when no subnet is given"),
            new Setting("default-runtime", "default-runtime", '\0', Kind.STRING, "string", "OCI runtime for containers (default \"runc\")"),
            new Setting("runtimes", "add-runtime", '\0', Kind.RUNTIMES, "name=path", "Register an additional OCI runtime"),
            new Setting("tls", "tls", '\0', Kind.BOOL, "", "Use TLS; implied by --tlsverify"),
            new Setting("tlsverify", "tlsverify", '\0', Kind.BOOL, "", "Use TLS and verify the remote"),
            new Setting("tlscacert", "tlscacert", '\0', Kind.STRING, "string", "Trust certs signed only by this CA (default \"/etc/pier/tls/ca.pem\")"),
            new Setting("tlscert", "tlscert", '\0', Kind.STRING, "string", "Path to TLS certificate file (default \"/etc/pier/tls/cert.pem\")"),
            new Setting("tlskey", "tlskey", '\0', Kind.STRING, "string", "Path to TLS key file (default \"/etc/pier/tls/key.pem\")"),
            new Setting("log-level", "log-level", 'l', Kind.STRING, "string", "Logging level: debug, info, warn, error, fatal (default \"info\")"),
            new Setting("debug", "debug", 'D', Kind.BOOL, "", "Enable debug mode"));

    private static final Map<String, Setting> BY_KEY = SETTINGS.stream()
            .collect(Collectors.toMap(Setting::key, s -> s, (a, b) -> a, LinkedHashMap::new));

    static Setting byKey(String key) {
        return BY_KEY.get(key);
    }

    // ------------------------------------------------------------------ flags

    /** What the command line said: raw values by daemon.json key, plus the flags that are not settings. */
    record Flags(Map<String, Object> values, String configFile, boolean help, boolean version) {}

    static Flags parseFlags(String[] args) {
        Map<String, Object> values = new LinkedHashMap<>();
        String configFile = null;
        boolean help = false;
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                if (i + 1 < args.length) {
                    throw new ConfigException("\"pierd\" accepts no arguments, got \"" + args[i + 1] + "\"");
                }
                break;
            }
            String name;
            String inline = null;
            boolean shorthand;
            if (arg.startsWith("--")) {
                shorthand = false;
                String body = arg.substring(2);
                int eq = body.indexOf('=');
                name = eq < 0 ? body : body.substring(0, eq);
                inline = eq < 0 ? null : body.substring(eq + 1);
                if (name.isEmpty()) {
                    throw new ConfigException("bad flag syntax: " + arg);
                }
            } else if (arg.startsWith("-") && arg.length() > 1) {
                shorthand = true;
                name = String.valueOf(arg.charAt(1));
                if (arg.length() > 2) {
                    inline = arg.charAt(2) == '=' ? arg.substring(3) : arg.substring(2);
                }
            } else {
                throw new ConfigException("\"pierd\" accepts no arguments, got \"" + arg + "\"");
            }

            if (isFlag(name, shorthand, "help", 'h') || isFlag(name, shorthand, "version", 'v')) {
                boolean isHelp = isFlag(name, shorthand, "help", 'h');
                boolean on = inline == null || parseBool(inline, isHelp ? "--help" : "--version");
                if (isHelp) {
                    help |= on;
                } else {
                    version |= on;
                }
                continue;
            }
            if (!shorthand && name.equals(CONFIG_FILE_FLAG)) {
                if (inline == null) {
                    if (i + 1 >= args.length) {
                        throw new ConfigException("flag needs an argument: --" + CONFIG_FILE_FLAG);
                    }
                    inline = args[++i];
                }
                configFile = inline;
                continue;
            }
            Setting setting = find(name, shorthand, arg);
            String shown = shorthand ? "-" + setting.shorthand() : setting.flagDisplay();
            String value;
            if (setting.kind() == Kind.BOOL) {
                // Like pflag, a boolean takes its value only after '=': "--iptables false" is two arguments.
                if (shorthand && inline != null && arg.charAt(2) != '=') {
                    throw new ConfigException("unknown shorthand flag: '" + arg.charAt(2) + "' in " + arg);
                }
                values.put(setting.key(), inline == null || parseBool(inline, shown));
                continue;
            }
            if (inline != null) {
                value = inline;
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new ConfigException(shorthand ? "flag needs an argument: '" + setting.shorthand() + "' in " + arg
                        : "flag needs an argument: " + arg);
            }
            store(values, setting, value, shown);
        }
        return new Flags(values, configFile, help, version);
    }

    private static boolean isFlag(String name, boolean shorthand, String longName, char shortName) {
        return shorthand ? name.charAt(0) == shortName : name.equals(longName);
    }

    private static Setting find(String name, boolean shorthand, String arg) {
        for (Setting s : SETTINGS) {
            if (shorthand ? s.shorthand() == name.charAt(0) : s.flag().equals(name)) {
                return s;
            }
        }
        throw new ConfigException(shorthand ? "unknown shorthand flag: '" + name + "' in " + arg : "unknown flag: --" + name);
    }

    @SuppressWarnings("unchecked")
    private static void store(Map<String, Object> values, Setting setting, String value, String shown) {
        switch (setting.kind()) {
            case STRING -> values.put(setting.key(), value);
            case INT -> {
                try {
                    values.put(setting.key(), Integer.parseInt(value));
                } catch (NumberFormatException e) {
                    throw new ConfigException("invalid argument \"" + value + "\" for \"" + shown + "\" flag: not an integer");
                }
            }
            case LIST -> ((List<String>) values.computeIfAbsent(setting.key(), k -> new ArrayList<String>())).add(value);
            case POOLS -> ((List<AddressPool>) values.computeIfAbsent(setting.key(), k -> new ArrayList<AddressPool>()))
                    .add(parsePoolFlag(value, shown));
            case RUNTIMES -> {
                int eq = value.indexOf('=');
                if (eq <= 0 || eq == value.length() - 1) {
                    throw new ConfigException("invalid argument \"" + value + "\" for \"" + shown + "\" flag: expected name=path");
                }
                String name = value.substring(0, eq);
                Map<String, RuntimeSpec> runtimes =
                        (Map<String, RuntimeSpec>) values.computeIfAbsent(setting.key(), k -> new LinkedHashMap<String, RuntimeSpec>());
                if (runtimes.putIfAbsent(name, new RuntimeSpec(value.substring(eq + 1), List.of())) != null) {
                    throw new ConfigException("runtime \"" + name + "\" is given twice with " + shown);
                }
            }
            case BOOL -> throw new IllegalStateException("booleans are handled by the caller");
        }
    }

    /** {@code base=10.10.0.0/16,size=24}, the flag form of one default-address-pools entry. */
    private static AddressPool parsePoolFlag(String value, String shown) {
        String base = null;
        Integer size = null;
        for (String field : value.split(",", -1)) {
            int eq = field.indexOf('=');
            String k = eq < 0 ? field : field.substring(0, eq).strip();
            String v = eq < 0 ? "" : field.substring(eq + 1).strip();
            switch (k) {
                case "base" -> base = v;
                case "size" -> {
                    try {
                        size = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw new ConfigException("invalid argument \"" + value + "\" for \"" + shown + "\" flag: size \"" + v + "\" is not an integer");
                    }
                }
                default -> throw new ConfigException("invalid argument \"" + value + "\" for \"" + shown
                        + "\" flag: unexpected field \"" + k + "\", expected base=CIDR,size=N");
            }
        }
        if (base == null || size == null) {
            throw new ConfigException("invalid argument \"" + value + "\" for \"" + shown + "\" flag: expected base=CIDR,size=N");
        }
        return pool(base, size, "invalid argument \"" + value + "\" for \"" + shown + "\" flag: ");
    }

    private static AddressPool pool(String base, int size, String errorPrefix) {
        try {
            return AddressPool.of(base, size);
        } catch (IpamException e) {
            throw new ConfigException(errorPrefix + e.getMessage());
        }
    }

    /** Go's strconv.ParseBool, which pflag uses. */
    private static boolean parseBool(String text, String shown) {
        return switch (text) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw new ConfigException("invalid argument \"" + text + "\" for \"" + shown + "\" flag: expected true or false");
        };
    }

    // ------------------------------------------------------------------ daemon.json

    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    /**
     * Raw values of the file, by key; empty if the file is missing and {@code mustExist} is false. Errors
     * are prefixed the way Docker prefixes them: {@code unable to configure the Pier daemon with file F: }.
     */
    static Map<String, Object> readFile(Path file, boolean mustExist) {
        String prefix = "unable to configure the Pier daemon with file " + file + ": ";
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (mustExist) {
                throw new ConfigException(prefix + "open " + file + ": no such file or directory");
            }
            return Map.of();
        } catch (IOException e) {
            throw new ConfigException(prefix + e.getMessage());
        }
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return Map.of();
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            throw new ConfigException(prefix + "invalid JSON" + (where == null ? "" : " at line " + where.getLineNr()
                    + ", column " + where.getColumnNr()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(prefix + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(prefix + "the file must hold a JSON object");
        }
        Set<String> unknown = new TreeSet<>();
        root.fieldNames().forEachRemaining(k -> {
            if (!BY_KEY.containsKey(k)) {
                unknown.add(k);
            }
        });
        if (!unknown.isEmpty()) {
            throw new ConfigException(prefix + "the following directives don't match any configuration option: " + String.join(", ", unknown));
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Setting setting : SETTINGS) {
            JsonNode node = root.get(setting.key());
            if (node != null) {
                values.put(setting.key(), fromJson(setting, node, prefix));
            }
        }
        return values;
    }

    private static Object fromJson(Setting s, JsonNode node, String prefix) {
        return switch (s.kind()) {
            case STRING -> {
                if (!node.isTextual()) {
                    throw typeError(s, "a string", node, prefix);
                }
                yield node.textValue();
            }
            case BOOL -> {
                if (!node.isBoolean()) {
                    throw typeError(s, "true or false", node, prefix);
                }
                yield node.booleanValue();
            }
            case INT -> {
                if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                    throw typeError(s, "an integer", node, prefix);
                }
                yield node.intValue();
            }
            case LIST -> stringList(s.key(), node, prefix);
            case POOLS -> {
                if (!node.isArray()) {
                    throw typeError(s, "an array of {\"base\": CIDR, \"size\": N}", node, prefix);
                }
                List<AddressPool> pools = new ArrayList<>();
                for (JsonNode entry : node) {
                    JsonNode base = entry.get("base");
                    JsonNode size = entry.get("size");
                    if (!entry.isObject() || entry.size() != 2 || base == null || !base.isTextual() || size == null
                            || !size.isIntegralNumber() || !size.canConvertToInt()) {
                        throw typeError(s, "an array of {\"base\": CIDR, \"size\": N}", node, prefix);
                    }
                    pools.add(pool(base.textValue(), size.intValue(), prefix + "invalid default-address-pools: "));
                }
                yield pools;
            }
            case RUNTIMES -> {
                if (!node.isObject()) {
                    throw typeError(s, "an object of name: {\"path\": ..., \"runtimeArgs\": [...]}", node, prefix);
                }
                Map<String, RuntimeSpec> runtimes = new LinkedHashMap<>();
                for (var field : node.properties()) {
                    JsonNode spec = field.getValue();
                    JsonNode path = spec.get("path");
                    Set<String> keys = new TreeSet<>();
                    spec.fieldNames().forEachRemaining(keys::add);
                    keys.removeAll(Set.of("path", "runtimeArgs"));
                    if (!spec.isObject() || path == null || !path.isTextual() || !keys.isEmpty()) {
                        throw new ConfigException(prefix + "invalid runtimes entry \"" + field.getKey()
                                + "\": expected {\"path\": ..., \"runtimeArgs\": [...]}, got " + spec);
                    }
                    JsonNode args = spec.get("runtimeArgs");
                    List<String> runtimeArgs = args == null ? List.of() : stringList("runtimes." + field.getKey() + ".runtimeArgs", args, prefix);
                    try {
                        runtimes.put(field.getKey(), new RuntimeSpec(path.textValue(), runtimeArgs));
                    } catch (ConfigException e) {
                        throw new ConfigException(prefix + "invalid runtimes entry \"" + field.getKey() + "\": " + e.getMessage());
                    }
                }
                yield runtimes;
            }
        };
    }

    private static List<String> stringList(String key, JsonNode node, String prefix) {
        List<String> out = new ArrayList<>();
        boolean ok = node.isArray();
        if (ok) {
            for (JsonNode item : node) {
                ok &= item.isTextual();
                out.add(item.asText());
            }
        }
        if (!ok) {
            throw new ConfigException(prefix + "invalid value for " + key + ": expected an array of strings, got " + node);
        }
        return out;
    }

    private static ConfigException typeError(Setting s, String expected, JsonNode got, String prefix) {
        return new ConfigException(prefix + "invalid value for " + s.key() + ": expected " + expected + ", got " + got);
    }

    // ------------------------------------------------------------------ conflicts and help

    /** Docker refuses a setting given both ways, whatever the values. */
    static void checkConflicts(Map<String, Object> flags, Map<String, Object> file, Path configFile) {
        List<String> conflicts = new ArrayList<>();
        for (Setting s : SETTINGS) {
            if (flags.containsKey(s.key()) && file.containsKey(s.key())) {
                conflicts.add(s.key() + ": (from flag: " + show(flags.get(s.key())) + ", from file: " + show(file.get(s.key())) + ")");
            }
        }
        if (!conflicts.isEmpty()) {
            throw new ConfigException("unable to configure the Pier daemon with file " + configFile
                    + ": the following directives are specified both as a flag and in the configuration file: " + String.join(", ", conflicts));
        }
    }

    /** Go's %v: lists as [a b], maps as map[k:v]. */
    private static String show(Object value) {
        return switch (value) {
            case List<?> list -> list.stream().map(DaemonOptions::show).collect(Collectors.joining(" ", "[", "]"));
            case Map<?, ?> map -> map.entrySet().stream().map(e -> e.getKey() + ":" + show(e.getValue()))
                    .collect(Collectors.joining(" ", "map[", "]"));
            default -> String.valueOf(value);
        };
    }

    static String usage(String defaultConfigFile) {
        record Line(String names, String help) {}
        List<Line> lines = new ArrayList<>();
        for (Setting s : SETTINGS) {
            String names = (s.shorthand() == '\0' ? "    " : "-" + s.shorthand() + ", ") + s.flagDisplay()
                    + (s.valueName().isEmpty() ? "" : " " + s.valueName());
            lines.add(new Line(names, s.help()));
        }
        lines.add(new Line("    --" + CONFIG_FILE_FLAG + " string", "Daemon configuration file (default \"" + defaultConfigFile + "\")"));
        lines.add(new Line("-h, --help", "Print usage"));
        lines.add(new Line("-v, --version", "Print version information and quit"));
        lines.sort(Comparator.comparing(l -> l.names().substring(l.names().indexOf("--"))));
        int width = lines.stream().mapToInt(l -> l.names().length()).max().orElse(0) + 3;
        StringBuilder out = new StringBuilder();
        out.append("Usage:\tpierd [OPTIONS]\n\n");
        out.append("Pier, a Docker-compatible container engine whose heart is networking.\n\n");
        out.append("Settings can also be given in the configuration file, keyed as in Docker's daemon.json;\n");
        out.append("a setting may not be given both ways.\n\nOptions:\n");
        for (Line l : lines) {
            out.append("  ").append(l.names()).append(" ".repeat(width - l.names().length())).append(l.help()).append('\n');
        }
        return out.toString();
    }
}
