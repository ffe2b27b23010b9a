package dev.pier.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS on the API's tcp:// hosts, as Docker's {@code --tls} and {@code --tlsverify}: the server's
 * certificate chain and private key (PEM; the key in PKCS#8, what OpenSSL 3 writes), and, when
 * clients are verified, the CA whose certificates alone get in. Unix sockets stay plain: their
 * file mode is their guard.
 */
public record TlsSettings(Path certificate, Path key, Path caCertificate, boolean verifyClients) {
    public TlsSettings {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        if (verifyClients) Objects.requireNonNull(caCertificate, "caCertificate");
    }
}
