package dev.pier.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * pierd on a tcp:// host with --tlsverify, driven by Debian's docker client with DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH, as Docker's documentation sets it up, and by bin/pier with the same flags and
 * PIER_TLS_VERIFY / PIER_CERT_PATH, with bin/make-test-certs's certificates (a CA,
 * the server's for 127.0.0.1, a client's, and a stranger's from another CA).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsHostTest {
    private static final Path DOCKER = Path.of("/usr/bin/docker");
    private Path certs;
    private Pier pier;
    private int port;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isExecutable(DOCKER), "no docker client at " + DOCKER + ": bin/install-deps installs Debian's docker.io");
        certs = Files.createTempDirectory("pier-tls-");
        Pier.run(List.of(Pier.HOME.resolve("bin/make-test-certs").toString(), certs.toString()), 60).ok();
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        pier = new Pier(List.of("--host", "tcp://127.0.0.1:" + port, "--tlsverify",
                "--tlscacert", certs.resolve("ca/cert.pem").toString(),
                "--tlscert", certs.resolve("server/cert.pem").toString(), "--tlskey", certs.resolve("server/key.pem").toString()));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (pier != null) {
                pier.close();
                assertThat(pier.leftovers()).isEmpty();
            }
        } finally {
            if (certs != null) {
                try (Stream<Path> paths = Files.walk(certs)) {
                    for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The docker client on the tcp host; {@code certDir} null: no TLS at all. */
    private Pier.Result docker(String certDir, Path input, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(DOCKER.toString()));
        cmd.addAll(List.of(args));
        Map<String, String> env = new java.util.HashMap<>(Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + port,
                "DOCKER_CONFIG", Files.createDirectories(pier.root.resolve("docker-config")).toString()));
        if (certDir != null) {
            env.put("DOCKER_TLS_VERIFY", "1");
            env.put("DOCKER_CERT_PATH", certs.resolve(certDir).toString());
        }
        return Pier.run(cmd, env, input, 60);
    }

    /** bin/pier on the tcp host, with {@code env} besides PIER_HOST. */
    private Pier.Result pierTcp(Map<String, String> env, Path input, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Pier.HOME.resolve("bin/pier").toString()));
        cmd.addAll(List.of(args));
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("PIER_HOST", "tcp://127.0.0.1:" + port);
        return Pier.run(cmd, all, input, 60);
    }

    @Test
    void pierWithTheSameFlagsAndVariablesWorksOverTls() throws Exception {
        Path client = certs.resolve("client");
        assertThat(pierTcp(Map.of(), null, "--tlsverify", "--tlscacert", client.resolve("ca.pem").toString(),
                "--tlscert", client.resolve("cert.pem").toString(), "--tlskey", client.resolve("key.pem").toString(),
                "network", "ls", "--format", "{{.Name}}").ok().out()).contains("bridge", "host", "none");
        Map<String, String> env = Map.of("PIER_TLS_VERIFY", "1", "PIER_CERT_PATH", client.toString());
        Path input = Files.writeString(pier.root.resolve("tls-input-pier.txt"), "pier through tls\n");
        assertThat(pierTcp(env, input, "run", "-i", "--rm", "busybox", "cat").ok().out()).isEqualTo("pier through tls\n");
        Pier.Result stranger = pierTcp(Map.of("PIER_TLS_VERIFY", "1", "PIER_CERT_PATH", certs.resolve("stranger").toString()),
                null, "network", "ls");
        assertThat(stranger.exit()).isNotZero();
        assertThat(stranger.err()).contains("certificate"); // TLS 1.3: the refusal comes with the first answer
        Pier.Result plain = pierTcp(Map.of(), null, "network", "ls");
        assertThat(plain.exit()).isNotZero();
    }

    @Test
    void theDockerClientWithItsCertificateWorksOverTls() throws Exception {
        assertThat(docker("client", null, "version", "-f", "{{.Server.Os}}").ok().out().strip()).isEqualTo("linux");
        assertThat(docker("client", null, "network", "ls", "--format", "{{.Name}}").ok().out()).contains("bridge", "host", "none");
        // attach streams over the TLS connection, both ways: stdin to cat, and its output back
        Path input = Files.writeString(pier.root.resolve("tls-input.txt"), "through tls\n");
        assertThat(docker("client", input, "run", "-i", "--rm", "busybox", "cat").ok().out()).isEqualTo("through tls\n");
        assertThat(docker("client", null, "run", "--rm", "busybox", "echo", "hello").ok().out()).isEqualTo("hello\n");
    }

    @Test
    void withoutTlsOrWithAnotherCasCertificateNothingGetsIn() throws Exception {
        Pier.Result plain = docker(null, null, "version", "-f", "{{.Server.Os}}");
        assertThat(plain.exit()).isNotZero();
        Pier.Result stranger = docker("stranger", null, "version", "-f", "{{.Server.Os}}");
        assertThat(stranger.exit()).isNotZero();
        assertThat(stranger.err()).containsIgnoringCase("certificate");
        // the unix socket stays as it was: its file mode guards it
        assertThat(pier.pier("version", "-f", "{{.Server.Os}}").ok().out().strip()).isEqualTo("linux");
    }

    @Test
    void aKeyThatCannotServeStopsTheStartBeforeAnythingIsTouched() throws Exception {
        assertThatThrownBy(() -> new Pier(List.of("--host", "tcp://127.0.0.1:0", "--tlsverify",
                "--tlscacert", certs.resolve("ca/cert.pem").toString(),
                "--tlscert", certs.resolve("server/cert.pem").toString(), "--tlskey", certs.resolve("client/key.pem").toString())))
                .hasMessageContaining("pierd exited 2").hasMessageContaining("the key is not the certificate's");
    }
}
