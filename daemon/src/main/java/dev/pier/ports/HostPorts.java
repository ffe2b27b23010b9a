package dev.pier.ports;

import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Host ports held by the daemon while they are published: a bound socket per port (listening for
 * TCP, never accepting; DNAT takes every packet before it), so no other program can take the
 * port, and a program that has it already makes the bind, and so the publication, fail.
 */
public final class HostPorts {
    private static final Logger LOG = Logger.getLogger(HostPorts.class.getName());
    private final Map<String, List<Closeable>> byOwner = new HashMap<>();
    private final java.util.Set<Integer> sctpPorts = new java.util.HashSet<>();

    /**
     * Binds the port for {@code owner}; false when it is in use (by anyone, this daemon included).
     *
     * @throws PortUnavailableException when the bind fails for another reason (no such address)
     */
    public synchronized boolean hold(String owner, Protocol protocol, String hostIp, int port) {
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(InetAddress.getByName(hostIp.isEmpty() ? "0.0.0.0" : hostIp), port);
        } catch (UnknownHostException e) {
            throw new PortUnavailableException("invalid IP address: " + hostIp);
        }
        Closeable socket;
        try {
            socket = switch (protocol) {
                case TCP -> {
                    ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.INET);
                    try {
                        ch.bind(address, 1);
                    } catch (IOException e) {
                        ch.close();
                        throw e;
                    }
                    yield ch;
                }
                case UDP -> {
                    DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
                    try {
                        ch.bind(address);
                    } catch (IOException e) {
                        ch.close();
                        throw e;
                    }
                    yield ch;
                }
                // The JDK's SCTP channels need the kernel module and libsctp: the port is only kept from
                // other containers (at any address), not bound.
                case SCTP -> {
                    if (!sctpPorts.add(port)) throw new BindException("Address already in use");
                    yield () -> sctpPorts.remove(port);
                }
            };
        } catch (BindException e) {
            if (String.valueOf(e.getMessage()).contains("in use")) return false;
            throw new PortUnavailableException("failed to bind host port " + (hostIp.isEmpty() ? "0.0.0.0" : hostIp) + ":" + port
                    + "/" + protocol.text() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new PortUnavailableException("failed to bind host port " + (hostIp.isEmpty() ? "0.0.0.0" : hostIp) + ":" + port
                    + "/" + protocol.text() + ": " + e.getMessage());
        }
        byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).add(socket);
        return true;
    }

    /** Closes every socket of the owner. */
    public synchronized void release(String owner) {
        List<Closeable> sockets = byOwner.remove(owner);
        if (sockets == null) return;
        for (Closeable s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "closing a held port of " + owner, e);
            }
        }
    }

    public synchronized int count(String owner) {
        List<Closeable> sockets = byOwner.get(owner);
        return sockets == null ? 0 : sockets.size();
    }
}
