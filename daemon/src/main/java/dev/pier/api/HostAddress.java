package dev.pier.api;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/** Where the API listens, parsed from a Docker-style host URI ({@code -H}). */
sealed interface HostAddress {

    String DEFAULT_SOCKET = "/run/pier/pier.sock";
    int DEFAULT_TCP_PORT = 2375;

    SocketAddress socketAddress();

    /** The URI as it is listened on (a tcp port of 0 shows as the port actually bound, see ApiServer). */
    String uri();

    record Unix(Path path) implements HostAddress {
        @Override
        public SocketAddress socketAddress() {
            return UnixDomainSocketAddress.of(path);
        }

        @Override
        public String uri() {
            return "unix://" + path;
        }
    }

    /** Plain TCP for now; TLS (Docker's 2376 with --tlsverify) will be a flag here and an SslHandler in the pipeline. */
    record Tcp(String host, int port) implements HostAddress {
        @Override
        public SocketAddress socketAddress() {
            return new InetSocketAddress(host, port);
        }

        @Override
        public String uri() {
            return "tcp://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * {@code unix:///path} ({@code unix://} alone: {@value #DEFAULT_SOCKET}), {@code tcp://host:port}
     * ({@code tcp://:port} and {@code tcp://host} default to 127.0.0.1 and {@value #DEFAULT_TCP_PORT}).
     */
    static HostAddress parse(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("empty API host; use e.g. unix://" + DEFAULT_SOCKET + " or tcp://127.0.0.1:2375");
        }
        String text = uri.strip();
        if (text.startsWith("unix://")) {
            String path = text.substring("unix://".length());
            if (path.isEmpty()) {
                path = DEFAULT_SOCKET;
            }
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("unix socket path must be absolute: " + uri);
            }
            if (path.endsWith("/")) {
                throw new IllegalArgumentException("unix socket path names a directory: " + uri);
            }
            return new Unix(Path.of(path).normalize());
        }
        if (text.startsWith("tcp://")) {
            return parseTcp(uri, text.substring("tcp://".length()));
        }
        if (text.startsWith("fd://")) {
            throw new IllegalArgumentException("fd:// (systemd socket activation) is not supported; use unix:// or tcp://: " + uri);
        }
        throw new IllegalArgumentException("unsupported API host \"" + uri + "\": use unix:///path or tcp://host:port");
    }

    private static Tcp parseTcp(String uri, String rest) {
        if (rest.contains("/") || rest.contains("?") || rest.contains("@")) {
            throw new IllegalArgumentException("tcp API host takes only host:port: " + uri);
        }
        String host;
        String portText;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed [ in IPv6 API host: " + uri);
            }
            host = rest.substring(1, close);
            String after = rest.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw new IllegalArgumentException("expected :port after ] in API host: " + uri);
            }
            portText = after.isEmpty() ? "" : after.substring(1);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon >= 0 && rest.indexOf(':') != colon) {
                throw new IllegalArgumentException("IPv6 API host must be in brackets, e.g. tcp://[::1]:2375: " + uri);
            }
            host = colon < 0 ? rest : rest.substring(0, colon);
            portText = colon < 0 ? "" : rest.substring(colon + 1);
        }
        if (host.isEmpty()) {
            host = "127.0.0.1";
        }
        int port = DEFAULT_TCP_PORT;
        if (!portText.isEmpty()) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("bad port \"" + portText + "\" in API host: " + uri);
            }
        }
        return new Tcp(host, port);
    }
}
