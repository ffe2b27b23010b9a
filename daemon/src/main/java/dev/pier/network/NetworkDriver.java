package dev.pier.network;

/**
 * A kind of network: makes and removes a network's kernel objects and plugs sandboxes in. Drivers
 * hold no records: the engine passes them everything they need and keeps what they did.
 */
public interface NetworkDriver {
    /** The driver's name as Docker shows it: "bridge", "host", "null", "macvlan". */
    String name();

    /** Creates (or adopts, after a daemon restart) the kernel objects behind a network. */
    void createNetwork(NetworkPlan network);

    /** Removes what {@link #createNetwork} made; a missing object is not an error. */
    void deleteNetwork(NetworkPlan network);

    /** Creates the endpoint's interface in the sandbox, configured and up. */
    void join(NetworkPlan network, EndpointSpec endpoint, Sandbox sandbox);

    /** Removes the endpoint's interface; a missing one is not an error. */
    void leave(NetworkPlan network, EndpointSpec endpoint, Sandbox sandbox);
}
