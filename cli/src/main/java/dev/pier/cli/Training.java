package dev.pier.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The AOT training run ({@code -XX:AOTCacheOutput}): runs the common commands against a canned daemon
 * on a private socket so the cache holds the classes a real invocation loads. Needs no pierd.
 */
public final class Training {
    private static final String NETWORKS = "[{\"Name\":\"bridge\",\"Id\":\"f2de39df4171b0dc801e8002d1d999b77256983dfc63041c0f34030aa3977566\","
            + "\"Created\":\"2024-05-01T10:11:12.123456789Z\",\"Scope\":\"local\",\"Driver\":\"bridge\",\"EnableIPv6\":false,"
            + "\"Internal\":false,\"Attachable\":false,\"IPAM\":{\"Driver\":\"default\",\"Config\":[{\"Subnet\":\"172.17.0.0/16\","
            + "\"Gateway\":\"172.17.0.1\"}]},\"Options\":{},\"Labels\":{}},{\"Name\":\"host\",\"Id\":\"cccc39df4171b0dc801e8002d1d999b77256"
            + "983dfc63041c0f34030aa3977566\",\"Created\":\"2024-05-01T10:11:12Z\",\"Scope\":\"local\",\"Driver\":\"host\","
            + "\"EnableIPv6\":false,\"Internal\":false,\"Labels\":{\"a\":\"b\"}}]";
    private static final String CONTAINER = "{\"Id\":\"8dfafdbc3a40c2a6b8d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3\",\"Names\":[\"/web\"],"
            + "\"Image\":\"busybox\",\"ImageID\":\"sha256:aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999\","
            + "\"Command\":\"httpd -f -p 80 -h /www/very/long/path\",\"Created\":1700000000,\"Ports\":[{\"IP\":\"0.0.0.0\","
            + "\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},{\"PrivatePort\":443,\"Type\":\"tcp\"}],"
            + "\"Labels\":{\"b\":\"2\",\"a\":\"1\"},\"State\":\"running\",\"Status\":\"Up 2 minutes\",\"HostConfig\":{\"NetworkMode\":\"app\"},"
            + "\"NetworkSettings\":{\"Networks\":{\"app\":{\"IPAddress\":\"172.18.0.2\"}}},\"Mounts\":[]}";
    private static final String INSPECT = "{\"Id\":\"8dfa\",\"Name\":\"/web\",\"Created\":\"2024-05-01T10:11:12.5Z\","
            + "\"State\":{\"Status\":\"running\",\"Pid\":1234,\"Running\":true,\"ExitCode\":0},\"Config\":{\"Tty\":false,"
            + "\"Env\":[\"A=1\"],\"Labels\":{},\"Cmd\":[\"httpd\",\"-f\"],\"Entrypoint\":null},\"NetworkSettings\":{\"Ports\":"
            + "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"}],\"443/tcp\":null},\"Networks\":{\"app\":"
            + "{\"IPAddress\":\"172.18.0.2\",\"Aliases\":[\"a\"]}}}}";
    private static final String IMAGES = "[{\"Id\":\"sha256:aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999\","
            + "\"RepoTags\":[\"busybox:latest\"],\"RepoDigests\":[],\"Created\":1700000000,\"Size\":4261550,\"SharedSize\":-1,"
            + "\"Containers\":-1}]";

    private Training() {
    }

    /** Commands that never reach the daemon: version and help. */
    private static final String[][] LOCAL = {
        {"--version"},
        {"--help"},
        {"run", "--help"},
        {"network", "--help"},
    };

    /** Commands that read from the daemon and format what they get. */
    private static final String[][] QUERY = {
        {"network", "ls"},
        {"network", "ls", "-q"},
        {"network", "ls", "--no-trunc", "--format", "table {{.ID}}\\t{{.Name}}\\t{{.Driver}}\\t{{.Labels}}"},
        {"network", "ls", "--format", "json"},
        {"network", "ls", "-f", "driver=bridge", "--format", "{{.Name}} {{if .Internal}}internal{{else}}-{{end}}"},
        {"network", "inspect", "bridge"},
        {"network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", "bridge"},
        {"ps"},
        {"ps", "-a", "--format", "{{.Names}}\t{{.Status}}\t{{.Ports}}\t{{json .Labels}}\t{{.Label \"a\"}}"},
        {"ps", "-q"},
        {"images"},
        {"inspect", "web"},
        {"inspect", "-f", "{{.State.Status}} {{json .NetworkSettings}} {{index .Config.Env 0}} {{printf \"%s:%d\" .Name .State.Pid}}", "web"},
        {"port", "web"},
        {"version"},
        {"ps", "extra"},
        {"frob"},
    };

    /** Commands that change something: run, create, rm, network create... */
    private static final String[][] ACTION = {
        {"run", "-d", "--name", "web", "--network", "app", "-p", "8080:80/tcp", "-e", "A=1", "busybox", "httpd", "-f"},
        {"create", "--rm", "--ip", "172.18.0.9", "--network", "app", "--dns", "1.1.1.1", "busybox"},
        {"rm", "-f", "web"},
        {"stop", "web"},
        {"start", "web"},
        {"network", "create", "--subnet", "10.99.0.0/24", "--gateway", "10.99.0.1", "-o", "k=v", "x"},
        {"network", "rm", "x"},
        {"network", "connect", "--alias", "a", "app", "web"},
        {"run", "--bogus"},
    };

    /**
     * Runs one training set: {@code local}, {@code query} or {@code action} (the launcher keeps one
     * cache per set, because a cache preloads every class it holds and a broad one slows every command).
     */
    public static void main(String[] args) throws Exception {
        String set = args.length > 0 ? args[0] : "query";
        String[][] commands = switch (set) {
            case "local" -> LOCAL;
            case "action" -> ACTION;
            default -> QUERY;
        };
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        // the real process reads its environment: keep those classes in the cache too
        Map<String, String> environment = new HashMap<>(System.getenv());
        if (set.equals("local")) {
            run(commands, sink, environment);
            return;
        }
        Main.startSocketWarmUp().join();
        Path dir = Files.createTempDirectory("pier-aot");
        Path socket = dir.resolve("pier.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread daemon = new Thread(new CannedDaemon(server), "canned-daemon");
        daemon.setDaemon(true);
        daemon.start();
        environment.put("PIER_HOST", "unix://" + socket);
        try {
            run(commands, sink, environment);
            // the daemon is down: the error path
            Map<String, String> nowhere = new HashMap<>(environment);
            nowhere.put("PIER_HOST", "unix://" + dir.resolve("missing.sock"));
            Main.run(new String[] {"network", "ls"}, new Cli(InputStream.nullInputStream(), sink, sink, nowhere));
        } finally {
            server.close();
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static void run(String[][] commands, PrintStream sink, Map<String, String> environment) {
        for (int round = 0; round < 3; round++) {
            for (String[] command : commands) {
                try {
                    Main.run(command, new Cli(InputStream.nullInputStream(), sink, sink, environment));
                } catch (RuntimeException e) {
                    // a bug in one command must not cost every other command its cache
                    System.err.println("training: pier " + String.join(" ", command) + " failed: " + e);
                }
            }
        }
    }

    /** Answers every request with a canned body chosen by its path. */
    private record CannedDaemon(ServerSocketChannel server) implements Runnable {
        @Override
        public void run() {
            while (server.isOpen()) {
                try (SocketChannel client = server.accept()) {
                    serve(client);
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void serve(SocketChannel client) throws IOException {
            InputStream in = Channels.newInputStream(client);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                byte[] soFar = head.toByteArray();
                int n = soFar.length;
                if (n >= 4 && soFar[n - 4] == '\r' && soFar[n - 3] == '\n' && soFar[n - 2] == '\r' && soFar[n - 1] == '\n') {
                    break;
                }
            }
            String request = head.toString(StandardCharsets.ISO_8859_1);
            int lengthAt = request.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
            if (lengthAt >= 0) {
                int end = request.indexOf('\r', lengthAt);
                int length = Integer.parseInt(request.substring(lengthAt + 15, end).strip());
                in.readNBytes(length);
            }
            String line = request.substring(0, request.indexOf('\r'));
            String method = line.substring(0, line.indexOf(' '));
            String path = line.substring(line.indexOf(' ') + 1, line.lastIndexOf(' '));
            int status = 200;
            String body;
            if (path.contains("/networks/create")) {
                status = 201;
                body = "{\"Id\":\"abcdef0123456789\",\"Warning\":\"\"}";
            } else if (path.contains("/networks/") && method.equals("GET")) {
                body = NETWORKS.substring(1, NETWORKS.indexOf("},{") + 1);
            } else if (path.contains("/networks")) {
                body = method.equals("DELETE") ? "" : NETWORKS;
                status = method.equals("DELETE") ? 204 : 200;
            } else if (path.contains("/containers/json")) {
                body = "[" + CONTAINER + "]";
            } else if (path.contains("/containers/create")) {
                status = 201;
                body = "{\"Id\":\"8dfafdbc3a40c2a6b8d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3\",\"Warnings\":[]}";
            } else if (path.contains("/json") && path.contains("/containers/")) {
                body = INSPECT;
            } else if (path.contains("/containers/")) {
                status = 204;
                body = "";
            } else if (path.contains("/images/json")) {
                body = IMAGES;
            } else if (path.contains("/version")) {
                body = "{\"Platform\":{\"Name\":\"Pier Engine\"},\"Version\":\"0.1.0\",\"ApiVersion\":\"1.41\","
                        + "\"MinAPIVersion\":\"1.24\",\"Os\":\"linux\",\"Arch\":\"amd64\",\"Components\":[]}";
            } else {
                status = 404;
                body = "{\"message\":\"page not found\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            String response = "HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\n"
                    + (status == 204 ? "" : "Content-Length: " + bytes.length + "\r\n") + "\r\n";
            ByteBuffer out = ByteBuffer.allocate(response.length() + bytes.length);
            out.put(response.getBytes(StandardCharsets.ISO_8859_1));
            if (status != 204) {
                out.put(bytes);
            }
            out.flip();
            while (out.hasRemaining()) {
                client.write(out);
            }
        }
    }
}
