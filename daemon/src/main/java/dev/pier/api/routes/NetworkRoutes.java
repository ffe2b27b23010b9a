package dev.pier.api.routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pier.api.ApiException;
import dev.pier.api.Request;
import dev.pier.api.Response;
import dev.pier.api.Router;
import dev.pier.api.wire.NetworkWire;
import dev.pier.engine.ContainerRecord;
import dev.pier.engine.ContainerService;
import dev.pier.engine.EngineException;
import dev.pier.engine.NetworkRecord;
import dev.pier.engine.NetworkService;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.pier.api.routes.Errors.mapped;

/** /networks: create, list, inspect, remove, prune, connect, disconnect. */
public final class NetworkRoutes {
    private final NetworkService networks;
    private final ContainerService containers;

    public NetworkRoutes(NetworkService networks, ContainerService containers) {
        this.networks = networks;
        this.containers = containers;
    }

    public void register(Router router) {
        router.get("/networks", mapped(this::list));
        router.get("/networks/{id}", mapped(r -> Response.ok(NetworkWire.resource(networks.require(r.pathParam("id")), containers.list()))));
        router.post("/networks/create", mapped(this::create));
        router.delete("/networks/{id}", mapped(r -> {
            networks.remove(r.pathParam("id"), containers::hasEndpoints);
            return Response.noContent();
        }));
        router.post("/networks/prune", mapped(r -> {
            PruneFilters f = PruneFilters.parse(r.query("filters", ""));
            List<String> deleted = new ArrayList<>();
            for (NetworkRecord n : networks.list()) {
                if (n.predefined() || containers.hasEndpoints(n.id()) || !f.matches(n.created(), n.labels())) continue;
                try {
                    networks.remove(n.id(), containers::hasEndpoints);
                    deleted.add(n.name());
                } catch (EngineException ignored) {
                    // taken meanwhile
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("NetworksDeleted", deleted);
            return Response.ok(out);
        }));
        router.post("/networks/{id}/connect", mapped(this::connect));
        router.post("/networks/{id}/disconnect", mapped(r -> {
            JsonNode b = r.bodyJson(JsonNode.class);
            String container = b == null ? "" : b.path("Container").asText("");
            if (container.isEmpty()) throw ApiException.badRequest("a container is required");
            containers.disconnect(container, r.pathParam("id"), b.path("Force").asBoolean(false));
            return Response.empty(200);
        }));
    }

    private Response list(Request r) {
        Filters f = Filters.parse(r.query("filters", ""), List.of("name", "id", "driver", "label", "type", "scope", "dangling"));
        List<Object> out = new ArrayList<>();
        networks.list().stream().sorted(Comparator.comparing(NetworkRecord::name))
                .filter(n -> f.matches("name", n.name()::contains))
                .filter(n -> f.matches("id", n.id()::startsWith))
                .filter(n -> f.matches("driver", n.driver()::equals))
                .filter(n -> f.matches("scope", "local"::equals))
                .filter(n -> f.labelsMatch("label", n.labels()))
                .filter(n -> f.matches("type", t -> switch (t) {
                    case "custom" -> !n.predefined();
                    case "builtin" -> n.predefined();
                    default -> throw ApiException.badRequest("invalid filter: 'type'='" + t + "'");
                }))
                .filter(n -> f.matches("dangling", d -> Boolean.parseBoolean(d) == (!n.predefined() && !containers.hasEndpoints(n.id()))))
                .forEach(n -> out.add(NetworkWire.resource(n, List.of())));
        return Response.ok(out);
    }

    private Response create(Request r) throws IOException {
        JsonNode b = r.bodyJson(JsonNode.class);
        if (b == null || !b.isObject()) throw ApiException.badRequest("network create needs a JSON body");
        // Swarm's kinds of network: Pier has no swarm, and a local network in their place would be a lie.
        String scope = b.path("Scope").asText("");
        if (!scope.isEmpty() && !scope.equals("local"))
            throw ApiException.badRequest("a network of scope \"" + scope + "\" needs a swarm, which Pier does not have: only \"local\"");
        if (b.path("Ingress").asBoolean(false)) throw ApiException.badRequest("ingress networks need a swarm, which Pier does not have");
        if (b.path("ConfigOnly").asBoolean(false) || !b.path("ConfigFrom").path("Network").asText("").isEmpty())
            throw ApiException.badRequest("config-only networks (--config-only, --config-from) are not supported by Pier");
        List<NetworkRecord.IpamEntry> ipam = new ArrayList<>();
        JsonNode ipamNode = b.path("IPAM");
        String ipamDriver = ipamNode.path("Driver").asText("default");
        if (!ipamDriver.isEmpty() && !ipamDriver.equals("default"))
            throw ApiException.badRequest("IPAM driver " + ipamDriver + " is not supported (only \"default\")");
        for (JsonNode c : ipamNode.path("Config")) {
            Map<String, String> aux = new LinkedHashMap<>();
            c.path("AuxiliaryAddresses").fields().forEachRemaining(e -> aux.put(e.getKey(), e.getValue().asText()));
            ipam.add(new NetworkRecord.IpamEntry(c.path("Subnet").asText(""), c.path("Gateway").asText(""),
                    c.path("IPRange").asText(""), aux));
        }
        Map<String, String> options = new LinkedHashMap<>();
        b.path("Options").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
        Map<String, String> labels = new LinkedHashMap<>();
        b.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        NetworkRecord n = networks.create(new NetworkService.CreateRequest(b.path("Name").asText(""), b.path("Driver").asText(""),
                ipam, b.path("Internal").asBoolean(false), b.path("Attachable").asBoolean(false),
                b.path("EnableIPv6").asBoolean(false), options, labels));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Id", n.id());
        out.put("Warning", "");
        return Response.created(out);
    }

    private Response connect(Request r) throws IOException {
        JsonNode b = r.bodyJson(JsonNode.class);
        String container = b == null ? "" : b.path("Container").asText("");
        if (container.isEmpty()) throw ApiException.badRequest("a container is required");
        JsonNode ep = b.path("EndpointConfig");
        JsonNode ipamConfig = ep.path("IPAMConfig");
        List<String> aliases = new ArrayList<>(), links = new ArrayList<>();
        ep.path("Aliases").forEach(a -> aliases.add(a.asText()));
        ep.path("Links").forEach(l -> links.add(l.asText()));
        containers.connect(container, r.pathParam("id"), new ContainerRecord.EndpointRequest(ipamConfig.path("IPv4Address").asText(""),
                ipamConfig.path("IPv6Address").asText(""), aliases, ep.path("MacAddress").asText("")), links);
        return Response.empty(200);
    }
}
