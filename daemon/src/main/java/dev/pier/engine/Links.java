package dev.pier.engine;

import dev.pier.firewall.Link;
import dev.pier.ports.Protocol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Docker's legacy links ({@code --link name:alias}): on the default bridge they put the linked
 * container in the linking one's /etc/hosts and describe it in environment variables; on a
 * user-defined network they are only DNS aliases (the resolver reads {@link #parse}).
 */
final class Links {
    private Links() {}

    /** --link as given ("name:alias", "name") or as Docker stores it ("/name:/container/alias"): alias → name, in order. */
    static Map<String, String> parse(List<String> links) {
        if (links == null || links.isEmpty()) return Map.of();
        Map<String, String> out = new LinkedHashMap<>();
        for (String link : links) {
            int colon = link.indexOf(':');
            String target = (colon < 0 ? link : link.substring(0, colon)).replaceFirst("^/", "");
            String alias = colon < 0 ? target : link.substring(colon + 1);
            alias = alias.substring(alias.lastIndexOf('/') + 1);
            if (!target.isEmpty() && !alias.isEmpty()) out.put(alias, target);
        }
        return out;
    }

    /** {@code existing} and {@code added} as one list of "name:alias", an added alias replacing an existing one. */
    static List<String> merged(List<String> existing, List<String> added) {
        Map<String, String> byAlias = new LinkedHashMap<>(parse(existing));
        byAlias.putAll(parse(added));
        List<String> out = new ArrayList<>();
        byAlias.forEach((alias, target) -> out.add(target + ":" + alias));
        return List.copyOf(out);
    }

    /**
     * The links with every one to {@code oldName} pointed at {@code newName} under the same alias (a
     * bare "--link db" keeps "db" as its alias); null when none names it.
     */
    static List<String> renamed(List<String> links, String oldName, String newName) {
        if (links == null || links.isEmpty()) return null;
        List<String> out = new ArrayList<>(links.size());
        boolean changed = false;
        for (var link : parse(links).entrySet()) {
            if (link.getValue().equals(oldName)) {
                out.add(newName + ":" + link.getKey());
                changed = true;
            } else {
                out.add(link.getValue() + ":" + link.getKey());
            }
        }
        return changed ? List.copyOf(out) : null;
    }

    /** The names of the linked container's /etc/hosts line: the alias, its hostname, and its name unless that is the alias. */
    static List<String> hostNames(String alias, String targetHostname, String targetName) {
        List<String> names = new ArrayList<>(List.of(alias));
        if (targetHostname != null && !targetHostname.isEmpty() && !names.contains(targetHostname)) names.add(targetHostname);
        if (!names.contains(targetName)) names.add(targetName);
        return names;
    }

    private record Port(int number, String protocol) {
        static Port parse(String key) {
            int slash = key.indexOf('/');
            return new Port(Integer.parseInt(slash < 0 ? key : key.substring(0, slash)),
                    slash < 0 ? "tcp" : key.substring(slash + 1).toLowerCase(Locale.ROOT));
        }
    }

    /** TCP first, then by protocol name; by number within a protocol (Docker's order, so ranges are adjacent). */
    private static final Comparator<Port> TCP_FIRST = Comparator.<Port, Boolean>comparing(p -> !p.protocol().equals("tcp"))
            .thenComparing(Port::protocol).thenComparingInt(Port::number);

    /**
     * The variables Docker gives a linking container for one link, in Docker's order.
     *
     * @param linkName     "/linking/alias", what {@code ALIAS_NAME} holds
     * @param targetIp     the linked container's address on the default bridge
     * @param exposedPorts the linked container's exposed ports ("80/tcp")
     * @param targetEnv    the linked container's environment ("KEY=value"); HOME and PATH are left out
     */
    static List<String> environment(String linkName, String targetIp, List<String> exposedPorts, List<String> targetEnv) {
        String alias = linkName.substring(linkName.lastIndexOf('/') + 1).toUpperCase(Locale.ROOT).replace('-', '_');
        List<Port> ports = exposedPorts.stream().map(Port::parse).distinct().sorted(TCP_FIRST).toList();
        List<String> env = new ArrayList<>();
        Port start = null, end = null;
        for (int i = 0; i < ports.size(); i++) {
            Port p = ports.get(i);
            if (i == 0) {
                start = end = p;
                env.add(alias + "_PORT=" + url(p, targetIp));
            }
            String prefix = alias + "_PORT_" + p.number() + "_" + p.protocol().toUpperCase(Locale.ROOT);
            env.add(prefix + "=" + url(p, targetIp));
            env.add(prefix + "_ADDR=" + targetIp);
            env.add(prefix + "_PORT=" + p.number());
            env.add(prefix + "_PROTO=" + p.protocol());
            // Consecutive numbers of one protocol form a range, described once more at its end.
            if (p.number() == end.number() + 1 && p.protocol().equals(end.protocol())) {
                end = p;
                if (i < ports.size() - 1) continue;
            }
            if (!end.equals(start)) {
                String range = alias + "_PORT_" + start.number() + "_" + start.protocol().toUpperCase(Locale.ROOT);
                env.add(range + "_START=" + url(start, targetIp));
                env.add(range + "_PORT_START=" + start.number());
                env.add(range + "_END=" + url(end, targetIp));
                env.add(range + "_PORT_END=" + end.number());
            }
            start = end = p;
        }
        env.add(alias + "_NAME=" + linkName);
        for (String e : targetEnv == null ? List.<String>of() : targetEnv) {
            int eq = e.indexOf('=');
            if (eq < 0) continue;
            String key = e.substring(0, eq);
            if (key.equals("HOME") || key.equals("PATH")) continue;   // build-time noise, as Docker says
            env.add(alias + "_ENV_" + key + "=" + e.substring(eq + 1));
        }
        return env;
    }

    /**
     * The linked container's exposed ports as the firewall opens them to its linkers across ICC off
     * ("53/udp" is udp 53); a key that names no port or protocol Pier knows opens nothing.
     */
    static List<Link.Service> services(List<String> exposedPorts) {
        List<Link.Service> out = new ArrayList<>();
        for (String key : exposedPorts) {
            try {
                Port p = Port.parse(key);
                Link.Service s = new Link.Service(Protocol.parse(p.protocol()), p.number());
                if (p.number() > 0 && p.number() <= 65535 && !out.contains(s)) out.add(s);
            } catch (IllegalArgumentException e) {
                // not a port: nothing to open
            }
        }
        return List.copyOf(out);
    }

    private static String url(Port p, String ip) {
        return p.protocol() + "://" + ip + ":" + p.number();
    }
}
