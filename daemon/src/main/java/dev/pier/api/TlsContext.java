package dev.pier.api;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The TLS of the API's tcp:// hosts, loaded from {@link TlsSettings} once: the daemon loads it before
 * it touches anything, so bad files stop the start, and {@link ApiServer#start} takes it as it is.
 */
public final class TlsContext {
    final SslContext ssl;

    private TlsContext(SslContext ssl) {
        this.ssl = ssl;
    }

    /**
     * Reads and checks the files once, binding nothing: IllegalArgumentException, naming them, when
     * they cannot serve (unreadable, invalid, or a key that is not the certificate's).
     */
    public static TlsContext load(TlsSettings tls) {
        for (Path file : tls.verifyClients() ? List.of(tls.certificate(), tls.key(), tls.caCertificate()) : List.of(tls.certificate(), tls.key())) {
            if (!Files.isReadable(file)) throw new IllegalArgumentException("TLS: cannot read " + file);
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(tls.certificate().toFile(), tls.key().toFile())
                    .sslProvider(SslProvider.JDK);
            if (tls.verifyClients()) builder.trustManager(tls.caCertificate().toFile()).clientAuth(ClientAuth.REQUIRE);
            SslContext context = builder.build();
            requireKeyOfCertificate(tls);
            return new TlsContext(context);
        } catch (java.security.GeneralSecurityException | IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS: cannot use " + tls.certificate() + " and " + tls.key()
                    + (tls.verifyClients() ? " with " + tls.caCertificate() : "") + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
        }
    }

    /**
     * Netty takes a key that is not the certificate's and every handshake then fails; as Docker (Go's
     * LoadX509KeyPair), such a pair is refused at the start: the key signs, the certificate verifies.
     */
    private static void requireKeyOfCertificate(TlsSettings tls) throws IOException, java.security.GeneralSecurityException {
        java.security.cert.X509Certificate certificate;
        try (var in = Files.newInputStream(tls.certificate())) {
            certificate = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String pem = Files.readString(tls.key());
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----"), end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) throw new IllegalArgumentException("the key is not a PKCS#8 PEM (BEGIN PRIVATE KEY)");
        byte[] der = java.util.Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        String algorithm = certificate.getPublicKey().getAlgorithm();
        java.security.PrivateKey key = java.security.KeyFactory.getInstance(algorithm)
                .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
        String signing = switch (algorithm) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (signing == null) return; // an algorithm we cannot try here: left to the handshake
        byte[] probe = "pier".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.security.Signature sign = java.security.Signature.getInstance(signing);
        sign.initSign(key);
        sign.update(probe);
        byte[] signature = sign.sign();
        java.security.Signature verify = java.security.Signature.getInstance(signing);
        verify.initVerify(certificate.getPublicKey());
        verify.update(probe);
        if (!verify.verify(signature)) throw new IllegalArgumentException("the key is not the certificate's");
    }

}
