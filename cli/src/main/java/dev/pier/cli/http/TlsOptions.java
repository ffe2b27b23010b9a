package dev.pier.cli.http;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * TLS to a tcp:// daemon, as Docker's client does it: with {@code verify}, the daemon's certificate
 * must come from {@code caCertificate} and name the host; without, anything is taken (Docker's
 * {@code --tls} alone). The client's certificate and key (PEM, the key in PKCS#8) go along when both
 * files exist.
 */
public final class TlsOptions {
    private final boolean verify;
    private final Path caCertificate, certificate, key;
    /** Made at the first connection and kept: a command opens several (run: create, attach, start, wait). */
    private SSLSocketFactory factory;

    public TlsOptions(boolean verify, Path caCertificate, Path certificate, Path key) {
        this.verify = verify;
        this.caCertificate = caCertificate;
        this.certificate = certificate;
        this.key = key;
    }

    private synchronized SSLSocketFactory factory() throws javax.net.ssl.SSLException {
        if (factory == null) {
            try {
                factory = context().getSocketFactory();
            } catch (GeneralSecurityException | IOException e) {
                throw new javax.net.ssl.SSLException("cannot use the certificates: " + e, e);
            }
        }
        return factory;
    }

    Transport connect(String hostname, int port) throws IOException {
        SSLSocketFactory factory = factory();
        Socket tcp = new Socket();
        try {
            tcp.connect(new InetSocketAddress(hostname, port));
            SSLSocket socket = (SSLSocket) factory.createSocket(tcp, hostname, port, true);
            if (verify) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
            }
            socket.startHandshake(); // refusals show here, not in the middle of a request
            return new Transport.Tls(socket);
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }

    private SSLContext context() throws GeneralSecurityException, IOException {
        TrustManager[] trust;
        if (verify) {
            KeyStore authorities = KeyStore.getInstance("PKCS12");
            authorities.load(null, null);
            int n = 0;
            for (Certificate c : certificates(caCertificate)) authorities.setCertificateEntry("ca" + n++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(authorities);
            trust = tmf.getTrustManagers();
        } else {
            trust = new TrustManager[] {new TakeAnything()};
        }
        KeyManagerFactory kmf = null;
        if (certificate != null && key != null && Files.exists(certificate) && Files.exists(key)) {
            Certificate[] chain = certificates(certificate).toArray(Certificate[]::new);
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(null, null);
            own.setKeyEntry("client", privateKey(key, chain[0].getPublicKey().getAlgorithm()), new char[0], chain);
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(own, new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), trust, null);
        return context;
    }

    private static java.util.Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    private static PrivateKey privateKey(Path pem, String algorithm) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem);
        int begin = text.indexOf("-----BEGIN PRIVATE KEY-----"), end = text.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) throw new GeneralSecurityException(pem + " is not a PKCS#8 key (BEGIN PRIVATE KEY)");
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /** Docker's --tls without --tlsverify: encrypted, the daemon not checked. */
    private static final class TakeAnything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
