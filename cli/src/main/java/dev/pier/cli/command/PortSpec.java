package dev.pier.cli.command;

import java.util.ArrayList;
import java.util.List;

/**
 * Docker's {@code -p} and {@code --expose} syntax: {@code [ip:][hostPort:]containerPort[/proto]} with
 * ranges ({@code 8000-8010:80-90}), IPv6 in brackets, protocols tcp, udp and sctp.
 */
public final class PortSpec {
    /** One published container port: {@code port} is {@code "80/tcp"}. */
    public record Binding(String port, String hostIp, String hostPort) {
    }

    private PortSpec() {
    }

    /** Parses one {@code -p} value; the exception's message is Docker's. */
    public static List<Binding> parse(String raw) {
        String[] parts = raw.split(":", -1);
        int n = parts.length;
        String ip;
        String hostPort;
        String containerPart = parts[n - 1];
        switch (n) {
            case 1 -> {
                ip = "";
                hostPort = "";
            }
            case 2 -> {
                ip = "";
                hostPort = parts[0];
            }
            case 3 -> {
                ip = parts[0];
                hostPort = parts[1];
            }
            default -> {
                ip = String.join(":", java.util.Arrays.copyOfRange(parts, 0, n - 2));
                hostPort = parts[n - 2];
            }
        }
        String[] protoPort = splitProtoPort(containerPart);
        String proto = protoPort[0];
        String containerPort = protoPort[1];
        if (ip.startsWith("[")) {
            if (!ip.endsWith("]")) {
                throw new IllegalArgumentException("invalid IP address " + ip);
            }
            ip = ip.substring(1, ip.length() - 1);
        }
        if (!ip.isEmpty() && !Addresses.isIp(ip)) {
            throw new IllegalArgumentException("invalid IP address: " + ip);
        }
        if (containerPort.isEmpty()) {
            throw new IllegalArgumentException("no port specified: " + raw + "<empty>");
        }
        int[] container = range(containerPort);
        if (container == null) {
            throw new IllegalArgumentException("invalid containerPort: " + containerPort);
        }
        int[] host = {0, 0};
        if (!hostPort.isEmpty()) {
            host = range(hostPort);
            if (host == null) {
                throw new IllegalArgumentException("invalid hostPort: " + hostPort);
            }
            if (container[1] - container[0] != host[1] - host[0] && container[1] != container[0]) {
                throw new IllegalArgumentException("invalid ranges specified for container and host Ports: "
                        + containerPort + " and " + hostPort);
            }
        }
        proto = proto.toLowerCase(java.util.Locale.ROOT);
        if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
            throw new IllegalArgumentException("invalid proto: " + proto);
        }
        int count = container[1] - container[0] + 1;
        List<Binding> bindings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String published = "";
            if (!hostPort.isEmpty()) {
                published = Integer.toString(host[0] + i);
                // one container port and a host range: the daemon picks a free port in the range
                if (count == 1 && host[0] != host[1]) {
                    published += "-" + host[1];
                }
            }
            bindings.add(new Binding((container[0] + i) + "/" + proto, ip, published));
        }
        return bindings;
    }

    /** Parses one {@code --expose} value into port keys ({@code "80/tcp"}). */
    public static List<String> parseExpose(String raw) {
        if (raw.indexOf(':') >= 0) {
            throw new IllegalArgumentException("invalid port format for --expose: " + raw);
        }
        String[] protoPort = splitProtoPort(raw);
        int[] range = range(protoPort[1]);
        if (range == null) {
            throw new IllegalArgumentException("invalid range format for --expose: " + raw
                    + ", error: strconv.ParseUint: parsing \"" + protoPort[1] + "\": invalid syntax");
        }
        String proto = protoPort[0].toLowerCase(java.util.Locale.ROOT);
        if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
            throw new IllegalArgumentException("invalid proto: " + proto);
        }
        List<String> ports = new ArrayList<>();
        for (int p = range[0]; p <= range[1]; p++) {
            ports.add(p + "/" + proto);
        }
        return ports;
    }

    /** {@code "80/udp"} to {proto, port}; tcp by default. */
    static String[] splitProtoPort(String raw) {
        if (raw.isEmpty() || raw.charAt(0) == '/') {
            return new String[] {"", ""};
        }
        int slash = raw.indexOf('/');
        if (slash < 0) {
            return new String[] {"tcp", raw};
        }
        String port = raw.substring(0, slash);
        String rest = raw.substring(slash + 1);
        int next = rest.indexOf('/');
        String proto = next < 0 ? rest : rest.substring(0, next);
        return new String[] {proto.isEmpty() ? "tcp" : proto, port};
    }

    /** {@code "80"} or {@code "80-90"} to {start, end}; null when malformed or out of 0..65535. */
    static int[] range(String text) {
        if (text.isEmpty()) {
            return null;
        }
        int dash = text.indexOf('-');
        if (dash < 0) {
            int port = port(text);
            return port < 0 ? null : new int[] {port, port};
        }
        int start = port(text.substring(0, dash));
        String rest = text.substring(dash + 1);
        int secondDash = rest.indexOf('-');
        int end = port(secondDash < 0 ? rest : rest.substring(0, secondDash));
        if (start < 0 || end < 0 || end < start) {
            return null;
        }
        return new int[] {start, end};
    }

    private static int port(String text) {
        if (text.isEmpty() || text.length() > 5) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return -1;
            }
        }
        int value = Integer.parseInt(text);
        return value > 65535 ? -1 : value;
    }
}
