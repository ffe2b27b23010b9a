package dev.pier.api.wire;

import dev.pier.engine.ContainerRecord;
import dev.pier.engine.NetworkRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.pier.api.wire.Wire.map;
import static dev.pier.api.wire.Wire.time;

/** Docker's network JSON (NetworkResource), for `network ls` and `network inspect`. */
public final class NetworkWire {
    private NetworkWire() {}

    public static Map<String, Object> resource(NetworkRecord n, List<ContainerRecord> containers) {
        Map<String, Object> m = map();
        m.put("Name", n.name());
        m.put("Id", n.id());
        m.put("Created", time(n.created()));
        m.put("Scope", "local");
        m.put("Driver", n.driver());
        m.put("EnableIPv6", n.enableIpv6());
        List<Object> config = new ArrayList<>();
        for (var e : n.ipam()) {
            Map<String, Object> c = map();
            c.put("Subnet", e.subnet());
            if (e.ipRange() != null && !e.ipRange().isEmpty()) c.put("IPRange", e.ipRange());
            if (e.gateway() != null && !e.gateway().isEmpty()) c.put("Gateway", e.gateway());
            if (e.auxAddresses() != null && !e.auxAddresses().isEmpty()) c.put("AuxiliaryAddresses", e.auxAddresses());
            config.add(c);
        }
        Map<String, Object> ipam = map();
        ipam.put("Driver", "default");
        ipam.put("Options", n.predefined() ? null : Map.of());
        ipam.put("Config", config);
        m.put("IPAM", ipam);
        m.put("Internal", n.internal());
        m.put("Attachable", n.attachable());
        m.put("Ingress", false);
        m.put("ConfigFrom", Map.of("Network", ""));
        m.put("ConfigOnly", false);
        Map<String, Object> members = new LinkedHashMap<>();
        for (ContainerRecord c : containers) {
            for (var a : c.attachments()) {
                if (!a.networkId().equals(n.id())) continue;
                Map<String, Object> e = map();
                e.put("Name", c.name());
                e.put("EndpointID", a.endpointId());
                e.put("MacAddress", a.mac());
                e.put("IPv4Address", a.ipv4().isEmpty() ? "" : a.ipv4() + "/" + a.ipv4PrefixLength());
                e.put("IPv6Address", a.ipv6().isEmpty() ? "" : a.ipv6() + "/" + a.ipv6PrefixLength());
                members.put(c.id(), e);
            }
        }
        m.put("Containers", members);
        m.put("Options", n.options());
        m.put("Labels", n.labels());
        return m;
    }
}
