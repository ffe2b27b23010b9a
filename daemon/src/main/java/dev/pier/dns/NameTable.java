package dev.pier.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Who is called what on which network: an immutable snapshot of the running containers, built
 * by the engine whenever its state changes and read by the resolver for every query. A container
 * sees only names on the networks it is attached to (and only networks with name resolution,
 * which the engine decides: user-defined ones).
 */
public final class NameTable {
    /**
     * One container as the resolver sees it. {@code forwards}: it may reach the outside (not only
     * internal networks); {@code links}: its --link aliases, alias → container name, seen by it alone.
     */
    public record Peer(String id, String name, String hostname, boolean forwards, List<Endpoint> endpoints,
                       Map<String, String> links) {
        public Peer(String id, String name, String hostname, boolean forwards, List<Endpoint> endpoints) {
            this(id, name, hostname, forwards, endpoints, Map.of());
        }
    }

    /** A container's endpoint on a network with name resolution. Either address may be null. */
    public record Endpoint(String networkId, String networkName, InetAddress ipv4, InetAddress ipv6, List<String> aliases) {}

    /** What the table says about a name or an address. */
    public sealed interface Answer {
        /** The name is a container's: these addresses of the asked family, shuffled (possibly none: NOERROR, no data). */
        record Addresses(List<InetAddress> addresses) implements Answer {}
        /** The address is a container's: its name. */
        record Pointer(String name) implements Answer {}
        /** Not a name the asker may see here: forward it (or not, see {@link #forwards}). */
        record Unknown() implements Answer {}
    }

    public static final NameTable EMPTY = new NameTable(List.of());
    private static final Answer UNKNOWN = new Answer.Unknown();

    /** network id → lower-case name → addresses of every container that has the name there. */
    private final Map<String, Map<String, List<InetAddress>>> names = new HashMap<>();
    /** network id → address → the name a PTR query gets. */
    private final Map<String, Map<InetAddress, String>> pointers = new HashMap<>();
    /** container id → its networks, in attachment order (the first network's answer wins, as in Docker). */
    private final Map<String, List<String>> networksOf = new HashMap<>();
    private final Set<String> forwarding = new java.util.HashSet<>();
    /** container id → its link aliases (lower case) → the linked container's name. */
    private final Map<String, Map<String, String>> linksOf = new HashMap<>();

    public NameTable(List<Peer> peers) {
        for (Peer p : peers) {
            List<String> nets = new ArrayList<>();
            if (p.forwards()) forwarding.add(p.id());
            if (p.links() != null && !p.links().isEmpty()) {
                Map<String, String> links = new HashMap<>();
                p.links().forEach((alias, target) -> links.put(key(alias), key(target)));
                linksOf.put(p.id(), links);
            }
            for (Endpoint e : p.endpoints()) {
                nets.add(e.networkId());
                Set<String> own = new LinkedHashSet<>();
                own.add(p.name());
                if (p.id().length() >= 12) own.add(p.id().substring(0, 12));
                if (p.hostname() != null && !p.hostname().isEmpty()) own.add(p.hostname());
                if (e.aliases() != null) own.addAll(e.aliases());
                Map<String, List<InetAddress>> byName = names.computeIfAbsent(e.networkId(), k -> new HashMap<>());
                List<InetAddress> addresses = new ArrayList<>(2);
                if (e.ipv4() != null) addresses.add(e.ipv4());
                if (e.ipv6() != null) addresses.add(e.ipv6());
                for (String n : own) {
                    if (n == null || n.isEmpty()) continue;
                    for (String key : List.of(key(n), key(n) + "." + key(e.networkName()))) {
                        List<InetAddress> list = byName.computeIfAbsent(key, k -> new ArrayList<>(2));
                        for (InetAddress a : addresses) if (!list.contains(a)) list.add(a);
                    }
                }
                Map<InetAddress, String> ptr = pointers.computeIfAbsent(e.networkId(), k -> new HashMap<>());
                // Docker answers PTR with name.network.
                for (InetAddress a : addresses) ptr.putIfAbsent(a, p.name() + "." + e.networkName());
            }
            networksOf.put(p.id(), List.copyOf(nets));
        }
    }

    /** Case-insensitive; a trailing dot is ignored. */
    public Answer lookup(String askerId, String name, boolean ipv6) {
        String k = key(name);
        String linked = linksOf.getOrDefault(askerId, Map.of()).get(k);
        if (linked != null) k = linked;
        for (String network : networksOf.getOrDefault(askerId, List.of())) {
            List<InetAddress> all = names.getOrDefault(network, Map.of()).get(k);
            if (all == null) continue;
            List<InetAddress> family = new ArrayList<>(all.size());
            for (InetAddress a : all) if (ipv6 ? a instanceof Inet6Address : a instanceof Inet4Address) family.add(a);
            if (family.size() > 1) Collections.shuffle(family, ThreadLocalRandom.current());
            return new Answer.Addresses(family);
        }
        return UNKNOWN;
    }

    public Answer reverse(String askerId, InetAddress address) {
        for (String network : networksOf.getOrDefault(askerId, List.of())) {
            String name = pointers.getOrDefault(network, Map.of()).get(address);
            if (name != null) return new Answer.Pointer(name);
        }
        return UNKNOWN;
    }

    /** May this container's other questions go outside? Not when it is only on internal networks (or unknown). */
    public boolean forwards(String askerId) {
        return forwarding.contains(askerId);
    }

    public boolean knows(String containerId) {
        return networksOf.containsKey(containerId);
    }

    private static String key(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return n.toLowerCase(Locale.ROOT);
    }

    /** For logs and tests: every name per network. */
    @Override
    public String toString() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        names.forEach((n, byName) -> m.put(n, new java.util.TreeSet<>(byName.keySet())));
        return "NameTable" + m;
    }
}
