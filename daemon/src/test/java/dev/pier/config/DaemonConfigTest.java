package dev.pier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pier.ipam.AddressPool;
import dev.pier.ipam.IpAddresses;
import dev.pier.ipam.Subnet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonConfigTest {

    @TempDir
    Path dir;

    /** A default config file that does not exist, so nothing on this machine leaks into the tests. */
    private Path missingDefault() {
        return dir.resolve("absent/daemon.json");
    }

    private DaemonConfig run(String... args) {
        DaemonConfig.Invocation invocation = DaemonConfig.interpret(args, missingDefault());
        assertThat(invocation).isInstanceOf(DaemonConfig.Invocation.Run.class);
        return ((DaemonConfig.Invocation.Run) invocation).config();
    }

    private Path file(String json) throws Exception {
        Path f = dir.resolve("daemon.json");
        Files.writeString(f, json);
        return f;
    }

    private DaemonConfig withFile(String json, String... args) throws Exception {
        Path f = file(json);
        String[] all = new String[args.length + 2];
        all[0] = "--config-file";
        all[1] = f.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return run(all);
    }

    private static String error(Runnable r) {
        try {
            r.run();
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a ConfigException");
    }

    @Test
    void defaults() {
        DaemonConfig c = run();
        assertThat(c.hosts()).containsExactly("unix:///run/pier/pier.sock");
        assertThat(c.dataRoot()).isEqualTo("/var/lib/pier");
        assertThat(c.execRoot()).isEqualTo("/run/pier");
        assertThat(c.bridgeName()).isEqualTo("pier0");
        assertThat(c.bridge()).isEmpty();
        assertThat(c.defaultBridgeDisabled()).isFalse();
        assertThat(c.usesExistingBridge()).isFalse();
        assertThat(c.defaultBridgeInterface()).isEqualTo("pier0");
        assertThat(c.bip()).isEmpty();
        assertThat(c.bipAddress()).isEmpty();
        assertThat(c.mtu()).isEqualTo(1500);
        assertThat(c.ipv6()).isFalse();
        assertThat(c.iptables()).isTrue();
        assertThat(c.ipForward()).isTrue();
        assertThat(c.ipMasq()).isTrue();
        assertThat(c.icc()).isTrue();
        assertThat(c.userlandProxy()).isTrue();
        assertThat(c.dns()).isEmpty();
        assertThat(c.resolvConf()).isEqualTo("/etc/resolv.conf");
        assertThat(c.defaultAddressPools()).isEmpty();
        assertThat(c.addressPools().nextFree(List.of())).isEqualTo(Subnet.parse("172.17.0.0/16"));
        assertThat(c.defaultRuntime()).isEqualTo("runc");
        assertThat(c.runtimes()).isEmpty();
        assertThat(c.configFile()).isEqualTo(missingDefault().toString());
        assertThat(c.tls()).isFalse();
        assertThat(c.tlsVerify()).isFalse();
        assertThat(c.logLevel()).isEqualTo("info");
        assertThat(c.debug()).isFalse();
        assertThat(DaemonConfig.defaults()).isEqualTo(new DaemonConfig(c.hosts(), c.dataRoot(), c.execRoot(), c.bridgeName(),
                c.bridge(), c.bip(), c.fixedCidr(), c.fixedCidrV6(), c.ipv6(), c.mtu(), c.defaultGateway(), c.defaultGatewayV6(),
                c.dns(), c.dnsSearch(), c.dnsOpts(), c.resolvConf(), c.iptables(), c.ipForward(), c.ipMasq(), c.icc(), c.userlandProxy(),
                c.defaultAddressPools(), c.defaultRuntime(), c.runtimes(), DaemonConfig.DEFAULT_CONFIG_FILE, c.tls(), c.tlsVerify(),
                c.tlsCaCert(), c.tlsCert(), c.tlsKey(), c.logLevel(), c.debug()));
    }

    @Test
    void flagsInEveryPflagForm() {
        DaemonConfig c = run("-H", "unix:///tmp/a.sock", "--host=tcp://127.0.0.1:2375", "-Hunix:///tmp/b.sock",
                "--data-root", "/srv/pier/", "--exec-root=/run/pier-test", "--bip", "10.20.0.1/16", "--fixed-cidr", "10.20.5.0/24",
                "--fixed-cidr-v6", "fd00:1::/64", "--ipv6", "--mtu", "1400", "--default-gateway", "10.20.0.254",
                "--default-gateway-v6", "FD00:1::FE", "--dns", "1.1.1.1", "--dns=2606:4700:4700::1111", "--dns-search", "example.com",
                "--dns-opt", "ndots:2", "--resolv-conf", "/run/pier-test/resolv.conf", "--iptables=false", "--ip-forward=0", "--ip-masq=f", "--icc=FALSE", "--userland-proxy=false",
                "--default-address-pool", "base=10.10.0.0/16,size=24", "--default-address-pool", "base=fd01::/48,size=64",
                "--add-runtime", "kata=/usr/bin/kata-runtime", "--default-runtime", "kata",
                "--tlsverify", "--tlscacert", "/etc/ca.pem", "--tlscert=/etc/cert.pem", "--tlskey", "/etc/key.pem",
                "-l", "WARN", "-D");
        assertThat(c.hosts()).containsExactly("unix:///tmp/a.sock", "tcp://127.0.0.1:2375", "unix:///tmp/b.sock");
        assertThat(c.dataRoot()).isEqualTo("/srv/pier");
        assertThat(c.execRoot()).isEqualTo("/run/pier-test");
        assertThat(c.bip()).isEqualTo("10.20.0.1/16");
        assertThat(c.bipAddress().orElseThrow().subnet()).isEqualTo(Subnet.parse("10.20.0.0/16"));
        assertThat(c.fixedCidrSubnet()).contains(Subnet.parse("10.20.5.0/24"));
        assertThat(c.fixedCidrV6()).isEqualTo("fd00:1::/64");
        assertThat(c.ipv6()).isTrue();
        assertThat(c.mtu()).isEqualTo(1400);
        assertThat(c.defaultGatewayAddress()).contains(IpAddresses.parse("10.20.0.254"));
        assertThat(c.defaultGatewayV6()).isEqualTo("fd00:1::fe");
        assertThat(c.dns()).containsExactly("1.1.1.1", "2606:4700:4700::1111");
        assertThat(c.dnsServers()).hasSize(2);
        assertThat(c.dnsSearch()).containsExactly("example.com");
        assertThat(c.dnsOpts()).containsExactly("ndots:2");
        assertThat(c.resolvConf()).isEqualTo("/run/pier-test/resolv.conf");
        assertThat(c.iptables()).isFalse();
        assertThat(c.ipForward()).isFalse();
        assertThat(c.ipMasq()).isFalse();
        assertThat(c.icc()).isFalse();
        assertThat(c.userlandProxy()).isFalse();
        assertThat(c.defaultAddressPools()).containsExactly(AddressPool.of("10.10.0.0/16", 24), AddressPool.of("fd01::/48", 64));
        assertThat(c.addressPools().pools()).hasSize(2);
        assertThat(c.runtimes()).containsEntry("kata", new RuntimeSpec("/usr/bin/kata-runtime", List.of()));
        assertThat(c.defaultRuntime()).isEqualTo("kata");
        assertThat(c.tlsVerify()).isTrue();
        assertThat(c.tlsEnabled()).isTrue();
        assertThat(c.tlsCaCert()).isEqualTo("/etc/ca.pem");
        assertThat(c.logLevel()).isEqualTo("warn");
        assertThat(c.debug()).isTrue();
        assertThat(c.effectiveLogLevel()).isEqualTo("debug");
    }

    @Test
    void daemonJsonWithDockersKeys() throws Exception {
        DaemonConfig c = withFile("""
                {
                  "hosts": ["unix:///tmp/p.sock"],
                  "data-root": "/srv/pier",
                  "bridge": "br-existing",
                  "fixed-cidr": "192.168.199.1/25",
                  "mtu": 9000,
                  "dns": ["8.8.8.8"],
                  "dns-search": ["corp.example."],
                  "dns-opts": ["use-vc"],
                  "iptables": false,
                  "icc": false,
                  "userland-proxy": true,
                  "default-address-pools": [{"base": "10.99.0.0/16", "size": 24}],
                  "runtimes": {"runsc": {"path": "/usr/bin/runsc", "runtimeArgs": ["--platform=ptrace"]}},
                  "default-runtime": "runsc",
                  "tls": true,
                  "log-level": "debug",
                  "debug": false
                }
                """);
        assertThat(c.hosts()).containsExactly("unix:///tmp/p.sock");
        assertThat(c.bridge()).isEqualTo("br-existing");
        assertThat(c.usesExistingBridge()).isTrue();
        assertThat(c.defaultBridgeInterface()).isEqualTo("br-existing");
        assertThat(c.fixedCidr()).as("host bits cleared as Docker does").isEqualTo("192.168.199.0/25");
        assertThat(c.mtu()).isEqualTo(9000);
        assertThat(c.iptables()).isFalse();
        assertThat(c.icc()).isFalse();
        assertThat(c.addressPools().nextFree(List.of())).isEqualTo(Subnet.parse("10.99.0.0/24"));
        assertThat(c.runtimes().get("runsc")).isEqualTo(new RuntimeSpec("/usr/bin/runsc", List.of("--platform=ptrace")));
        assertThat(c.tlsEnabled()).isTrue();
        assertThat(c.logLevel()).isEqualTo("debug");
    }

    @Test
    void flagsAndFileMergeWhenTheyDoNotOverlap() throws Exception {
        DaemonConfig c = withFile("{\"mtu\": 1450, \"dns\": [\"9.9.9.9\"]}", "--bip", "172.30.0.1/16", "--icc=false");
        assertThat(c.mtu()).isEqualTo(1450);
        assertThat(c.dns()).containsExactly("9.9.9.9");
        assertThat(c.bip()).isEqualTo("172.30.0.1/16");
        assertThat(c.icc()).isFalse();
        assertThat(c.iptables()).as("neither: default").isTrue();
    }

    @Test
    void settingGivenBothWaysIsRefusedLikeDocker() throws Exception {
        Path f = file("{\"bip\": \"10.1.0.1/24\", \"hosts\": [\"tcp://127.0.0.1:2376\"], \"iptables\": true}");
        assertThat(error(() -> run("--config-file", f.toString(), "--bip", "10.0.0.1/24")))
                .isEqualTo("unable to configure the Pier daemon with file " + f + ": the following directives are specified both "
                        + "as a flag and in the configuration file: bip: (from flag: 10.0.0.1/24, from file: 10.1.0.1/24)");
        assertThat(error(() -> run("--config-file", f.toString(), "-H", "unix:///tmp/x.sock", "--iptables=true", "--bip", "10.1.0.1/24")))
                .endsWith("specified both as a flag and in the configuration file: hosts: (from flag: [unix:///tmp/x.sock], "
                        + "from file: [tcp://127.0.0.1:2376]), bip: (from flag: 10.1.0.1/24, from file: 10.1.0.1/24), "
                        + "iptables: (from flag: true, from file: true)");
    }

    @Test
    void unknownKeysAndBadJsonNameTheProblem() throws Exception {
        Path f = file("{\"bip\": \"10.1.0.1/24\", \"storage-driver\": \"overlay2\", \"bogus\": 1}");
        assertThat(error(() -> run("--config-file", f.toString())))
                .isEqualTo("unable to configure the Pier daemon with file " + f
                        + ": the following directives don't match any configuration option: bogus, storage-driver");
        assertThat(error(() -> withFileUnchecked("{\"mtu\": \"1500\"}")))
                .endsWith(": invalid value for mtu: expected an integer, got \"1500\"");
        assertThat(error(() -> withFileUnchecked("{\"ipv6\": \"true\"}")))
                .endsWith(": invalid value for ipv6: expected true or false, got \"true\"");
        assertThat(error(() -> withFileUnchecked("{\"dns\": \"8.8.8.8\"}")))
                .endsWith(": invalid value for dns: expected an array of strings, got \"8.8.8.8\"");
        assertThat(error(() -> withFileUnchecked("{\"default-address-pools\": [{\"base\": \"10.0.0.0/8\"}]}")))
                .contains("invalid value for default-address-pools");
        assertThat(error(() -> withFileUnchecked("{\"default-address-pools\": [{\"base\": \"10.0.0.0/16\", \"size\": 8}]}")))
                .endsWith("invalid default-address-pools: invalid address pool {base: 10.0.0.0/16, size: 8}: size must be between 16 and 32");
        assertThat(error(() -> withFileUnchecked("{\"runtimes\": {\"x\": {\"paht\": \"/bin/x\"}}}")))
                .contains("invalid runtimes entry \"x\"");
        assertThat(error(() -> withFileUnchecked("{\"mtu\": 1500,}"))).contains(": invalid JSON at line 1");
        assertThat(error(() -> withFileUnchecked("{\"mtu\": 1500, \"mtu\": 1400}"))).contains("Duplicate field 'mtu'");
        assertThat(error(() -> withFileUnchecked("[1, 2]"))).endsWith(": the file must hold a JSON object");
        assertThat(error(() -> withFileUnchecked("{\"config-file\": \"/x\"}"))).endsWith("don't match any configuration option: config-file");
    }

    private DaemonConfig withFileUnchecked(String json) {
        try {
            return withFile(json);
        } catch (ConfigException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void configFileMissingIsFineUnlessNamedExplicitly() throws Exception {
        assertThat(run().configFile()).isEqualTo(missingDefault().toString());
        Path named = dir.resolve("nope.json");
        assertThat(error(() -> run("--config-file", named.toString())))
                .isEqualTo("unable to configure the Pier daemon with file " + named + ": open " + named + ": no such file or directory");
        assertThat(withFile("  \n").mtu()).as("an empty file is an empty configuration").isEqualTo(1500);
        // The default location is read when present.
        Path defaultFile = dir.resolve("default.json");
        Files.writeString(defaultFile, "{\"mtu\": 1300}");
        var invocation = (DaemonConfig.Invocation.Run) DaemonConfig.interpret(new String[0], defaultFile);
        assertThat(invocation.config().mtu()).isEqualTo(1300);
    }

    @Test
    void badValuesAreClearErrors() {
        assertThat(error(() -> run("--bip", "172.17.0.1"))).isEqualTo("invalid bip 172.17.0.1: invalid CIDR address: 172.17.0.1");
        assertThat(error(() -> run("--bip", "nonsense/8"))).isEqualTo("invalid bip nonsense/8: invalid CIDR address: nonsense/8");
        assertThat(error(() -> run("--bip", "fd00::1/64"))).startsWith("invalid bip fd00::1/64: must be an IPv4 address");
        assertThat(error(() -> run("--bip", "172.17.0.0/16")))
                .isEqualTo("invalid bip 172.17.0.0/16: 172.17.0.0 is the network address of 172.17.0.0/16, not a usable gateway address");
        assertThat(error(() -> run("--mtu", "67"))).isEqualTo("invalid MTU 67: must be between 68 and 65535");
        assertThat(error(() -> run("--mtu", "70000"))).isEqualTo("invalid MTU 70000: must be between 68 and 65535");
        assertThat(error(() -> run("--mtu", "big"))).isEqualTo("invalid argument \"big\" for \"--mtu\" flag: not an integer");
        assertThat(error(() -> run("--fixed-cidr", "fd00::/64"))).isEqualTo("invalid fixed-cidr fd00::/64: must be an IPv4 subnet");
        assertThat(error(() -> run("--fixed-cidr-v6", "10.0.0.0/8"))).isEqualTo("invalid fixed-cidr-v6 10.0.0.0/8: must be an IPv6 subnet");
        assertThat(error(() -> run("--bip", "10.0.0.1/24", "--fixed-cidr", "10.0.1.0/24")))
                .isEqualTo("fixed-cidr 10.0.1.0/24 is not inside the subnet of bip 10.0.0.1/24 (10.0.0.0/24)");
        assertThat(error(() -> run("--default-gateway", "fd00::1"))).isEqualTo("invalid default-gateway fd00::1: not an IPv4 address");
        assertThat(error(() -> run("--dns", "dns.google"))).isEqualTo("invalid dns: IP address is not correctly formatted: dns.google");
        assertThat(error(() -> run("--dns-search", "bad_domain!"))).isEqualTo("invalid dns-search: bad_domain! is not a valid domain");
        assertThat(error(() -> run("--dns-opt", "two words"))).startsWith("invalid dns-opt \"two words\"");
        assertThat(error(() -> run("--resolv-conf", "resolv.conf"))).isEqualTo("resolv-conf must be an absolute path: \"resolv.conf\"");
        assertThat(error(() -> run("-H", "ftp://x"))).isEqualTo("Invalid bind address format: ftp://x");
        assertThat(error(() -> run("--data-root", "relative/dir"))).isEqualTo("data-root must be an absolute path: \"relative/dir\"");
        assertThat(error(() -> run("--bridge-name", "much-too-long-name0"))).startsWith("invalid bridge-name \"much-too-long-name0\"");
        assertThat(error(() -> run("-b", "a/b"))).startsWith("invalid bridge \"a/b\"");
        assertThat(error(() -> run("-l", "verbose"))).isEqualTo("unable to parse logging level: verbose");
        assertThat(error(() -> run("--default-runtime", "kata"))).startsWith("default runtime kata is not configured");
        assertThat(error(() -> run("--add-runtime", "runc=/opt/runc"))).isEqualTo("runtime name 'runc' is reserved");
        assertThat(error(() -> run("--add-runtime", "nopath"))).isEqualTo("invalid argument \"nopath\" for \"--add-runtime\" flag: expected name=path");
        assertThat(error(() -> run("--default-address-pool", "base=10.0.0.0/8")))
                .isEqualTo("invalid argument \"base=10.0.0.0/8\" for \"--default-address-pool\" flag: expected base=CIDR,size=N");
        assertThat(error(() -> run("--default-address-pool", "base=10.0.0.0/33,size=24")))
                .endsWith("invalid CIDR address: 10.0.0.0/33");
    }

    @Test
    void bridgeOptionsThatExcludeEachOther() {
        assertThat(error(() -> run("-b", "br0", "--bip", "10.0.0.1/24")))
                .isEqualTo("You specified -b & --bip, mutually exclusive options. Please specify only one");
        assertThat(error(() -> run("-b", "none", "--bip", "10.0.0.1/24"))).startsWith("You specified -b & --bip");
        assertThat(error(() -> run("-b", "br0", "--bridge-name", "pier1"))).startsWith("bridge and bridge-name are mutually exclusive");
        DaemonConfig none = run("--bridge=none");
        assertThat(none.defaultBridgeDisabled()).isTrue();
        assertThat(none.usesExistingBridge()).isFalse();
        assertThat(run("--bridge-name", "pier7").defaultBridgeInterface()).isEqualTo("pier7");
    }

    @Test
    void flagSyntaxErrorsUsePflagWording() {
        assertThat(error(() -> run("--nope"))).isEqualTo("unknown flag: --nope");
        assertThat(error(() -> run("-x"))).isEqualTo("unknown shorthand flag: 'x' in -x");
        assertThat(error(() -> run("--bip"))).isEqualTo("flag needs an argument: --bip");
        assertThat(error(() -> run("-H"))).isEqualTo("flag needs an argument: 'H' in -H");
        assertThat(error(() -> run("--ipv6=maybe"))).isEqualTo("invalid argument \"maybe\" for \"--ipv6\" flag: expected true or false");
        assertThat(error(() -> run("start"))).isEqualTo("\"pierd\" accepts no arguments, got \"start\"");
        assertThat(error(() -> run("--ipv6", "false"))).as("a boolean takes its value after '=' only")
                .isEqualTo("\"pierd\" accepts no arguments, got \"false\"");
        assertThat(error(() -> run("--config-file"))).isEqualTo("flag needs an argument: --config-file");
    }

    @Test
    void helpAndVersion() {
        var help = DaemonConfig.interpret(new String[] {"--help"}, missingDefault());
        assertThat(help).isInstanceOf(DaemonConfig.Invocation.Help.class);
        String usage = ((DaemonConfig.Invocation.Help) help).text();
        assertThat(usage).startsWith("Usage:\tpierd [OPTIONS]")
                .contains("-H, --host list", "--bip string", "--bridge-name string", "-D, --debug", "--config-file string",
                        "--default-address-pool base=CIDR,size=N", "--add-runtime name=path", "(default \"/etc/pier/daemon.json\")");
        assertThat(DaemonConfig.interpret(new String[] {"-h"}, missingDefault())).isInstanceOf(DaemonConfig.Invocation.Help.class);
        var version = DaemonConfig.interpret(new String[] {"-v"}, missingDefault());
        assertThat(version).isInstanceOf(DaemonConfig.Invocation.Version.class);
        assertThat(((DaemonConfig.Invocation.Version) version).text()).startsWith("pierd version ");
    }

    @Test
    void parsePrintsHelpAndReturnsNull() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(DaemonConfig.parse(new String[] {"--version"})).isNull();
        } finally {
            System.setOut(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).startsWith("pierd version ");
    }

    @Test
    void typedViewsMatchTheText() {
        DaemonConfig c = run("--bip", "10.44.0.1/16", "--dns", "::1");
        assertThat(c.bipAddress().orElseThrow().address()).isEqualTo(IpAddresses.parse("10.44.0.1"));
        assertThat(c.dnsServers()).containsExactly(IpAddresses.parse("::1"));
        assertThat(c.runtimes()).isEqualTo(Map.of());
        assertThatThrownBy(() -> c.hosts().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
