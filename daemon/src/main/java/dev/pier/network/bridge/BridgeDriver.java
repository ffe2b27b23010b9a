package dev.pier.network.bridge;

import dev.pier.linux.IpPrefix;
import dev.pier.linux.KernelException;
import dev.pier.linux.Link;
import dev.pier.linux.LinkKind;
import dev.pier.linux.LinkSpec;
import dev.pier.linux.NetNamespace;
import dev.pier.linux.Netlink;
import dev.pier.linux.Sysctl;
import dev.pier.linux.Route;
import dev.pier.network.EndpointSpec;
import dev.pier.network.NetworkDriver;
import dev.pier.network.NetworkPlan;
import dev.pier.network.Sandbox;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Linux bridge networks: one bridge per network, a veth pair per endpoint whose container end is
 * born inside the sandbox, so it never shows in the host namespace.
 */
public final class BridgeDriver implements NetworkDriver {
    private final Netlink host;
    private final int interfaceGroup;
    private final ConcurrentMap<String, Integer> bridgeIndexes = new ConcurrentHashMap<>();
    /** Bridges being unregistered by the kernel, by name: a new network of that name waits for its end. */
    private final ConcurrentMap<String, Thread> deletions = new ConcurrentHashMap<>();
    /**
     * Bridges of removed networks, down, without addresses and renamed, kept a moment for the next
     * network to take: the kernel holds its global lock for 10-20 ms while it unregisters a bridge,
     * so a deletion right before a creation makes the creation wait for it.
     */
    private final Deque<Spare> spares = new ArrayDeque<>();
    private final Duration spareLifetime;
    private static final int MAX_SPARES = 8;

    private record Spare(int index, String name) {}

    /**
     * @param interfaceGroup the rtnetlink group every host-side veth of this daemon is tagged with,
     *                       so that leftovers can be found and removed in one request
     */
    public BridgeDriver(Netlink host, int interfaceGroup) {
        this(host, interfaceGroup, Duration.ofSeconds(2));
    }

    BridgeDriver(Netlink host, int interfaceGroup, Duration spareLifetime) {
        this.host = host;
        this.interfaceGroup = interfaceGroup;
        this.spareLifetime = spareLifetime;
    }

    @Override
    public String name() {
        return "bridge";
    }

    @Override
    public void createNetwork(NetworkPlan network) {
        String name = network.interfaceName();
        awaitDeletion(name);
        boolean ipv6 = network.gateways().stream().anyMatch(g -> g.family() == 6);
        if (!network.existing() && takeSpareAs(network)) {
            // A spare keeps what its last network set: route_localnet (set again when a port needs
            // it) goes back to off, and IPv6 forwarding follows this network.
            Sysctl.write(NetNamespace.host(), "net.ipv4.conf." + name + ".route_localnet", "0");
            forwardIpv6(name, ipv6);
            return;
        }
        Link bridge = host.link(name).orElse(null);
        if (bridge == null) {
            if (network.existing()) throw new IllegalStateException("bridge " + name + " does not exist");
            host.addLink(LinkSpec.bridge(name).mtu(network.mtu()).up());
            bridge = host.requireLink(name);
        } else if (!network.existing()) {
            if (!bridge.kind().equals("bridge")) throw new IllegalStateException("interface " + name + " exists and is not a bridge");
            if (!bridge.isUp()) host.setUp(name);
            if (network.mtu() > 0 && bridge.mtu() != network.mtu()) host.setMtu(name, network.mtu());
        }
        int index = bridge.index();
        Set<String> present = addressesOn(index);
        Netlink.Batch batch = host.batch();
        for (IpPrefix gateway : network.gateways()) {
            if (!present.contains(gateway.toString())) batch.addAddress(index, gateway);
        }
        batch.commit();
        if (ipv6) forwardIpv6(name, true);
        bridgeIndexes.put(network.id(), index);
    }

    /**
     * IPv6 packets that come in on the bridge (answers of published ports, hairpin, the containers'
     * way out) are forwarded: force_forwarding (Linux 6.17+) turns forwarding on for this interface
     * alone. net.ipv6.conf.all.forwarding is left as the administrator set it: turning it on makes
     * the host ignore router advertisements on its uplink.
     */
    private static void forwardIpv6(String bridge, boolean on) {
        if (!java.nio.file.Files.exists(java.nio.file.Path.of("/proc/sys/net/ipv6/conf/all/force_forwarding"))) return;
        if (!on && !java.nio.file.Files.exists(java.nio.file.Path.of("/proc/sys/net/ipv6/conf/" + bridge + "/force_forwarding"))) return;
        Sysctl.write(NetNamespace.host(), "net.ipv6.conf." + bridge + ".force_forwarding", on ? "1" : "0");
    }

    @Override
    public void deleteNetwork(NetworkPlan network) {
        bridgeIndexes.remove(network.id());
        if (network.existing()) {
            host.link(network.interfaceName()).ifPresent(bridge -> {
                for (IpPrefix gateway : network.gateways()) {
                    if (network.keptGateways().contains(gateway)) continue; // the administrator's own address
                    try { host.deleteAddress(bridge.index(), gateway); } catch (KernelException ignored) { /* already gone */ }
                }
            });
            return;
        }
        // What others can observe goes now: the name, the up state, the addresses and routes. The
        // bridge itself is kept as a spare (see spares), then deleted.
        String name = network.interfaceName();
        Link bridge = host.link(name).orElse(null);
        if (bridge == null) return;
        int index = bridge.index();
        String spareName = "pspare" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        try {
            // Tagged with the daemon's group before anything else: a restart after a crash from here
            // on sweeps it with the veths. Down removes its routes and IPv6 addresses.
            host.batch().setUp(name, false).rename(index, spareName).setGroup(spareName, interfaceGroup).commit();
            Netlink.Batch batch = host.batch();
            Set<String> present = addressesOn(index);
            for (IpPrefix gateway : network.gateways()) {
                if (present.contains(gateway.toString())) batch.deleteAddress(index, gateway);
            }
            if (batch.size() > 0) batch.commit();
        } catch (KernelException e) {
            System.getLogger(BridgeDriver.class.getName()).log(System.Logger.Level.DEBUG, "before deleting " + name + ": " + e.getMessage());
            deleteInBackground(index, host.link(index).map(Link::name).orElse(name));
            return;
        }
        Spare spare = new Spare(index, spareName);
        boolean kept;
        synchronized (spares) {
            kept = spares.size() < MAX_SPARES && spares.add(spare);
        }
        if (!kept) {
            deleteInBackground(index, spareName);
            return;
        }
        Thread.ofVirtual().name("pier-spare-" + spareName).start(() -> {
            try {
                Thread.sleep(spareLifetime);
            } catch (InterruptedException ignored) {
                // deleted now, then
            }
            if (removeSpare(spare)) deleteInBackground(spare.index(), spare.name());
        });
    }

    /** Renames a spare bridge to the network's and sets it up as new; false when there is none (or it went away). */
    private boolean takeSpareAs(NetworkPlan network) {
        Spare spare;
        synchronized (spares) {
            spare = spares.pollLast();
        }
        if (spare == null) return false;
        String name = network.interfaceName();
        try {
            // On its own: if the name is taken, nothing below may touch the interface that has it.
            host.batch().rename(spare.index(), name).commit();
        } catch (KernelException e) {
            deleteInBackground(spare.index(), spare.name());
            return false;
        }
        Netlink.Batch batch = host.batch().setGroup(name, 0);
        if (network.mtu() > 0) batch.setMtu(name, network.mtu());
        batch.setUp(name, true);
        for (IpPrefix gateway : network.gateways()) batch.addAddress(spare.index(), gateway);
        try {
            batch.commit();
        } catch (KernelException e) {
            deleteInBackground(spare.index(), name);
            throw e;
        }
        bridgeIndexes.put(network.id(), spare.index());
        return true;
    }

    private boolean removeSpare(Spare spare) {
        synchronized (spares) {
            return spares.remove(spare);
        }
    }

    /** RTM_DELLINK waits 30-40 ms while the kernel unregisters the device: a thread of its own does it. */
    private void deleteInBackground(int index, String name) {
        Thread deleter = Thread.ofPlatform().name("pier-delete-" + name).unstarted(() -> {
            try (Netlink own = Netlink.open()) {
                own.deleteLink(index);
            } catch (KernelException e) {
                if (e.errno() != KernelException.ENODEV) System.getLogger(BridgeDriver.class.getName())
                        .log(System.Logger.Level.WARNING, "deleting bridge " + name + ": " + e.getMessage());
            } finally {
                deletions.remove(name, Thread.currentThread());
            }
        });
        deletions.put(name, deleter);
        deleter.start(); // not a daemon thread: pierd's exit waits for the kernel to finish
    }

    /** Deletes the spare bridges and returns once every bridge deletion in flight has finished (at daemon shutdown). */
    public void awaitDeletions() {
        List<Spare> left;
        synchronized (spares) {
            left = List.copyOf(spares);
            spares.clear();
        }
        for (Spare spare : left) deleteInBackground(spare.index(), spare.name());
        for (String name : List.copyOf(deletions.keySet())) awaitDeletion(name);
    }

    /** Returns once no deletion of a bridge named {@code name} is in flight. */
    public void awaitDeletion(String name) {
        Thread pending = deletions.get(name);
        if (pending == null) return;
        try {
            pending.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while bridge " + name + " is being deleted", e);
        }
    }

    /** The prefixes on a link, as text, to compare with a network's gateways. */
    private Set<String> addressesOn(int index) {
        Set<String> present = new HashSet<>();
        host.addresses(0, index).forEach(a -> present.add(a.prefix().toString()));
        return present;
    }

    private int bridgeIndex(NetworkPlan network) {
        return bridgeIndexes.computeIfAbsent(network.id(), id -> host.requireLink(network.interfaceName()).index());
    }

    @Override
    public void join(NetworkPlan network, EndpointSpec endpoint, Sandbox sandbox) {
        LinkKind.Peer peer = LinkKind.Peer.named(endpoint.interfaceName()).in(sandbox.namespace()).mtu(network.mtu()).mac(endpoint.mac());
        try {
            addHostEnd(network, endpoint, peer);
        } catch (KernelException e) {
            // EEXIST: the creation itself was refused and the link is not ours to remove, unless it is
            // this endpoint's previous veth (a container started again at once): the kernel destroys the
            // namespace it left in the background, so its pair may still be here. That one we finish off,
            // and if the kernel finished it between the refusal and the look, the name is simply free now.
            if (e.errno() != KernelException.EEXIST || !leftOverOrGone(endpoint.hostInterfaceName())) {
                if (e.errno() != KernelException.EEXIST) deleteQuietly(endpoint.hostInterfaceName());
                throw e;
            }
            deleteQuietly(endpoint.hostInterfaceName());
            try {
                addHostEnd(network, endpoint, peer);
            } catch (KernelException again) {
                if (again.errno() != KernelException.EEXIST) deleteQuietly(endpoint.hostInterfaceName());
                throw again;
            }
        }
        try {
            Netlink inside = sandbox.netlink();
            int index = inside.requireLink(endpoint.interfaceName()).index();
            Netlink.Batch batch = inside.batch();
            if (endpoint.ipv6() == null) batch.withoutIpv6LinkLocal(index);
            batch.setUp(index, true);
            if (endpoint.ipv4() != null) batch.addAddress(index, endpoint.ipv4());
            if (endpoint.ipv6() != null) batch.addAddress(index, endpoint.ipv6());
            if (endpoint.gatewayV4() != null) batch.addRoute(Route.defaultVia(endpoint.gatewayV4(), index));
            if (endpoint.gatewayV6() != null) batch.addRoute(Route.defaultVia(endpoint.gatewayV6(), index));
            batch.commit();
        } catch (RuntimeException e) {
            deleteQuietly(endpoint.hostInterfaceName());
            throw e;
        }
    }

    private void addHostEnd(NetworkPlan network, EndpointSpec endpoint, LinkKind.Peer peer) {
        // The host end is a bridge port: it never needs an IPv6 address of its own.
        host.batch().addLink(LinkSpec.veth(endpoint.hostInterfaceName(), peer)
                        .master(bridgeIndex(network)).mtu(network.mtu()).group(interfaceGroup))
                .withoutIpv6LinkLocal(endpoint.hostInterfaceName())
                .setUp(endpoint.hostInterfaceName(), true)
                .commit();
    }

    /** A link of that name tagged with this daemon's group: one of its own endpoints, left over. */
    private boolean leftOverOrGone(String hostInterfaceName) {
        return host.link(hostInterfaceName).map(l -> l.group() == interfaceGroup).orElse(true);
    }

    @Override
    public void leave(NetworkPlan network, EndpointSpec endpoint, Sandbox sandbox) {
        deleteQuietly(endpoint.hostInterfaceName());
    }

    private void deleteQuietly(String name) {
        try {
            host.deleteLink(name);
        } catch (KernelException e) {
            if (e.errno() != KernelException.ENODEV) throw e;
        }
    }
}
