package dev.pier.ports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.Map;

/**
 * Chooses host ports: the one asked for, the first free one of a range, or a random one from the
 * kernel's ephemeral range, round-robin (the next search starts after the last port given, as
 * Docker's allocator does, so a port just freed is not handed out again at once). Whether a port
 * is free is the caller's test, which also takes it: with a real kernel that is a bind.
 */
public final class PortAllocator {
    /** Docker's range when the kernel's cannot be read. */
    public static final int DEFAULT_FIRST = 49153, DEFAULT_LAST = 65535;

    /** Takes the port if it is free; false when it is in use. */
    @FunctionalInterface
    public interface Taker {
        boolean take(int port);
    }

    private final int first, last;
    private final BitSet reserved;
    private final Map<Protocol, Integer> next = new EnumMap<>(Protocol.class);

    public PortAllocator(int first, int last, BitSet reserved) {
        if (first < 1 || last > 65535 || last < first) throw new IllegalArgumentException("invalid port range " + first + "-" + last);
        this.first = first;
        this.last = last;
        this.reserved = (BitSet) reserved.clone();
    }

    /** The kernel's ephemeral range and reserved ports (net.ipv4.ip_local_port_range, ip_local_reserved_ports). */
    public static PortAllocator fromKernel(Path procSysIpv4) {
        int first = DEFAULT_FIRST, last = DEFAULT_LAST;
        try {
            String[] range = Files.readString(procSysIpv4.resolve("ip_local_port_range")).strip().split("\\s+");
            int f = Integer.parseInt(range[0]), l = Integer.parseInt(range[1]);
            if (f >= 1 && l <= 65535 && f <= l) { first = f; last = l; }
        } catch (IOException | RuntimeException ignored) {
            // Docker's default range
        }
        BitSet reserved = new BitSet(65536);
        try {
            reserved = parseReserved(Files.readString(procSysIpv4.resolve("ip_local_reserved_ports")));
        } catch (IOException | RuntimeException ignored) {
            // nothing reserved
        }
        return new PortAllocator(first, last, reserved);
    }

    /** "8080,9000-9010" to a set of ports. */
    static BitSet parseReserved(String text) {
        BitSet set = new BitSet(65536);
        for (String part : text.strip().split(",")) {
            if (part.isBlank()) continue;
            int dash = part.indexOf('-');
            int from = Integer.parseInt(part.substring(0, dash < 0 ? part.length() : dash).strip());
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).strip());
            set.set(from, to + 1);
        }
        return set;
    }

    public int first() { return first; }
    public int last() { return last; }

    /**
     * A host port for the request, taken through {@code taker}.
     *
     * @throws PortUnavailableException with Docker's message when no port can be taken
     */
    public synchronized int allocate(PortRequest request, Taker taker) {
        String where = request.hostIpText() + ":" + request.hostPortText();
        if (!request.random()) {
            for (int port = request.hostPortFirst(); port <= request.hostPortLast(); port++) {
                if (taker.take(port)) return port;
            }
            throw new PortUnavailableException(request.hostPortFirst() == request.hostPortLast()
                    ? "Bind for " + where + " failed: port is already allocated"
                    : "Bind for " + where + " failed: all ports are allocated");
        }
        int size = last - first + 1;
        int start = next.getOrDefault(request.protocol(), first);
        for (int i = 0; i < size; i++) {
            int port = first + Math.floorMod(start - first + i, size);
            if (reserved.get(port)) continue;
            if (taker.take(port)) {
                next.put(request.protocol(), port == last ? first : port + 1);
                return port;
            }
        }
        throw new PortUnavailableException("Bind for " + request.hostIpText() + ":" + first + "-" + last
                + " failed: all ports are allocated");
    }
}
