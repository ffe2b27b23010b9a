package dev.pier.dns;

import dev.pier.linux.IpPrefix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The three files every container sees as its own: /etc/hosts, /etc/hostname and
 * /etc/resolv.conf, written the way Docker writes them, into the container's directory.
 */
public final class ContainerFiles {
    public static final String HOSTS = "hosts", HOSTNAME = "hostname", RESOLV_CONF = "resolv.conf";

    private ContainerFiles() {}

    /** A line of /etc/hosts. */
    public record HostEntry(String address, List<String> names) {}

    /** Writes hostname and hosts; self lists the container's own addresses (the hostname points to them). */
    public static void writeIdentity(Path dir, String hostname, String domainname, List<HostEntry> extraHosts,
                                     List<InetAddress> self) {
        StringBuilder hosts = new StringBuilder();
        hosts.append("127.0.0.1\tlocalhost\n");
        hosts.append("::1\tlocalhost ip6-localhost ip6-loopback\n");
        hosts.append("fe00::0\tip6-localnet\n");
        hosts.append("ff00::0\tip6-mcastprefix\n");
        hosts.append("ff02::1\tip6-allnodes\n");
        hosts.append("ff02::2\tip6-allrouters\n");
        for (HostEntry e : extraHosts) hosts.append(e.address()).append('\t').append(String.join(" ", e.names())).append('\n');
        String names = domainname == null || domainname.isEmpty() ? hostname : hostname + "." + domainname + " " + hostname;
        for (InetAddress a : self) hosts.append(IpPrefix.format(a)).append('\t').append(names).append('\n');
        write(dir.resolve(HOSTS), hosts.toString());
        write(dir.resolve(HOSTNAME), hostname + "\n");
    }

    /**
     * Points the running container's lines naming exactly {@code names} at {@code addresses} (see
     * {@link #withHostEntries}): how a link follows the linked container to its new address.
     */
    public static void updateHostEntries(Path dir, List<String> names, List<String> addresses) {
        Path file = dir.resolve(HOSTS);
        try {
            if (!Files.isRegularFile(file)) return;
            String before = Files.readString(file);
            String after = withHostEntries(before, names, addresses);
            if (!after.equals(before)) write(file, after);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    /**
     * The lines naming exactly {@code names} replaced by one line per address, where the first of them
     * was; every other line as it was, so what the container wrote itself stays (Docker too rewrites
     * only its link's lines). No such line, because the container deleted it: nothing changes.
     */
    public static String withHostEntries(String hosts, List<String> names, List<String> addresses) {
        List<String> out = new ArrayList<>();
        boolean found = false;
        for (String line : hosts.lines().toList()) {
            if (!namesOf(line).equals(names)) {
                out.add(line);
                continue;
            }
            if (!found) for (String a : addresses) out.add(a + "\t" + String.join(" ", names));
            found = true;
        }
        return found ? String.join("\n", out) + "\n" : hosts;
    }

    /** The names of a hosts line (after its address, before any comment); none for a comment or a blank line. */
    private static List<String> namesOf(String line) {
        int hash = line.indexOf('#');
        String[] fields = (hash < 0 ? line : line.substring(0, hash)).strip().split("\\s+");
        return fields.length < 2 ? List.of() : List.of(fields).subList(1, fields.length);
    }

    /**
     * resolv.conf from the host's, as Docker does for networks without the embedded resolver:
     * loopback nameservers removed (they cannot work from a container), IPv6 ones too unless the
     * container has IPv6, Google's as the fallback.
     */
    public static String resolvConf(String hostResolvConf, List<String> dns, List<String> dnsSearch, List<String> dnsOptions,
                                    boolean ipv6) {
        List<String> servers = new ArrayList<>();
        List<String> search = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (String raw : hostResolvConf.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#") || line.startsWith(";") || line.isEmpty()) continue;
            String[] f = line.split("\\s+");
            switch (f[0]) {
                case "nameserver" -> { if (f.length > 1 && !isLoopback(f[1]) && (ipv6 || !f[1].contains(":"))) servers.add(f[1]); }
                case "search", "domain" -> { search.clear(); for (int i = 1; i < f.length; i++) search.add(f[i]); }
                case "options" -> { for (int i = 1; i < f.length; i++) options.add(f[i]); }
                default -> {}
            }
        }
        if (!dns.isEmpty()) servers = new ArrayList<>(dns);
        if (!dnsSearch.isEmpty()) search = dnsSearch.equals(List.of(".")) ? List.of() : new ArrayList<>(dnsSearch);
        if (!dnsOptions.isEmpty()) options = new ArrayList<>(dnsOptions);
        if (servers.isEmpty()) {
            servers.add("8.8.8.8");
            servers.add("8.8.4.4");
            if (ipv6) { servers.add("2001:4860:4860::8888"); servers.add("2001:4860:4860::8844"); }
        }
        StringBuilder sb = new StringBuilder();
        if (!search.isEmpty()) sb.append("search ").append(String.join(" ", search)).append('\n');
        for (String s : servers) sb.append("nameserver ").append(s).append('\n');
        if (!options.isEmpty()) sb.append("options ").append(String.join(" ", options)).append('\n');
        return sb.toString();
    }

    /**
     * resolv.conf for a container served by the embedded resolver: only 127.0.0.11, the host's
     * search and options (or the flags'), and ndots:0 when no ndots is set, as Docker writes it.
     */
    public static String embeddedResolvConf(String hostResolvConf, List<String> dnsSearch, List<String> dnsOptions) {
        List<String> search = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (String[] f : directives(hostResolvConf)) {
            switch (f[0]) {
                case "search", "domain" -> { search.clear(); for (int i = 1; i < f.length; i++) search.add(f[i]); }
                case "options" -> { for (int i = 1; i < f.length; i++) options.add(f[i]); }
                default -> {}
            }
        }
        if (!dnsSearch.isEmpty()) search = dnsSearch.equals(List.of(".")) ? List.of() : new ArrayList<>(dnsSearch);
        if (!dnsOptions.isEmpty()) options = new ArrayList<>(dnsOptions);
        if (options.stream().noneMatch(o -> o.startsWith("ndots:"))) options.add("ndots:0");
        StringBuilder sb = new StringBuilder();
        sb.append("nameserver ").append("127.0.0.11").append('\n');
        if (!search.isEmpty()) sb.append("search ").append(String.join(" ", search)).append('\n');
        sb.append("options ").append(String.join(" ", options)).append('\n');
        return sb.toString();
    }

    /**
     * The servers the embedded resolver forwards to when the container has no --dns: the host's, at
     * most 3, loopback ones included (the resolver asks them from the host's namespace, as Docker does);
     * Google's public servers when the host names none, as Docker falls back to them too.
     */
    public static List<String> hostNameservers(String hostResolvConf) {
        List<String> servers = new ArrayList<>();
        for (String[] f : directives(hostResolvConf))
            if (f[0].equals("nameserver") && f.length > 1 && servers.size() < 3) servers.add(f[1]);
        return servers.isEmpty() ? List.of("8.8.8.8", "8.8.4.4") : servers;
    }

    private static List<String[]> directives(String resolvConf) {
        List<String[]> out = new ArrayList<>();
        for (String raw : resolvConf.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#") || line.startsWith(";") || line.isEmpty()) continue;
            out.add(line.split("\\s+"));
        }
        return out;
    }

    public static void writeResolvConf(Path dir, String content) {
        write(dir.resolve(RESOLV_CONF), content);
    }

    static boolean isLoopback(String address) {
        try {
            return IpPrefix.parseAddress(address).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;   // not an address: Docker drops it as invalid anyway
        }
    }

    /**
     * A new file appears whole (written aside, then renamed); an existing one is rewritten in place,
     * because a running container sees it through a bind mount of that very inode (a rename would
     * leave it reading the old file, e.g. after `network connect`).
     */
    private static void write(Path file, String content) {
        try {
            if (Files.isRegularFile(file)) {
                Files.writeString(file, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                return;
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, content);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }
}
