package dev.pier.engine;

import dev.pier.engine.ContainerRecord.Settings;
import dev.pier.firewall.Firewall;
import dev.pier.ports.HostPorts;
import dev.pier.ports.PortAllocator;
import dev.pier.ports.PortRequest;
import dev.pier.ports.PortUnavailableException;
import dev.pier.ports.Protocol;
import dev.pier.ports.PublishedPort;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes a container's ports: host ports chosen and held, then DNAT elements in the firewall;
 * all or nothing, and undone together.
 */
public final class PortService {
    private static final Logger LOG = Logger.getLogger(PortService.class.getName());

    private final PortAllocator allocator;
    private final HostPorts held;
    private final Firewall firewall;
    private final Consumer<String> routeLocalnet;
    private final Consumer<PublishedPort> forgetFlows;
    /** What each owner published, for the conntrack entries to forget at unpublish. */
    private final Map<String, List<PublishedPort>> published = new HashMap<>();

    /**
     * @param routeLocalnet lets a bridge route 127.0.0.0/8 (net.ipv4.conf.BRIDGE.route_localnet), for
     *                      connections from 127.0.0.1 to a published port
     * @param forgetFlows   deletes the conntrack entries of a UDP port's flows: with no close to end
     *                      them, they would go on steering datagrams to the removed container
     */
    public PortService(PortAllocator allocator, HostPorts held, Firewall firewall, Consumer<String> routeLocalnet,
                       Consumer<PublishedPort> forgetFlows) {
        this.forgetFlows = forgetFlows;
        this.allocator = allocator;
        this.held = held;
        this.firewall = firewall;
        this.routeLocalnet = routeLocalnet;
    }

    /**
     * What a start publishes: the bindings, and with -P every other exposed port on a random host
     * port. A request without a host address takes {@code defaultHostIp}: the network's
     * com.docker.network.bridge.host_binding_ipv4 ("" or 0.0.0.0: every address).
     */
    static List<PortRequest> requests(Settings s, String defaultHostIp) {
        List<PortRequest> out = new ArrayList<>();
        boolean bound = defaultHostIp != null && !defaultHostIp.isEmpty() && !defaultHostIp.equals("0.0.0.0");
        for (PortRequest p : s.portBindings())
            out.add(bound && p.hostIp().isEmpty() ? new PortRequest(p.containerPort(), p.protocol(), defaultHostIp, p.hostPortFirst(), p.hostPortLast()) : p);
        if (s.publishAllPorts()) {
            for (String key : s.exposedPorts()) {
                if (out.stream().anyMatch(p -> p.key().equals(key))) continue;
                int slash = key.indexOf('/');
                out.add(new PortRequest(Integer.parseInt(slash < 0 ? key : key.substring(0, slash)),
                        Protocol.parse(slash < 0 ? "" : key.substring(slash + 1)), bound ? defaultHostIp : "", 0, 0));
            }
        }
        return out;
    }

    /**
     * Takes a host port for every request and DNATs it to the container's address of the host
     * address's family; on failure nothing is left. The default binding ("") publishes on 0.0.0.0,
     * and on :: too when the container has an IPv6 address, the same host port on both. A container
     * without IPv6 is not published on IPv6: nftables cannot translate IPv6 to IPv4 (no NAT64) and
     * Pier has no userland proxy to do it.
     *
     * @param containerIpv6 "" when the container has no IPv6 address on the network
     */
    public synchronized List<PublishedPort> publish(String owner, List<PortRequest> requests, String containerIpv4,
                                                    String containerIpv6, String bridge) {
        if (requests.isEmpty()) return List.of();
        List<PublishedPort> out = new ArrayList<>();
        try {
            for (PortRequest r : requests) {
                List<String> hostIps = hostIps(r, containerIpv6);
                int port = allocator.allocate(r, candidate -> held.hold(owner, r.protocol(), hostIps, candidate));
                for (String ip : hostIps)
                    out.add(new PublishedPort(r.protocol(), r.containerPort(), ip, port, ip.indexOf(':') >= 0 ? containerIpv6 : containerIpv4));
            }
            if (out.stream().anyMatch(p -> p.hostIp().isEmpty() || p.hostIp().startsWith("127."))) routeLocalnet.accept(bridge);
            firewall.publish(owner, out);
            published.put(owner, List.copyOf(out));
            return List.copyOf(out);
        } catch (RuntimeException e) {
            held.release(owner);
            throw e;
        }
    }

    /** The host addresses a request binds: "" is 0.0.0.0, "::" every IPv6 address. */
    static List<String> hostIps(PortRequest r, String containerIpv6) {
        if (r.hostIp().isEmpty()) return containerIpv6.isEmpty() ? List.of("") : List.of("", "::");
        if (r.hostIp().equals("0.0.0.0")) return List.of("");
        if (r.ipv6() && containerIpv6.isEmpty())
            throw new PortUnavailableException("cannot publish on [" + r.hostIp() + "]:" + r.hostPortText()
                    + ": the container has no IPv6 address on its network (create the network with --ipv6)");
        return List.of(r.hostIp());
    }

    /** Removes the owner's DNAT elements and frees its host ports. */
    public synchronized void unpublish(String owner) {
        try {
            firewall.unpublish(owner);
        } finally {
            held.release(owner);
        }
        for (PublishedPort p : published.getOrDefault(owner, List.of())) {
            if (p.protocol() != Protocol.UDP) continue;
            try {
                forgetFlows.accept(p);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot forget the UDP flows of " + p.hostIpText() + ":" + p.hostPort(), e);
            }
        }
        published.remove(owner);
    }

    /** After a daemon restart: the ports of a running container held and mapped again, as they were. */
    public synchronized void restore(String owner, List<PublishedPort> ports, String bridge) {
        if (ports.isEmpty()) return;
        for (PublishedPort p : ports) {
            try {
                if (!held.hold(owner, p.protocol(), List.of(p.hostIp()), p.hostPort()))
                    LOG.warning("host port " + p.hostIpText() + ":" + p.hostPort() + " of " + owner + " was taken while pierd was down");
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot hold host port " + p.hostIpText() + ":" + p.hostPort() + " of " + owner, e);
            }
        }
        routeLocalnet.accept(bridge);
        firewall.publish(owner, ports);
        published.put(owner, List.copyOf(ports));
    }
}
