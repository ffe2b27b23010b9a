package dev.pier.api.routes;

import dev.pier.api.Response;
import dev.pier.api.Router;
import dev.pier.api.wire.NetworkWire;
import dev.pier.engine.ContainerService;
import dev.pier.engine.NetworkRecord;
import dev.pier.engine.NetworkService;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static dev.pier.api.routes.Errors.mapped;

/** /networks: list and inspect (create, connect and the rest come with user-defined networks). */
public final class NetworkRoutes {
    private final NetworkService networks;
    private final ContainerService containers;

    public NetworkRoutes(NetworkService networks, ContainerService containers) {
        this.networks = networks;
        this.containers = containers;
    }

    public void register(Router router) {
        router.get("/networks", mapped(r -> {
            List<Object> out = new ArrayList<>();
            networks.list().stream().sorted(Comparator.comparing(NetworkRecord::name))
                    .forEach(n -> out.add(NetworkWire.resource(n, List.of())));
            return Response.ok(out);
        }));
        router.get("/networks/{id}", mapped(r -> Response.ok(NetworkWire.resource(networks.require(r.pathParam("id")), containers.list()))));
    }
}
