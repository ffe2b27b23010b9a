package dev.pier.config;

import dev.pier.ipam.AddressPool;
import dev.pier.ipam.AddressPools;
import dev.pier.ipam.IpAddresses;
import dev.pier.ipam.IpFamily;
import dev.pier.ipam.IpamException;
import dev.pier.ipam.InterfaceAddress;
import dev.pier.ipam.Subnet;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every daemon setting, validated, with Docker's defaults (Pier's paths and bridge name where Docker's
 * would collide with a Docker on the same host). Values come from flags and from daemon.json, named as
 * dockerd names them; a setting given both ways is refused, as Docker refuses it.
 *
 * <p>Settings Docker keeps as text stay text here (an unset one is {@code ""}), already checked and in
 * canonical form; typed views ({@link #bipAddress()}, {@link #fixedCidrSubnet()}, {@link #dnsServers()},
 * {@link #addressPools()}...) save callers from parsing them again.
 */
public record DaemonConfig(
        List<String> hosts,
        String dataRoot,
        String execRoot,
        String bridgeName,
        String bridge,
        String bip,
        String fixedCidr,
        String fixedCidrV6,
        boolean ipv6,
        int mtu,
        String defaultGateway,
        String defaultGatewayV6,
        List<String> dns,
        List<String> dnsSearch,
        List<String> dnsOpts,
        String resolvConf,
        boolean iptables,
        boolean ipForward,
        boolean ipMasq,
        boolean icc,
        boolean userlandProxy,
        List<AddressPool> defaultAddressPools,
        String defaultRuntime,
        Map<String, RuntimeSpec> runtimes,
        String configFile,
        boolean tls,
        boolean tlsVerify,
        String tlsCaCert,
        String tlsCert,
        String tlsKey,
        String logLevel,
        boolean debug) {

    public static final String DEFAULT_HOST = "unix:///run/pier/pier.sock";
    public static final String DEFAULT_DATA_ROOT = "/var/lib/pier";
    public static final String DEFAULT_EXEC_ROOT = "/run/pier";
    public static final String DEFAULT_BRIDGE_NAME = "pier0";
    public static final String DEFAULT_CONFIG_FILE = "/etc/pier/daemon.json";
    /**
     * Where the host's nameservers, search and options are read from. Docker has no such setting;
     * Pier's lets a test or an unusual host (a systemd-resolved upstream file) name another file.
     */
    public static final String DEFAULT_RESOLV_CONF = "/etc/resolv.conf";
    public static final int DEFAULT_MTU = 1500;
    /** The value of {@code bridge} that turns the default bridge network off. */
    public static final String NO_BRIDGE = "none";
    /** Runtimes Pier knows without {@code --add-runtime}: both come from Debian packages. */
    public static final Set<String> BUILTIN_RUNTIMES = Set.of("runc", "crun");

    private static final List<String> LOG_LEVELS = List.of("debug", "info", "warn", "error", "fatal");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.?");
    private static final Pattern RUNTIME_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    public DaemonConfig {
        hosts = List.copyOf(hosts);
        dns = List.copyOf(dns);
        dnsSearch = List.copyOf(dnsSearch);
        dnsOpts = List.copyOf(dnsOpts);
        defaultAddressPools = List.copyOf(defaultAddressPools);
        runtimes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(runtimes));
    }

    /** The result of reading the command line: run with a configuration, or print something and stop. */
    public sealed interface Invocation {
        record Run(DaemonConfig config) implements Invocation {}

        record Help(String text) implements Invocation {}

        record Version(String text) implements Invocation {}
    }

    /** Every default, no file read. */
    public static DaemonConfig defaults() {
        return build(Map.of(), DEFAULT_CONFIG_FILE);
    }

    /**
     * For {@code main}: the configuration from {@code args} and the config file (default
     * {@value #DEFAULT_CONFIG_FILE}, which may be missing). For {@code --help} or {@code --version} it prints
     * to standard output and returns null. Bad input throws {@link ConfigException}.
     */
    public static DaemonConfig parse(String[] args) {
        return switch (interpret(args, Path.of(DEFAULT_CONFIG_FILE))) {
            case Invocation.Run run -> run.config();
            case Invocation.Help help -> {
                System.out.print(help.text());
                yield null;
            }
            case Invocation.Version version -> {
                System.out.println(version.text());
                yield null;
            }
        };
    }

    /**
     * Reads {@code args} and the config file ({@code --config-file}, else {@code defaultConfigFile}, which
     * may be missing; an explicitly named file must exist). Flags and file are merged over the defaults;
     * a setting in both is an error, as in Docker. Prints nothing.
     */
    public static Invocation interpret(String[] args, Path defaultConfigFile) {
        DaemonOptions.Flags flags = DaemonOptions.parseFlags(args);
        if (flags.help()) {
            return new Invocation.Help(usage());
        }
        if (flags.version()) {
            return new Invocation.Version(versionText());
        }
        boolean explicit = flags.configFile() != null;
        if (explicit && flags.configFile().isEmpty()) {
            throw new ConfigException("--config-file needs a file name");
        }
        Path configFile = explicit ? Path.of(flags.configFile()) : defaultConfigFile;
        Map<String, Object> file = DaemonOptions.readFile(configFile, explicit);
        DaemonOptions.checkConflicts(flags.values(), file, configFile);
        Map<String, Object> merged = new HashMap<>(file);
        merged.putAll(flags.values());
        return new Invocation.Run(build(merged, configFile.toString()));
    }

    /** The text of {@code --help}. */
    public static String usage() {
        return DaemonOptions.usage(DEFAULT_CONFIG_FILE);
    }

    /** The text of {@code --version}. */
    public static String versionText() {
        return "pierd version " + version();
    }

    /** Pier's version from the jar's Maven metadata, "dev" when run from classes. */
    public static String version() {
        try (InputStream in = DaemonConfig.class.getResourceAsStream("/META-INF/maven/dev.pier/pierd/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "dev");
            }
        } catch (IOException e) {
            // fall through: the version is cosmetic
        }
        return "dev";
    }

    // ------------------------------------------------------------------ typed views

    /** {@code bridge} is {@value #NO_BRIDGE}: no default bridge network at all. */
    public boolean defaultBridgeDisabled() {
        return NO_BRIDGE.equals(bridge);
    }

    /** {@code bridge} names an existing host bridge the default network attaches to. */
    public boolean usesExistingBridge() {
        return !bridge.isEmpty() && !defaultBridgeDisabled();
    }

    /** The interface of the default bridge network: the existing one of {@code -b}, else {@code bridge-name}. */
    public String defaultBridgeInterface() {
        return usesExistingBridge() ? bridge : bridgeName;
    }

    public Optional<InterfaceAddress> bipAddress() {
        return bip.isEmpty() ? Optional.empty() : Optional.of(InterfaceAddress.parse(bip));
    }

    public Optional<Subnet> fixedCidrSubnet() {
        return fixedCidr.isEmpty() ? Optional.empty() : Optional.of(Subnet.parse(fixedCidr));
    }

    public Optional<Subnet> fixedCidrV6Subnet() {
        return fixedCidrV6.isEmpty() ? Optional.empty() : Optional.of(Subnet.parse(fixedCidrV6));
    }

    public Optional<InetAddress> defaultGatewayAddress() {
        return defaultGateway.isEmpty() ? Optional.empty() : Optional.of(IpAddresses.parse(defaultGateway));
    }

    public Optional<InetAddress> defaultGatewayV6Address() {
        return defaultGatewayV6.isEmpty() ? Optional.empty() : Optional.of(IpAddresses.parse(defaultGatewayV6));
    }

    public List<InetAddress> dnsServers() {
        return dns.stream().map(IpAddresses::parse).toList();
    }

    /** The pools for new networks' subnets; the IPv6 ULA pool is the one of an empty host ID. */
    public AddressPools addressPools() {
        return addressPools("");
    }

    /** The pools for new networks' subnets, the IPv6 ULA pool derived from {@code hostId} as Docker does. */
    public AddressPools addressPools(String hostId) {
        return AddressPools.of(defaultAddressPools, hostId);
    }

    /** TLS is on with {@code --tls} or {@code --tlsverify}. */
    public boolean tlsEnabled() {
        return tls || tlsVerify;
    }

    /** {@code debug} forces the debug level, as in Docker. */
    public String effectiveLogLevel() {
        return debug ? "debug" : logLevel;
    }

    // ------------------------------------------------------------------ building and validation

    @SuppressWarnings("unchecked")
    private static DaemonConfig build(Map<String, Object> v, String configFile) {
        List<String> hosts = hosts((List<String>) v.getOrDefault("hosts", List.of()));
        String dataRoot = absolutePath("data-root", (String) v.getOrDefault("data-root", DEFAULT_DATA_ROOT));
        String execRoot = absolutePath("exec-root", (String) v.getOrDefault("exec-root", DEFAULT_EXEC_ROOT));

        String bridgeName = (String) v.getOrDefault("bridge-name", DEFAULT_BRIDGE_NAME);
        checkInterfaceName("bridge-name", bridgeName);
        String bridge = (String) v.getOrDefault("bridge", "");
        if (!bridge.isEmpty() && !bridge.equals(NO_BRIDGE)) {
            checkInterfaceName("bridge", bridge);
        }
        if (!bridge.isEmpty() && v.containsKey("bip")) {
            throw new ConfigException("You specified -b & --bip, mutually exclusive options. Please specify only one");
        }
        if (!bridge.isEmpty() && v.containsKey("bridge-name")) {
            throw new ConfigException("bridge and bridge-name are mutually exclusive: bridge uses an existing interface, "
                    + "bridge-name names the one Pier creates");
        }

        InterfaceAddress bip = null;
        String bipText = (String) v.getOrDefault("bip", "");
        if (!bipText.isEmpty()) {
            bip = parse("bip", bipText, () -> InterfaceAddress.parse(bipText));
            if (bip.family() != IpFamily.IPV4) {
                throw new ConfigException("invalid bip " + bipText + ": must be an IPv4 address with its prefix, e.g. 172.17.0.1/16");
            }
            Subnet net = bip.subnet();
            if (net.hostBits() > 1 && (bip.address().equals(net.networkAddress()) || bip.address().equals(net.broadcastAddress()))) {
                throw new ConfigException("invalid bip " + bipText + ": " + IpAddresses.format(bip.address())
                        + " is the " + (bip.address().equals(net.networkAddress()) ? "network" : "broadcast")
                        + " address of " + net + ", not a usable gateway address");
            }
        }
        Subnet fixedCidr = subnet(v, "fixed-cidr", IpFamily.IPV4);
        if (fixedCidr != null && bip != null && !bip.subnet().contains(fixedCidr)) {
            throw new ConfigException("fixed-cidr " + fixedCidr + " is not inside the subnet of bip " + bip + " (" + bip.subnet() + ")");
        }
        Subnet fixedCidrV6 = subnet(v, "fixed-cidr-v6", IpFamily.IPV6);

        int mtu = (Integer) v.getOrDefault("mtu", DEFAULT_MTU);
        if (mtu < 68 || mtu > 65535) {
            throw new ConfigException("invalid MTU " + mtu + ": must be between 68 and 65535");
        }
        String defaultGateway = address(v, "default-gateway", IpFamily.IPV4);
        String defaultGatewayV6 = address(v, "default-gateway-v6", IpFamily.IPV6);

        List<String> dns = new ArrayList<>();
        for (String server : (List<String>) v.getOrDefault("dns", List.of())) {
            InetAddress ip = IpAddresses.tryParse(server)
                    .orElseThrow(() -> new ConfigException("invalid dns: IP address is not correctly formatted: " + server));
            dns.add(IpAddresses.format(ip));
        }
        List<String> dnsSearch = (List<String>) v.getOrDefault("dns-search", List.of());
        for (String domain : dnsSearch) {
            if (!domain.equals(".") && (domain.length() > 255 || !DOMAIN.matcher(domain).matches())) {
                throw new ConfigException("invalid dns-search: " + domain + " is not a valid domain");
            }
        }
        List<String> dnsOpts = (List<String>) v.getOrDefault("dns-opts", List.of());
        for (String opt : dnsOpts) {
            if (opt.isBlank() || opt.chars().anyMatch(Character::isWhitespace)) {
                throw new ConfigException("invalid dns-opt \"" + opt + "\": a resolv.conf option is one word, e.g. ndots:2");
            }
        }

        Map<String, RuntimeSpec> runtimes = (Map<String, RuntimeSpec>) v.getOrDefault("runtimes", Map.of());
        for (String name : runtimes.keySet()) {
            if (BUILTIN_RUNTIMES.contains(name)) {
                throw new ConfigException("runtime name '" + name + "' is reserved");
            }
            if (!RUNTIME_NAME.matcher(name).matches()) {
                throw new ConfigException("invalid runtime name \"" + name + "\": use letters, digits and _ . -");
            }
        }
        String defaultRuntime = (String) v.getOrDefault("default-runtime", "runc");
        if (!BUILTIN_RUNTIMES.contains(defaultRuntime) && !runtimes.containsKey(defaultRuntime)) {
            throw new ConfigException("default runtime " + defaultRuntime + " is not configured: use runc, crun or one added with "
                    + "--add-runtime or \"runtimes\"");
        }

        String logLevel = ((String) v.getOrDefault("log-level", "info")).toLowerCase(java.util.Locale.ROOT);
        if (!LOG_LEVELS.contains(logLevel)) {
            throw new ConfigException("unable to parse logging level: " + v.get("log-level"));
        }

        return new DaemonConfig(
                hosts, dataRoot, execRoot, bridgeName, bridge,
                bip == null ? "" : bip.toString(),
                fixedCidr == null ? "" : fixedCidr.toString(),
                fixedCidrV6 == null ? "" : fixedCidrV6.toString(),
                (Boolean) v.getOrDefault("ipv6", false), mtu, defaultGateway, defaultGatewayV6,
                dns, dnsSearch, dnsOpts,
                absolutePath("resolv-conf", (String) v.getOrDefault("resolv-conf", DEFAULT_RESOLV_CONF)),
                (Boolean) v.getOrDefault("iptables", true),
                (Boolean) v.getOrDefault("ip-forward", true),
                (Boolean) v.getOrDefault("ip-masq", true),
                (Boolean) v.getOrDefault("icc", true),
                (Boolean) v.getOrDefault("userland-proxy", true),
                (List<AddressPool>) v.getOrDefault("default-address-pools", List.of()),
                defaultRuntime, runtimes, configFile,
                (Boolean) v.getOrDefault("tls", false),
                (Boolean) v.getOrDefault("tlsverify", false),
                (String) v.getOrDefault("tlscacert", "/etc/pier/tls/ca.pem"),
                (String) v.getOrDefault("tlscert", "/etc/pier/tls/cert.pem"),
                (String) v.getOrDefault("tlskey", "/etc/pier/tls/key.pem"),
                logLevel,
                (Boolean) v.getOrDefault("debug", false));
    }

    /** Docker's accepted schemes; the API layer parses the rest of each address when it listens. */
    private static List<String> hosts(List<String> given) {
        if (given.isEmpty()) {
            return List.of(DEFAULT_HOST);
        }
        for (String host : given) {
            if (!(host.startsWith("unix://") || host.startsWith("tcp://") || host.startsWith("fd://"))) {
                throw new ConfigException("Invalid bind address format: " + host);
            }
        }
        return given;
    }

    private static String absolutePath(String key, String value) {
        if (value.isEmpty() || !value.startsWith("/")) {
            throw new ConfigException(key + " must be an absolute path: \"" + value + "\"");
        }
        return Path.of(value).normalize().toString();
    }

    /** Linux's dev_valid_name: 1 to 15 bytes, not "." or "..", no '/', ':' or white space. */
    private static void checkInterfaceName(String key, String name) {
        boolean valid = !name.isEmpty() && name.getBytes(StandardCharsets.UTF_8).length <= 15 && !name.equals(".")
                && !name.equals("..") && name.chars().noneMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c));
        if (!valid) {
            throw new ConfigException("invalid " + key + " \"" + name + "\": an interface name is 1 to 15 characters "
                    + "without '/', ':' or spaces");
        }
    }

    private static Subnet subnet(Map<String, Object> v, String key, IpFamily family) {
        String text = (String) v.getOrDefault(key, "");
        if (text.isEmpty()) {
            return null;
        }
        Subnet subnet = parse(key, text, () -> Subnet.parse(text));
        if (subnet.family() != family) {
            throw new ConfigException("invalid " + key + " " + text + ": must be an " + family + " subnet");
        }
        return subnet;
    }

    private static String address(Map<String, Object> v, String key, IpFamily family) {
        String text = (String) v.getOrDefault(key, "");
        if (text.isEmpty()) {
            return "";
        }
        InetAddress ip = IpAddresses.tryParse(text).filter(a -> IpAddresses.family(a) == family)
                .orElseThrow(() -> new ConfigException("invalid " + key + " " + text + ": not an " + family + " address"));
        return IpAddresses.format(ip);
    }

    private static <T> T parse(String key, String text, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IpamException e) {
            throw new ConfigException("invalid " + key + " " + text + ": " + e.getMessage());
        }
    }
}
