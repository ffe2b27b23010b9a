package dev.pier.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real {@code docker} client (Debian's docker.io 20.10, API 1.41) against a private pierd: the commands
 * people type, with Docker's output shapes and exit codes. No dockerd is involved: the client talks to
 * pierd's socket only. {@link NewerDockerCliTest} runs the same with a newer client where there is one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerCliTest {
    Path docker;
    Pier pier;
    Path config;   // a DOCKER_CONFIG of the test's own: no user's contexts or credentials
    String net;    // "10.x." for this class's networks: network k is net + k + ".0/24"

    /** Debian's client, which bin/install-deps installs. */
    Path client() {
        return Path.of("/usr/bin/docker");
    }

    @BeforeAll
    void start() throws Exception {
        docker = client();
        assumeTrue(Files.isExecutable(docker), "no docker client at " + docker + ": bin/install-deps installs Debian's docker.io");
        pier = new Pier();
        config = Files.createDirectories(pier.root.resolve("docker-config"));
        net = "10." + (60 + (pier.prefix.hashCode() & 0x1F)) + ".";
    }

    @AfterAll
    void stop() throws Exception {
        if (pier == null) return;
        pier.close();
        assertThat(pier.leftovers()).isEmpty();
        assertThat(Pier.sh("ip -o link").out()).doesNotContain(pier.prefix);
    }

    @AfterEach
    void clean() {
        pier.removeAllContainers();
        pier.pier("network", "prune", "-f");
    }

    /** Runs the docker client against the fixture's socket, with nothing of the caller's docker setup. */
    Pier.Result docker(String... args) {
        return dockerWithInput(null, args);
    }

    /** The docker client with a file as its standard input (null: /dev/null). */
    Pier.Result dockerWithInput(Path input, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(docker.toString());
        cmd.addAll(List.of(args));
        return withDockerEnvironment(cmd, input, String.join(" ", args));
    }

    /** The docker client on a terminal of its own (util-linux's script), typing the input file's lines into it. */
    Pier.Result dockerOnTerminal(Path input, String... args) {
        String line = docker + " " + String.join(" ", args);
        return withDockerEnvironment(List.of("script", "-qec", line, "/dev/null"), input, line);
    }

    private Pier.Result withDockerEnvironment(List<String> cmd, Path input, String what) {
        try {
            return Pier.run(cmd, Map.of("DOCKER_HOST", "unix://" + pier.socket, "DOCKER_CONFIG", config.toString()), input, 90);
        } catch (IOException e) {
            throw new AssertionError("docker " + what, e);
        }
    }

    private String name(String suffix) {
        return pier.prefix + "-" + suffix;
    }

    /** A sleeping busybox on a network; its other names go to the gateway, where nothing answers (never a real server). */
    private String sleeper(String container, String network, String gateway) {
        return docker("run", "-d", "--network", network, "--dns", gateway, "--name", container, "busybox", "sleep", "60").ok().out().strip();
    }

    @Test
    void versionShowsClientAndPierServer() {
        String out = docker("version").ok().out();
        assertThat(out).contains("Client:").contains("Server: Pier").contains("Engine:")
                .containsPattern("API version:\\s+1\\.\\d+").containsPattern("OS/Arch:\\s+linux/amd64");
        assertThat(docker("version", "-f", "{{.Server.Version}}").ok().out().strip()).isNotEmpty().doesNotContain("<no value>");
        assertThat(docker("info", "-f", "{{.OSType}} {{.Name}}").ok().out()).startsWith("linux ");
        // The runtime lines come from the runtime itself; memory from the kernel.
        String runc = Pier.sh("runc --version | sed -n 's/^commit: //p'").out().strip();
        String info = docker("info").ok().out();
        assertThat(info).contains("Default Runtime: runc").containsPattern("Runtimes:.*\\brunc\\b")
                .contains("runc version: " + runc).doesNotContain("Total Memory: 0B");
        assertThat(runc).isNotEmpty();
    }

    @Test
    void networkCreateListInspectAndRemove() {
        String app = name("app");
        String id = docker("network", "create", "--subnet", net + "1.0/24", "--gateway", net + "1.1", "--label", "team=blue", app).ok().out().strip();
        assertThat(id).matches("[0-9a-f]{64}");

        String ls = docker("network", "ls").ok().out();
        String[] lines = ls.split("\n");
        assertThat(lines[0]).matches("NETWORK ID\\s+NAME\\s+DRIVER\\s+SCOPE");
        assertThat(ls).containsPattern("(?m)^" + id.substring(0, 12) + "\\s+" + app + "\\s+bridge\\s+local$")
                .containsPattern("(?m)^[0-9a-f]{12}\\s+bridge\\s+bridge\\s+local$")
                .containsPattern("(?m)^[0-9a-f]{12}\\s+host\\s+host\\s+local$")
                .containsPattern("(?m)^[0-9a-f]{12}\\s+none\\s+null\\s+local$");
        assertThat(docker("network", "ls", "-q", "--filter", "label=team=blue").ok().out().strip()).isEqualTo(id.substring(0, 12));
        assertThat(docker("network", "ls", "--no-trunc", "--format", "{{.ID}} {{.Name}}", "--filter", "name=" + app).ok().out().strip())
                .isEqualTo(id + " " + app);

        String inspect = docker("network", "inspect", app).ok().out();
        assertThat(inspect).startsWith("[").contains("\"Name\": \"" + app + "\"").contains("\"Id\": \"" + id + "\"")
                .contains("\"Driver\": \"bridge\"").contains("\"Subnet\": \"" + net + "1.0/24\"").contains("\"Gateway\": \"" + net + "1.1\"");
        assertThat(docker("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Scope}} {{.Internal}}", app).ok().out().strip())
                .isEqualTo(net + "1.0/24 local false");

        assertThat(docker("network", "rm", app).ok().out().strip()).isEqualTo(app);
        assertThat(docker("network", "ls", "-q", "--filter", "name=" + app).ok().out()).isBlank();
        Pier.Result gone = docker("network", "inspect", app);
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).contains(app).containsPattern("No such network|not found");
    }

    @Test
    void networkCreateWithRangeInternalAndDriverOptions() {
        String inner = name("inner"), bridge = pier.prefix + "-dbr";
        docker("network", "create", "--subnet", net + "7.0/24", "--ip-range", net + "7.128/26", "--internal",
                "-o", "com.docker.network.bridge.name=" + bridge, "-o", "com.docker.network.driver.mtu=1400", inner).ok();
        assertThat(docker("network", "inspect", "-f",
                "{{.Internal}} {{range .IPAM.Config}}{{.IPRange}}{{end}} {{index .Options \"com.docker.network.bridge.name\"}}", inner).ok().out().strip())
                .isEqualTo("true " + net + "7.128/26 " + bridge);
        assertThat(Pier.sh("ip -o link show " + bridge).out()).contains("mtu 1400");
        // The container's address comes from the range; its interface has the MTU; an internal network has no default route.
        Pier.Result seen = docker("run", "--rm", "--network", inner, "busybox", "sh", "-c", "ip -4 -o addr show eth0; ip -o link show eth0; ip route");
        assertThat(seen.exit()).as(seen.toString()).isZero();
        assertThat(seen.out()).containsPattern("inet " + java.util.regex.Pattern.quote(net + "7.") + "(1(2[89]|[3-8]\\d|9[01]))/24")
                .contains("mtu 1400").doesNotContain("default");
        docker("network", "rm", inner).ok();
        assertThat(Pier.sh("ip -o link show " + bridge).exit()).isNotZero();
    }

    @Test
    void containersOnANetworkResolveEachOtherByName() {
        String app = name("dns");
        docker("network", "create", "--subnet", net + "2.0/24", app).ok();
        String a = name("a"), b = name("b");
        String aId = sleeper(a, app, net + "2.1");
        assertThat(aId).matches("[0-9a-f]{64}");
        sleeper(b, app, net + "2.1");
        String bIp = docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + app + "\").IPAddress}}", b).ok().out().strip();
        assertThat(bIp).startsWith(net + "2.");

        Pier.Result lookup = docker("exec", a, "nslookup", "-type=a", b);
        assertThat(lookup.exit()).as(lookup.toString()).isZero();
        assertThat(lookup.out()).contains(bIp);
        assertThat(docker("exec", b, "ping", "-c", "1", "-W", "2", a).ok().out()).contains("1 packets received");
        // Docker's rename: the new name answers at once; a taken one is refused.
        String renamed = name("b2");
        docker("rename", b, renamed).ok();
        assertThat(docker("exec", a, "nslookup", "-type=a", renamed).ok().out()).contains(bIp);
        Pier.Result taken = docker("rename", renamed, a);
        assertThat(taken.exit()).isEqualTo(1);
        assertThat(taken.err()).contains("is already in use by container");
        b = renamed;

        // The network lists its containers, and a network with containers cannot go.
        assertThat(docker("network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{end}}", app).ok().out()).contains(a).contains(b);
        Pier.Result busy = docker("network", "rm", app);
        assertThat(busy.exit()).isEqualTo(1);
        assertThat(busy.err()).contains("has active endpoints");
    }

    @Test
    void connectAndDisconnectChangeWhatAContainerReaches() {
        String front = name("front"), back = name("back");
        docker("network", "create", "--subnet", net + "3.0/24", front).ok();
        docker("network", "create", "--subnet", net + "4.0/24", back).ok();
        String web = name("web"), db = name("db");
        sleeper(web, front, net + "3.1");
        sleeper(db, back, net + "4.1");
        String dbIp = docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + back + "\").IPAddress}}", db).ok().out().strip();
        assertThat(docker("exec", web, "ping", "-c", "1", "-W", "1", dbIp).exit()).isNotZero();

        docker("network", "connect", back, web).ok();
        assertThat(docker("inspect", "-f", "{{len .NetworkSettings.Networks}}", web).ok().out().strip()).isEqualTo("2");
        assertThat(docker("exec", web, "ping", "-c", "1", "-W", "2", dbIp).ok().out()).contains("1 packets received");
        assertThat(docker("exec", web, "nslookup", "-type=a", db).out()).contains(dbIp);

        docker("network", "disconnect", back, web).ok();
        assertThat(docker("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", web).ok().out().strip()).isEqualTo(front);
        assertThat(docker("exec", web, "ping", "-c", "1", "-W", "1", dbIp).exit()).isNotZero();
        // Docker's refusal for an endpoint that is not there.
        Pier.Result again = docker("network", "disconnect", back, web);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("is not connected to");
    }

    @Test
    void foregroundRunPrintsOutputAndPassesTheExitCodeThrough() {
        Pier.Result hi = docker("run", "--rm", "busybox", "echo", "hi");
        assertThat(hi.exit()).as(hi.toString()).isZero();
        assertThat(hi.out()).isEqualTo("hi\n");
        Pier.Result both = docker("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(both.exit()).isEqualTo(3);
        assertThat(both.out()).isEqualTo("out\n");
        assertThat(both.err()).isEqualTo("err\n");
        // --rm: nothing stays behind.
        assertThat(docker("ps", "-aq").ok().out()).isBlank();
        // A command that does not exist: Docker's 127 from the runtime.
        Pier.Result missing = docker("run", "--rm", "busybox", "/no/such/program");
        assertThat(missing.exit()).isIn(126, 127);
    }

    @Test
    void runAndExecWithStdinReadWhatIsPiped() throws IOException {
        Path input = Files.writeString(pier.root.resolve("docker-stdin.txt"), "typed\nlines\n");
        Pier.Result run = dockerWithInput(input, "run", "-i", "--rm", "busybox", "sh", "-c", "cat; exit 6");
        assertThat(run.exit()).as(run.toString()).isEqualTo(6);
        assertThat(run.out()).isEqualTo("typed\nlines\n");
        String c = name("stdin");
        sleeperOnDefault(c);
        Pier.Result exec = dockerWithInput(input, "exec", "-i", c, "wc", "-l");
        assertThat(exec.exit()).as(exec.toString()).isZero();
        assertThat(exec.out().strip()).isEqualTo("2");
    }

    @Test
    void runWithATerminalTakesTypedInput() throws IOException {
        // The line echoed back by the terminal holds "$((6*7))"; only the shell's evaluation prints 42.
        Path typed = Files.writeString(pier.root.resolve("docker-typed.txt"), "test -t 0 && echo tty-$((6*7))\nexit 3\n");
        Pier.Result run = dockerOnTerminal(typed, "run", "-it", "--rm", "busybox", "sh");
        assertThat(run.exit()).as(run.toString()).isEqualTo(3);
        assertThat(run.out()).contains("tty-42");
        assertThat(docker("ps", "-aq").ok().out()).isBlank();
    }

    @Test
    void execLogsInspectPsStopAndRemove() {
        String c = name("life");
        String id = docker("run", "-d", "--name", c, "--label", "role=test", "busybox", "sh", "-c", "echo started; echo warn >&2; exec sleep 60").ok().out().strip();
        assertThat(docker("exec", c, "hostname").ok().out().strip()).isEqualTo(id.substring(0, 12));
        Pier.Result failing = docker("exec", c, "sh", "-c", "exit 7");
        assertThat(failing.exit()).isEqualTo(7);

        Pier.Result logs = docker("logs", c).ok();
        assertThat(logs.out()).isEqualTo("started\n");
        assertThat(logs.err()).isEqualTo("warn\n");

        assertThat(docker("inspect", "-f", "{{.Name}} {{.State.Status}} {{.State.Running}} {{.Config.Image}} {{index .Config.Labels \"role\"}}", c).ok().out().strip())
                .isEqualTo("/" + c + " running true busybox test");
        assertThat(docker("inspect", "-f", "{{.Id}}", id.substring(0, 12)).ok().out().strip()).isEqualTo(id);
        assertThat(docker("container", "inspect", c).ok().out()).startsWith("[").contains("\"Id\": \"" + id + "\"");

        String ps = docker("ps").ok().out();
        assertThat(ps.split("\n")[0]).matches("CONTAINER ID\\s+IMAGE\\s+COMMAND\\s+CREATED\\s+STATUS\\s+PORTS\\s+NAMES");
        assertThat(ps).containsPattern("(?m)^" + id.substring(0, 12) + "\\s+busybox\\s+\"sh -c 'echo started…\"\\s+.*Up .*\\s" + c + "$");
        assertThat(docker("ps", "-q", "--filter", "label=role=test").ok().out().strip()).isEqualTo(id.substring(0, 12));
        assertThat(docker("ps", "--format", "{{.Names}} {{.Image}}").ok().out().strip()).isEqualTo(c + " busybox");

        assertThat(docker("stop", "-t", "1", c).ok().out().strip()).isEqualTo(c);
        assertThat(docker("inspect", "-f", "{{.State.Status}} {{.State.Running}}", c).ok().out().strip()).isEqualTo("exited false");
        assertThat(docker("ps", "-q").ok().out()).isBlank();
        assertThat(docker("ps", "-aq").ok().out().strip()).isEqualTo(id.substring(0, 12));
        assertThat(docker("ps", "-a", "--format", "{{.Status}}").ok().out()).startsWith("Exited (");

        docker("start", c).ok();
        assertThat(docker("rm", "-f", c).ok().out().strip()).isEqualTo(c);
        assertThat(docker("ps", "-aq").ok().out()).isBlank();
    }

    @Test
    void publishedPortServesAFileAndPortPrintsDockersLines() throws Exception {
        String c = name("web");
        // Every connection gets the container's /etc/hostname: its short id.
        String id = docker("run", "-d", "--name", c, "-p", "127.0.0.1::80", "busybox", "nc", "-ll", "-p", "80", "-e", "cat", "/etc/hostname").ok().out().strip();
        String port = docker("port", c).ok().out();
        assertThat(port).matches("80/tcp -> 127\\.0\\.0\\.1:\\d+\n");
        int hostPort = Integer.parseInt(port.strip().substring(port.strip().lastIndexOf(':') + 1));
        assertThat(docker("port", c, "80").ok().out()).isEqualTo("127.0.0.1:" + hostPort + "\n");
        assertThat(docker("port", c, "80/tcp").ok().out()).isEqualTo("127.0.0.1:" + hostPort + "\n");
        assertThat(docker("ps", "--format", "{{.Ports}}").ok().out().strip()).isEqualTo("127.0.0.1:" + hostPort + "->80/tcp");
        assertThat(Pier.fetch("127.0.0.1", hostPort)).isEqualTo(id.substring(0, 12));
        Pier.Result unpublished = docker("port", c, "81");
        assertThat(unpublished.exit()).isEqualTo(1);
        assertThat(unpublished.err()).containsPattern("No public port '81(/tcp)?' published for " + c);
    }

    @Test
    void errorsReadLikeDockers() {
        Pier.Result inspect = docker("inspect", "nosuch-" + pier.prefix);
        assertThat(inspect.exit()).isEqualTo(1);
        assertThat(inspect.err()).contains("No such object: nosuch-" + pier.prefix);
        Pier.Result rm = docker("rm", "nosuch-" + pier.prefix);
        assertThat(rm.exit()).isEqualTo(1);
        assertThat(rm.err()).contains("No such container: nosuch-" + pier.prefix);
        Pier.Result exec = docker("exec", "nosuch-" + pier.prefix, "true");
        assertThat(exec.exit()).isEqualTo(1);
        assertThat(exec.err()).contains("No such container: nosuch-" + pier.prefix);

        String c = name("twice");
        sleeperOnDefault(c);
        Pier.Result conflict = docker("run", "-d", "--name", c, "busybox", "sleep", "60");
        assertThat(conflict.exit()).isEqualTo(125);
        assertThat(conflict.err()).contains("Conflict. The container name \"/" + c + "\" is already in use by container");

        Pier.Result badSubnet = docker("network", "create", "--subnet", "10.300.0.0/24", name("bad"));
        assertThat(badSubnet.exit()).isEqualTo(1);
        assertThat(badSubnet.err()).contains("Error response from daemon");
        Pier.Result noNetwork = docker("run", "--rm", "--network", "nosuch-" + pier.prefix, "busybox", "true");
        assertThat(noNetwork.exit()).isEqualTo(125);
        assertThat(noNetwork.err()).contains("network nosuch-" + pier.prefix + " not found");
        Pier.Result dup = docker("network", "create", "bridge");
        assertThat(dup.exit()).isEqualTo(1);
        assertThat(dup.err()).contains("already exists");
    }

    @Test
    void importedImagesListAndRun() {
        String tag = pier.prefix + "-imported:v1";
        String id = docker("import", Pier.BUSYBOX.toString(), tag).ok().out().strip();
        assertThat(id).matches("sha256:[0-9a-f]{64}");
        String images = docker("images").ok().out();
        assertThat(images.split("\n")[0]).matches("REPOSITORY\\s+TAG\\s+IMAGE ID\\s+CREATED\\s+SIZE");
        assertThat(images).containsPattern("(?m)^" + pier.prefix + "-imported\\s+v1\\s+" + id.substring(7, 19) + "\\s")
                .containsPattern("(?m)^busybox\\s+latest\\s+[0-9a-f]{12}\\s");
        assertThat(docker("images", "-q", tag).ok().out().strip()).isEqualTo(id.substring(7, 19));
        Pier.Result run = docker("run", "--rm", tag, "echo", "from the import");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("from the import\n");
        docker("rmi", tag).ok();
        assertThat(docker("images", "-q", tag).ok().out()).isBlank();
    }

    @Test
    void loadTakesADockerSaveArchiveFromAFileAndFromStdin() throws Exception {
        String tag = pier.prefix + "-saved:v2";
        Path archive = dockerSaveArchive(tag);
        assertThat(docker("load", "-i", archive.toString()).ok().out()).contains("Loaded image: " + tag);
        assertThat(docker("image", "inspect", "-f", "{{json .Config.Cmd}}", tag).ok().out().strip()).isEqualTo("[\"sh\"]");
        Pier.Result run = docker("run", "--rm", tag, "echo", "loaded");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("loaded\n");
        docker("rmi", tag).ok();
        assertThat(dockerWithInput(archive, "load").ok().out()).contains("Loaded image: " + tag);
        docker("rmi", tag).ok();
        // Not an archive: an error, and no image.
        Pier.Result bad = docker("load", "-i", Pier.HOME.resolve("README.md").toString());
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).isNotBlank();
        assertThat(docker("images", "-q", tag).ok().out()).isBlank();
    }

    /** What `docker save` writes, around the busybox root filesystem: manifest.json, the config, one layer. */
    private Path dockerSaveArchive(String tag) throws Exception {
        Path dir = Files.createDirectories(pier.root.resolve("save-" + System.nanoTime()));
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        String diffId = "sha256:" + java.util.HexFormat.of().formatHex(sha.digest(Files.readAllBytes(Pier.BUSYBOX)));
        Files.createDirectories(dir.resolve("layer"));
        Files.copy(Pier.BUSYBOX, dir.resolve("layer/layer.tar"));
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2026-01-02T03:04:05Z\","
                + "\"config\":{\"Cmd\":[\"sh\"],\"Env\":[\"PATH=/bin\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}";
        String configName = java.util.HexFormat.of().formatHex(sha.digest(config.getBytes(StandardCharsets.UTF_8))) + ".json";
        Files.writeString(dir.resolve(configName), config);
        Files.writeString(dir.resolve("manifest.json"),
                "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + tag + "\"],\"Layers\":[\"layer/layer.tar\"]}]");
        Path archive = pier.root.resolve("saved-" + System.nanoTime() + ".tar");
        Pier.sh("tar -C " + dir + " -cf " + archive + " manifest.json " + configName + " layer").ok();
        return archive;
    }

    @Test
    void networkPruneRemovesOnlyUnusedNetworks() {
        String used = name("used"), idle = name("idle");
        docker("network", "create", "--subnet", net + "5.0/24", used).ok();
        docker("network", "create", "--subnet", net + "6.0/24", idle).ok();
        sleeper(name("keeper"), used, net + "5.1");
        String out = docker("network", "prune", "-f").ok().out();
        assertThat(out).contains("Deleted Networks:").contains(idle).doesNotContain(used);
        assertThat(docker("network", "ls", "--format", "{{.Name}}").ok().out()).contains(used).doesNotContain(idle);

        // Filters choose among the unused ones: by label, by its absence, by age; an unknown one is refused.
        String blue = name("blue"), green = name("green"), plain = name("plain");
        docker("network", "create", "--label", "team=blue", "--label", "tier=db", blue).ok();
        docker("network", "create", "--label", "team=green", green).ok();
        docker("network", "create", plain).ok();
        Pier.Result bogus = docker("network", "prune", "-f", "--filter", "colour=red");
        assertThat(bogus.exit()).isNotZero();
        assertThat(bogus.err()).contains("invalid filter 'colour'");
        assertThat(docker("network", "prune", "-f", "--filter", "until=1h").ok().out()).as("all younger than an hour").doesNotContain(blue);
        assertThat(docker("network", "prune", "-f", "--filter", "label=team=blue", "--filter", "label=tier=web").ok().out())
                .as("every label must match").doesNotContain(blue);
        assertThat(docker("network", "prune", "-f", "--filter", "label=team=blue", "--filter", "label=tier").ok().out())
                .contains(blue).doesNotContain(green).doesNotContain(plain);
        assertThat(docker("network", "prune", "-f", "--filter", "label!=team").ok().out()).contains(plain).doesNotContain(green);
        assertThat(docker("network", "ls", "--format", "{{.Name}}").ok().out()).contains(green).contains(used);
    }

    @Test
    void containerPruneRemovesStoppedContainersOnlyAndHonoursFilters() {
        String running = name("running"), done = name("done"), kept = name("kept"), fresh = name("fresh");
        docker("run", "-d", "--name", running, "busybox", "sleep", "60").ok();
        docker("run", "--name", done, "--label", "job=batch", "busybox", "true").ok();
        docker("run", "--name", kept, "--label", "job=keep", "busybox", "true").ok();
        docker("create", "--name", fresh, "busybox", "true").ok();
        // What Pier does not do is refused, not dropped: a limit or a namespace asked for, an anonymous volume.
        for (String[] flag : new String[][]{{"--memory", "64m"}, {"--pid", "host"}, {"-v", "/data"}}) {
            Pier.Result refused = docker("run", "--rm", flag[0], flag[1], "busybox", "true");
            assertThat(refused.exit()).as(flag[0]).isEqualTo(125);
            assertThat(refused.err()).contains("Pier does not support");
        }
        Pier.Result bogus = docker("container", "prune", "-f", "--filter", "colour=red");
        assertThat(bogus.exit()).isNotZero();
        assertThat(bogus.err()).contains("invalid filter 'colour'");
        String doneId = docker("inspect", "-f", "{{.Id}}", done).ok().out().strip();
        assertThat(docker("container", "prune", "-f", "--filter", "label=job=batch").ok().out())
                .contains("Deleted Containers:\n" + doneId + "\n");
        // pier's own CLI: every stopped one left, whatever its labels; the running one stays.
        String out = pier.pier("container", "prune", "--force").ok().out();
        assertThat(out).contains("Deleted Containers:").contains("Total reclaimed space: 0B");
        assertThat(docker("ps", "-a", "--format", "{{.Names}}").ok().out().strip()).isEqualTo(running);
        // Without --force it asks, and no "yes" (here, no input at all) removes nothing.
        docker("stop", "-t", "0", running).ok();
        assertThat(pier.pier("container", "prune").ok().out()).contains("WARNING! This will remove all stopped containers.");
        assertThat(docker("ps", "-aq").ok().out()).isNotBlank();
    }

    private void sleeperOnDefault(String container) {
        docker("run", "-d", "--name", container, "busybox", "sleep", "60").ok();
    }
}
