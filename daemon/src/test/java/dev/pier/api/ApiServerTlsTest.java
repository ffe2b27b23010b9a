package dev.pier.api;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS on tcp:// hosts with real certificates (bin/make-test-certs: a CA, the server's for 127.0.0.1, a
 * client's from that CA and one from a CA the server does not trust) and real handshakes.
 */
class ApiServerTlsTest {
    private static Path dir;
    private ApiServer server;
    private final List<HttpClient> clients = new ArrayList<>();

    /** bin/make-test-certs: the repository's script, above the module Maven runs the test in. */
    @BeforeAll
    static void certificates() throws Exception {
        dir = Files.createTempDirectory("ptls-");
        Path script = Path.of("").toAbsolutePath();
        while (!Files.exists(script.resolve("bin/make-test-certs"))) script = script.getParent();
        Process p = new ProcessBuilder(script.resolve("bin/make-test-certs").toString(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @AfterAll
    static void removeCertificates() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        clients.forEach(HttpClient::close);
    }

    private static Router router() {
        return new Router().get("/hello", request -> Response.ok(Map.of("ok", true)));
    }

    private int start(boolean verifyClients) {
        server = ApiServer.start(List.of("tcp://127.0.0.1:0"), router(),
                TlsContext.load(new TlsSettings(dir.resolve("server/cert.pem"), dir.resolve("server/key.pem"), dir.resolve("ca/cert.pem"), verifyClients)));
        String uri = server.listening().getFirst();
        return Integer.parseInt(uri.substring(uri.lastIndexOf(':') + 1));
    }

    /** A client trusting our CA, presenting {@code clientName}'s certificate when not null. */
    private HttpClient client(String clientName) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("ca/cert.pem"))) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        KeyManagerFactory kmf = null;
        if (clientName != null) {
            KeyStore own = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve(clientName + "/bundle.p12"))) {
                own.load(in, "pier".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(own, "pier".toCharArray());
        }
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context).build();
        clients.add(c);
        return c;
    }

    private static HttpResponse<String> ping(HttpClient client, String scheme, int port) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/hello"))
                .timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void tlsVerifyLetsInOnlyClientsWithACertificateFromTheCa() throws Exception {
        int port = start(true);
        HttpResponse<String> ok = ping(client("client"), "https", port);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"ok\":true");
        assertThatThrownBy(() -> ping(client(null), "https", port)).as("no certificate").isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ping(client("stranger"), "https", port)).as("another CA's").isInstanceOf(IOException.class);
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        clients.add(plain);
        assertThatThrownBy(() -> ping(plain, "http", port)).as("plain HTTP").isInstanceOf(IOException.class);
    }

    @Test
    void tlsAloneEncryptsWithoutAskingForAClientCertificate() throws Exception {
        int port = start(false);
        assertThat(ping(client(null), "https", port).statusCode()).isEqualTo(200);
    }

    @Test
    void unusableFilesFailBeforeAnythingIsBound() throws Exception {
        Path socket = dir.resolve("run/never.sock");
        TlsSettings missingKey = new TlsSettings(dir.resolve("server/cert.pem"), dir.resolve("server/nope-key.pem"), dir.resolve("ca/cert.pem"), true);
        assertThatThrownBy(() -> ApiServer.start(List.of("unix://" + socket, "tcp://127.0.0.1:0"), router(), TlsContext.load(missingKey)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope-key.pem");
        assertThat(socket).doesNotExist();
        // A key that is not the certificate's.
        TlsSettings wrongKey = new TlsSettings(dir.resolve("server/cert.pem"), dir.resolve("client/key.pem"), dir.resolve("ca/cert.pem"), false);
        assertThatThrownBy(() -> TlsContext.load(wrongKey)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TLS: cannot use");
    }
}
