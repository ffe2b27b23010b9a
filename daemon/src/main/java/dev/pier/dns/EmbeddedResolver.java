package dev.pier.dns;

import dev.pier.linux.NetNamespace;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The embedded DNS server: one engine in pierd serving 127.0.0.11:53 inside every container that
 * is attached to it. Names come from the engine's current state at each query ({@code names}),
 * so joins, leaves and removals show at once without touching any socket.
 */
public final class EmbeddedResolver implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedResolver.class.getName());
    /** Docker's address for the resolver inside containers. */
    public static final InetAddress ADDRESS;

    static {
        try {
            ADDRESS = InetAddress.getByAddress(new byte[]{127, 0, 0, 11});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Supplier<NameTable> names;
    private final AnswerCache cache = new AnswerCache(4096, System::nanoTime);
    private final Map<String, ContainerResolver> attached = new ConcurrentHashMap<>();
    private final UdpEngine engine = new UdpEngine(ContainerResolver.UDP_SOCKETS);

    public EmbeddedResolver(Supplier<NameTable> names) {
        this.names = names;
    }

    /**
     * A server other names are forwarded to, and from where it is asked: the host's servers (from its
     * resolv.conf) from pierd's own namespace, as Docker does, so that a loopback one (systemd-resolved's
     * 127.0.0.53, a dnsmasq on 127.0.0.1) works; a container's --dns servers from the container's
     * namespace, through its own interfaces.
     */
    public record Upstream(InetAddress address, boolean fromHost) {}

    /**
     * Starts serving the container at 127.0.0.11:53 inside {@code namespace}, which this takes
     * ownership of (closed on detach, or here if binding fails). Re-attaching replaces the old sockets.
     *
     * @param upstreams where other names go, in order (the container's --dns, else the host's servers)
     */
    public void attach(String containerId, NetNamespace namespace, List<Upstream> upstreams) {
        detach(containerId);
        ContainerResolver r = new ContainerResolver(containerId, namespace, ADDRESS, upstreams, names, cache, engine);
        ContainerResolver old = attached.put(containerId, r);
        if (old != null) old.close();
        LOG.fine(() -> "dns attached " + containerId + " upstreams " + upstreams);
    }

    /** Closes the container's sockets; nothing attached is not an error. */
    public void detach(String containerId) {
        ContainerResolver r = attached.remove(containerId);
        if (r != null) r.close();
    }

    public boolean isAttached(String containerId) {
        return attached.containsKey(containerId);
    }

    @Override
    public void close() {
        for (String id : List.copyOf(attached.keySet())) detach(id);
        engine.close();
    }
}
