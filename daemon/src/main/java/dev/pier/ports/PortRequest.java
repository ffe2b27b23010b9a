package dev.pier.ports;

/**
 * One binding as asked (`-p`, or Docker's HostConfig.PortBindings entry): a container port and
 * where on the host to publish it.
 *
 * @param hostIp        the host address: "" for the default, every address of both families the
 *                      container can be reached on (0.0.0.0, and :: when it has IPv6); "0.0.0.0"
 *                      for every IPv4 address only, "::" for every IPv6 address only
 * @param hostPortFirst first host port of the range; 0 with {@code hostPortLast} 0 for a random port
 * @param hostPortLast  last host port of the range; equal to the first for one port
 */
public record PortRequest(int containerPort, Protocol protocol, String hostIp, int hostPortFirst, int hostPortLast) {
    public PortRequest {
        if (containerPort < 1 || containerPort > 65535) throw new IllegalArgumentException("invalid containerPort: " + containerPort);
        if (hostPortFirst < 0 || hostPortLast > 65535 || hostPortLast < hostPortFirst)
            throw new IllegalArgumentException("invalid hostPort: " + hostPortFirst + "-" + hostPortLast);
        hostIp = hostIp == null ? "" : hostIp;
    }

    /**
     * Docker's wire form: {@code port} is "80", "80/udp"; {@code hostPort} is "", "8080" or
     * "8000-8010". A container port range is not allowed here (the CLI expands those).
     */
    public static PortRequest parse(String port, String hostIp, String hostPort) {
        int slash = port.indexOf('/');
        int container = number(slash < 0 ? port : port.substring(0, slash), "invalid containerPort: " + port);
        Protocol protocol = Protocol.parse(slash < 0 ? "" : port.substring(slash + 1));
        String ip = hostIp == null ? "" : hostIp.strip();
        if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.substring(1, ip.length() - 1);
        if (!ip.isEmpty()) {
            if (ip.indexOf(':') >= 0) {
                ip = ipv6Literal(ip);
                if (ip.equals("::1"))
                    throw new IllegalArgumentException("cannot publish on ::1: the kernel does not route IPv6 loopback"
                            + " addresses to other interfaces (IPv6 has no route_localnet), and Pier has no userland proxy;"
                            + " use 127.0.0.1 or another address of the host");
            } else if (!ip.matches("(\\d{1,3}\\.){3}\\d{1,3}") || java.util.Arrays.stream(ip.split("\\.")).anyMatch(o -> Integer.parseInt(o) > 255)) {
                throw new IllegalArgumentException("invalid IP address: " + ip);
            }
        }
        String text = hostPort == null ? "" : hostPort.strip();
        if (text.isEmpty()) return new PortRequest(container, protocol, ip, 0, 0);
        int dash = text.indexOf('-');
        String message = "invalid hostPort: " + text;
        int first = number(dash < 0 ? text : text.substring(0, dash), message);
        int last = dash < 0 ? first : number(text.substring(dash + 1), message);
        if (last < first) throw new IllegalArgumentException(message);
        return new PortRequest(container, protocol, ip, first, last);
    }

    /** The canonical text ("::1", not "0:0:0:0:0:0:0:1"): what nft prints and inspect shows. */
    private static String ipv6Literal(String text) {
        java.net.InetAddress a;
        try {
            a = java.net.Inet6Address.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid IP address: " + text);
        }
        // An IPv4-mapped literal or a zone index: not a host address to publish on.
        if (!(a instanceof java.net.Inet6Address v6) || v6.getScopeId() != 0 || text.indexOf('%') >= 0)
            throw new IllegalArgumentException("invalid IP address: " + text);
        return dev.pier.linux.IpPrefix.format(v6);
    }

    /** Whether the binding is on IPv6 addresses ("::" or one address). */
    public boolean ipv6() {
        return hostIp.indexOf(':') >= 0;
    }

    private static int number(String text, String message) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) throw new IllegalArgumentException(message);
        int value = Integer.parseInt(text);
        if (value > 65535) throw new IllegalArgumentException(message);
        return value;
    }

    /** "80/tcp": the key of Docker's port maps. */
    public String key() {
        return containerPort + "/" + protocol.text();
    }

    public boolean random() {
        return hostPortFirst == 0;
    }

    /** "", "8080" or "8000-8010", as Docker echoes HostConfig.PortBindings. */
    public String hostPortText() {
        if (random()) return "";
        return hostPortFirst == hostPortLast ? Integer.toString(hostPortFirst) : hostPortFirst + "-" + hostPortLast;
    }

    /** The host address as Docker prints it in errors: 0.0.0.0 for the default. */
    public String hostIpText() {
        return hostIp.isEmpty() ? "0.0.0.0" : hostIp;
    }
}
