package dev.pier.ports;

import dev.pier.linux.BoundPort;
import dev.pier.linux.KernelException;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Host ports held by the daemon while they are published: a bound socket per port and address
 * (TCP ones listen, never accepting: DNAT takes every packet before it), so no other program can
 * take the port, and a program that has it already makes the bind, and so the publication, fail.
 */
public final class HostPorts {
    private static final Logger LOG = Logger.getLogger(HostPorts.class.getName());
    private final Map<String, List<Closeable>> byOwner = new HashMap<>();
    /** SCTP ports taken while the kernel has no SCTP sockets (see {@link #bindSctp}), as "4/9" or "6/9". */
    private final Set<String> sctpPorts = new HashSet<>();
    private boolean sctpWarned;

    /**
     * Binds the port on every one of {@code hostIps} ("" is 0.0.0.0, "::" every IPv6 address) for
     * {@code owner}, all or none; false when one of them is in use (by anyone, this daemon included).
     *
     * @throws PortUnavailableException when a bind fails for another reason (not an address of the host)
     */
    public synchronized boolean hold(String owner, Protocol protocol, List<String> hostIps, int port) {
        List<Closeable> taken = new ArrayList<>();
        try {
            for (String hostIp : hostIps) {
                Closeable socket = bind(protocol, hostIp, port);
                if (socket == null) {
                    closeAll(owner, taken);
                    return false;
                }
                taken.add(socket);
            }
        } catch (RuntimeException e) {
            closeAll(owner, taken);
            throw e;
        }
        byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).addAll(taken);
        return true;
    }

    /** One address: see {@link #hold(String, Protocol, List, int)}. */
    public boolean hold(String owner, Protocol protocol, String hostIp, int port) {
        return hold(owner, protocol, List.of(hostIp), port);
    }

    /** The bound socket, or null when the port is in use. */
    private Closeable bind(Protocol protocol, String hostIp, int port) {
        InetAddress address = address(hostIp);
        String where = PublishedPort.hostIpText(hostIp) + ":" + port + "/" + protocol.text();
        try {
            return switch (protocol) {
                // An IPv6 wildcard does not listen: the kernel cannot DNAT ::1 (no route_localnet for
                // IPv6), so a connection to [::1] is refused at once instead of waiting in a backlog.
                case TCP -> BoundPort.bind(BoundPort.Transport.TCP, address, port, !(address instanceof Inet6Address && address.isAnyLocalAddress()));
                case UDP -> BoundPort.bind(BoundPort.Transport.UDP, address, port, false);
                case SCTP -> bindSctp(address, port);
            };
        } catch (KernelException e) {
            if (e.errno() == KernelException.EADDRINUSE) return null;
            throw new PortUnavailableException("failed to bind host port " + where + ": " + e.getMessage());
        }
    }

    /**
     * SCTP is held by a bound SCTP socket when the kernel has SCTP. A kernel built without it
     * (CONFIG_IP_SCTP unset, as on the machines Pier is developed on: socket(2) answers
     * EPROTONOSUPPORT) has no SCTP socket for any program to bind, so the only ports to keep apart
     * are the containers' own: the daemon remembers them (at any address) instead. Conntrack and
     * NAT still handle SCTP there (nf_conntrack_proto_sctp), so the DNAT itself works.
     */
    private Closeable bindSctp(InetAddress address, int port) {
        try {
            return BoundPort.bind(BoundPort.Transport.SCTP, address, port, false);
        } catch (KernelException e) {
            if (e.errno() != KernelException.EPROTONOSUPPORT) throw e;
            if (!sctpWarned) {
                sctpWarned = true;
                LOG.info("the kernel has no SCTP sockets (EPROTONOSUPPORT): SCTP host ports are kept apart by pierd, not bound");
            }
            // Per family, at any address of it, as the two wildcards' sockets would be.
            String key = (address instanceof Inet6Address ? "6/" : "4/") + port;
            if (!sctpPorts.add(key)) return null;
            return () -> sctpPorts.remove(key);
        }
    }

    private static InetAddress address(String hostIp) {
        String literal = hostIp.isEmpty() ? "0.0.0.0" : hostIp;
        try {
            return InetAddress.ofLiteral(literal);
        } catch (IllegalArgumentException e) {
            throw new PortUnavailableException("invalid IP address: " + hostIp);
        }
    }

    private static void closeAll(String owner, List<Closeable> sockets) {
        for (Closeable s : sockets) {
            try {
                s.close();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "closing a held port of " + owner, e);
            }
        }
    }

    /** Closes every socket of the owner. */
    public synchronized void release(String owner) {
        List<Closeable> sockets = byOwner.remove(owner);
        if (sockets != null) closeAll(owner, sockets);
    }

    public synchronized int count(String owner) {
        List<Closeable> sockets = byOwner.get(owner);
        return sockets == null ? 0 : sockets.size();
    }
}
