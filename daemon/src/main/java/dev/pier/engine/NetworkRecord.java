package dev.pier.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A network as the engine keeps it.
 *
 * @param interfaceName the bridge interface (bridge driver), "" for host/null
 * @param existingBridge the bridge belongs to the administrator (`-b br0`, or a network created on a
 *                       bridge that was there): never created or deleted
 * @param foundGateways  gateway addresses such a bridge already had: left on it when the network goes
 */
public record NetworkRecord(String id, String name, String driver, Instant created, boolean internal, boolean attachable,
                            boolean enableIpv6, List<IpamEntry> ipam, Map<String, String> options,
                            Map<String, String> labels, String interfaceName, int mtu, boolean predefined,
                            boolean existingBridge, List<String> foundGateways) {
    public NetworkRecord {
        foundGateways = foundGateways == null ? List.of() : List.copyOf(foundGateways); // records stored before it existed
    }

    /** One subnet of a network, as given or chosen. */
    public record IpamEntry(String subnet, String gateway, String ipRange, Map<String, String> auxAddresses) {}

    public static final String ENABLE_ICC = "com.docker.network.bridge.enable_icc";
    public static final String ENABLE_MASQUERADE = "com.docker.network.bridge.enable_ip_masquerade";
    public static final String BRIDGE_NAME = "com.docker.network.bridge.name";
    public static final String DEFAULT_BRIDGE = "com.docker.network.bridge.default_bridge";
    public static final String MTU = "com.docker.network.driver.mtu";
    /** The host address published ports of the network bind when they name none. */
    public static final String HOST_BINDING_IPV4 = "com.docker.network.bridge.host_binding_ipv4";

    public boolean option(String key, boolean fallback) {
        String v = options.get(key);
        return v == null ? fallback : Boolean.parseBoolean(v);
    }
}
