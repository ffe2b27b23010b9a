package dev.pier.cli.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;

/** Where the daemon listens: {@code unix:///run/pier/pier.sock} or {@code tcp://host:port}. */
public sealed interface Host permits Host.Unix, Host.Tcp {
    String DEFAULT = "unix:///run/pier/pier.sock";

    /** The address as the user wrote it, for messages. */
    String uri();

    Transport connect() throws IOException;

    record Unix(String uri, String path) implements Host {
        @Override
        public Transport connect() throws IOException {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(path));
                return new Transport.Plain(channel);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
    }

    /** With {@code tls} null, plain. */
    record Tcp(String uri, String hostname, int port, TlsOptions tls) implements Host {
        Tcp(String uri, String hostname, int port) {
            this(uri, hostname, port, null);
        }

        @Override
        public Transport connect() throws IOException {
            return tls == null ? new Transport.Plain(SocketChannel.open(new InetSocketAddress(hostname, port))) : tls.connect(hostname, port);
        }
    }

    /** This host with TLS when it is a tcp one (a unix socket stays plain, as with Docker). */
    default Host withTls(TlsOptions tls) {
        return tls != null && this instanceof Tcp t ? new Tcp(t.uri(), t.hostname(), t.port(), tls) : this;
    }

    /** Parses {@code unix:///path} or {@code tcp://host:port}; the message says what is wrong. */
    static Host parse(String spec) {
        if (spec.startsWith("unix://")) {
            String path = spec.substring("unix://".length());
            if (path.isEmpty() || path.charAt(0) != '/') {
                throw new IllegalArgumentException("Invalid bind address format: " + spec);
            }
            return new Unix(spec, path);
        }
        if (spec.startsWith("tcp://")) {
            String rest = spec.substring("tcp://".length());
            int slash = rest.indexOf('/');
            if (slash >= 0) {
                rest = rest.substring(0, slash);
            }
            int colon = rest.lastIndexOf(':');
            String hostname = colon < 0 ? rest : rest.substring(0, colon);
            if (hostname.startsWith("[") && hostname.endsWith("]")) {
                hostname = hostname.substring(1, hostname.length() - 1);
            }
            if (hostname.isEmpty()) {
                hostname = "127.0.0.1";
            }
            int port = 2375;
            if (colon >= 0) {
                try {
                    port = Integer.parseInt(rest.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Invalid bind address format: " + spec);
                }
                if (port <= 0 || port > 65535) {
                    throw new IllegalArgumentException("Invalid bind address format: " + spec);
                }
            }
            return new Tcp(spec, hostname, port);
        }
        throw new IllegalArgumentException("Invalid bind address format: " + spec);
    }
}
