package dev.pier.engine;

import dev.pier.firewall.Firewall;
import dev.pier.firewall.Link;
import dev.pier.ipam.AddressPools;
import dev.pier.ipam.IpamConfig;
import dev.pier.ipam.IpamException;
import dev.pier.ipam.Subnet;
import dev.pier.ipam.SubnetAllocator;
import dev.pier.linux.IpPrefix;
import dev.pier.linux.MacAddress;
import dev.pier.linux.Netlink;
import dev.pier.linux.Route;
import dev.pier.network.EndpointSpec;
import dev.pier.network.NetworkDriver;
import dev.pier.network.NetworkPlan;
import dev.pier.network.Sandbox;
import dev.pier.store.Store;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Networks: the predefined three, their kernel objects through the drivers, address allocation,
 * and the firewall kept in step. Endpoints are plugged and unplugged here; containers decide when.
 */
public final class NetworkService {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(NetworkService.class.getName());
    /** What the daemon was told about its default bridge. */
    public record DefaultBridge(String interfaceName, String bip, boolean existing, int mtu, boolean icc,
                                boolean masquerade) {}

    private final Store.Collection<NetworkRecord> records;
    private final Map<String, NetworkDriver> drivers;
    private final Firewall firewall;
    private final Netlink host;
    private final AddressPools pools;
    private final Map<String, NetworkRecord> byId = new ConcurrentHashMap<>();
    private final Map<String, List<SubnetAllocator>> allocators = new ConcurrentHashMap<>();
    /** Host-side ports of endpoints on networks with ICC off. */
    private final java.util.Set<String> isolatedPorts = ConcurrentHashMap.newKeySet();

    public NetworkService(Store store, List<NetworkDriver> drivers, Firewall firewall, Netlink host, AddressPools pools) {
        this.records = store.collection("networks", NetworkRecord.class);
        Map<String, NetworkDriver> m = new LinkedHashMap<>();
        for (NetworkDriver d : drivers) m.put(d.name(), d);
        this.drivers = m;
        this.firewall = firewall;
        this.host = host;
        this.pools = pools;
    }

    /** Loads stored networks, makes sure the predefined ones exist, and brings their kernel objects up. */
    public synchronized void start(DefaultBridge bridge) {
        for (NetworkRecord r : records.values()) byId.put(r.id(), r);
        ensurePredefined("host", "host", "", 0, null);
        ensurePredefined("none", "null", "", 0, null);
        if (bridge != null) ensureDefaultBridge(bridge);
        for (NetworkRecord r : byId.values()) {
            allocators.put(r.id(), newAllocators(r));
            try {
                driver(r).createNetwork(plan(r));
            } catch (RuntimeException e) {
                // A user network on the administrator's bridge, which went while Pier was down: Pier does not
                // make it again (it was never Pier's); its containers fail to join with the reason.
                if (r.predefined() || !r.existingBridge()) throw e;
                LOG.warning("network " + r.name() + ": " + e.getMessage());
            }
        }
        syncFirewall();
    }

    private void ensurePredefined(String name, String driver, String iface, int mtu, List<NetworkRecord.IpamEntry> ipam) {
        if (find(name).isPresent()) return;
        NetworkRecord r = new NetworkRecord(newId(), name, driver, Instant.now(), false, false, false,
                ipam == null ? List.of() : ipam, Map.of(), Map.of(), iface, mtu, true, false, List.of());
        records.put(r.id(), r);
        byId.put(r.id(), r);
    }

    private void ensureDefaultBridge(DefaultBridge bridge) {
        Optional<NetworkRecord> existing = find("bridge");
        NetworkRecord.IpamEntry entry = defaultBridgeIpam(bridge, existing.orElse(null));
        Map<String, String> options = new LinkedHashMap<>();
        options.put(NetworkRecord.DEFAULT_BRIDGE, "true");
        options.put(NetworkRecord.ENABLE_ICC, String.valueOf(bridge.icc()));
        options.put(NetworkRecord.ENABLE_MASQUERADE, String.valueOf(bridge.masquerade()));
        options.put(NetworkRecord.HOST_BINDING_IPV4, "0.0.0.0");
        options.put(NetworkRecord.BRIDGE_NAME, bridge.interfaceName());
        options.put(NetworkRecord.MTU, String.valueOf(bridge.mtu()));
        NetworkRecord r = new NetworkRecord(existing.map(NetworkRecord::id).orElseGet(NetworkService::newId), "bridge", "bridge",
                existing.map(NetworkRecord::created).orElseGet(Instant::now), false, false, false, List.of(entry), options,
                Map.of(), bridge.interfaceName(), bridge.mtu(), true, bridge.existing(), List.of());
        records.put(r.id(), r);
        byId.put(r.id(), r);
    }

    /** --bip if given; else what the bridge already had; else the first pool free of the host's routes. */
    private NetworkRecord.IpamEntry defaultBridgeIpam(DefaultBridge bridge, NetworkRecord previous) {
        if (bridge.bip() != null && !bridge.bip().isEmpty()) {
            IpPrefix bip = IpPrefix.parse(bridge.bip());
            Subnet subnet = Subnet.of(bip.address(), bip.prefixLength());
            return new NetworkRecord.IpamEntry(subnet.toString(), IpPrefix.format(bip.address()), "", Map.of());
        }
        if (bridge.existing()) {
            var link = host.requireLink(bridge.interfaceName());
            var address = host.addresses(4, link.index()).stream().findFirst()
                    .orElseThrow(() -> new IllegalStateException("bridge " + bridge.interfaceName() + " has no IPv4 address"));
            Subnet subnet = Subnet.of(address.prefix().address(), address.prefix().prefixLength());
            return new NetworkRecord.IpamEntry(subnet.toString(), IpPrefix.format(address.prefix().address()), "", Map.of());
        }
        if (previous != null && !previous.ipam().isEmpty()) return previous.ipam().getFirst();
        Subnet subnet = pools.nextFree(inUseSubnets());
        return new NetworkRecord.IpamEntry(subnet.toString(), IpPrefix.format(subnet.addressAt(1)), "", Map.of());
    }

    /** Subnets taken by Pier's networks and by the host's routes (other than default routes). */
    public List<Subnet> inUseSubnets() {
        return inUseSubnets(0);
    }

    /** The same, but for the routes through interface {@code exceptOutIndex} (0: none excepted). */
    private List<Subnet> inUseSubnets(int exceptOutIndex) {
        List<Subnet> used = new ArrayList<>();
        for (NetworkRecord r : byId.values()) {
            for (var e : r.ipam()) used.add(Subnet.parse(e.subnet()));
        }
        // A route of one of Pier's bridges is its network's subnet (counted above) or link-local, so
        // no dump of every link to tell them apart (it waits for the kernel's lock, held by deletions).
        for (Route route : host.routes(0)) {
            if (route.isDefault() || route.table() != Route.MAIN_TABLE) continue;
            if (exceptOutIndex != 0 && route.outIndex() == exceptOutIndex) continue;
            Subnet s = Subnet.of(route.destination().address(), route.destination().prefixLength());
            if (!used.contains(s)) used.add(s);
        }
        return used;
    }

    private static List<SubnetAllocator> newAllocators(NetworkRecord r) {
        List<SubnetAllocator> list = new ArrayList<>();
        for (var e : r.ipam()) {
            list.add(new SubnetAllocator(IpamConfig.parse(e.subnet(), emptyToNull(e.ipRange()), emptyToNull(e.gateway()), e.auxAddresses())));
        }
        return list;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    public static String newId() {
        byte[] b = new byte[32];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    // ------------------------------------------------------------------ user-defined networks

    /** What `network create` asks for, in domain terms. */
    public record CreateRequest(String name, String driver, List<NetworkRecord.IpamEntry> ipam, boolean internal,
                                boolean attachable, boolean enableIpv6, Map<String, String> options,
                                Map<String, String> labels) {}

    private static final java.util.Set<String> BRIDGE_OPTIONS = java.util.Set.of(NetworkRecord.BRIDGE_NAME,
            NetworkRecord.ENABLE_ICC, NetworkRecord.ENABLE_MASQUERADE, NetworkRecord.MTU,
            NetworkRecord.HOST_BINDING_IPV4, "com.docker.network.container_iface_prefix",
            "com.docker.network.bridge.enable_ipv6");

    /**
     * Creates a network: validates everything first (name, driver, options, subnets against each
     * other and against what is in use), then the kernel objects, then the record; a failure
     * leaves nothing.
     */
    public synchronized NetworkRecord create(CreateRequest req) {
        String name = req.name() == null ? "" : req.name().strip();
        if (name.isEmpty()) throw EngineException.invalid("network name cannot be empty");
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*"))
            throw EngineException.invalid("invalid network name \"" + name + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        if (find(name).filter(n -> n.name().equals(name)).isPresent())
            throw EngineException.conflict("network with name " + name + " already exists");
        String driver = req.driver() == null || req.driver().isEmpty() ? "bridge" : req.driver();
        if (driver.equals("host") || driver.equals("null"))
            throw EngineException.forbidden("only one instance of \"" + driver + "\" network is allowed");
        if (!drivers.containsKey(driver)) throw EngineException.notFound("plugin \"" + driver + "\" not found");
        Map<String, String> options = new LinkedHashMap<>(req.options() == null ? Map.of() : req.options());
        for (String key : options.keySet()) {
            if (key.startsWith("com.docker.network.") && !BRIDGE_OPTIONS.contains(key))
                throw EngineException.invalid("unknown option for the " + driver + " driver: " + key);
        }
        for (String key : List.of(NetworkRecord.ENABLE_ICC, NetworkRecord.ENABLE_MASQUERADE)) {
            String v = options.get(key);
            if (v != null && !v.equals("true") && !v.equals("false"))
                throw EngineException.invalid("invalid value for " + key + ": " + v + " (true or false)");
        }
        String bindingIp = options.get(NetworkRecord.HOST_BINDING_IPV4);
        if (bindingIp != null && !bindingIp.isEmpty()) {
            try {
                if (!(IpPrefix.parseAddress(bindingIp) instanceof Inet4Address)) throw new IllegalArgumentException();
            } catch (IllegalArgumentException e) {
                throw EngineException.invalid("invalid value for " + NetworkRecord.HOST_BINDING_IPV4 + ": " + bindingIp + " (an IPv4 address)");
            }
        }
        int mtu = 1500;
        String mtuText = options.get(NetworkRecord.MTU);
        if (mtuText != null) {
            try {
                mtu = Integer.parseInt(mtuText);
            } catch (NumberFormatException e) {
                throw EngineException.invalid("invalid MTU: " + mtuText);
            }
            if (mtu < 68 || mtu > 65535) throw EngineException.invalid("invalid MTU " + mtu + ": it must be between 68 and 65535");
        }
        String id = newId();
        String iface = options.getOrDefault(NetworkRecord.BRIDGE_NAME, "pier-" + id.substring(0, 10));
        try {
            dev.pier.linux.LinkSpec.checkName(iface);
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid(e.getMessage());
        }
        for (NetworkRecord other : byId.values()) {
            if (other.interfaceName().equals(iface))
                throw EngineException.conflict("bridge name " + iface + " is already used by network " + other.name());
        }
        // A bridge that is already there is the administrator's (Pier's own have no record-less life):
        // the network uses it, its own subnet included, and never deletes it or the addresses it had.
        dev.pier.linux.Link found = host.link(iface).orElse(null);
        if (found != null && !found.kind().equals("bridge"))
            throw EngineException.invalid("interface " + iface + " exists and is not a bridge");
        List<NetworkRecord.IpamEntry> ipam = planIpam(req.ipam() == null ? List.of() : req.ipam(), req.enableIpv6(),
                found == null ? 0 : found.index());
        List<String> foundGateways = List.of();
        if (found != null) {
            List<IpPrefix> present = host.addresses(0, found.index()).stream().map(dev.pier.linux.Address::prefix).toList();
            foundGateways = gateways(ipam).stream().filter(present::contains).map(IpPrefix::toString).toList();
        }
        NetworkRecord record = new NetworkRecord(id, name, driver, Instant.now(), req.internal(), req.attachable(),
                req.enableIpv6() || ipam.stream().anyMatch(e -> e.subnet().contains(":")), ipam, options,
                req.labels() == null ? Map.of() : Map.copyOf(req.labels()), iface, mtu, false, found != null, foundGateways);
        List<SubnetAllocator> allocs = newAllocators(record);
        // The record's fsync and the kernel's work overlap: a crash in between leaves a record whose
        // bridge the next start creates, never a bridge without a record.
        Background stored = Background.run(() -> records.put(id, record));
        try {
            driver(record).createNetwork(plan(record));
        } catch (RuntimeException e) {
            stored.awaitThen(() -> records.remove(id));
            throw e;
        }
        try {
            allocators.put(id, allocs);
            byId.put(id, record);
            syncFirewall();
            stored.await();
        } catch (RuntimeException e) {
            byId.remove(id);
            allocators.remove(id);
            try { driver(record).deleteNetwork(plan(record)); } catch (RuntimeException ignored) { /* best effort */ }
            try { syncFirewall(); } catch (RuntimeException ignored) { /* best effort */ }
            stored.awaitThen(() -> records.remove(id));
            throw e;
        }
        return record;
    }

    /**
     * Validates given subnets (families, overlaps, gateway/range/aux) and fills in free pools where none was given.
     * {@code ownBridge}: the index of the existing bridge the network goes on (0: none), whose routes are its own.
     */
    private List<NetworkRecord.IpamEntry> planIpam(List<NetworkRecord.IpamEntry> given, boolean ipv6, int ownBridge) {
        List<Subnet> inUse = new ArrayList<>(inUseSubnets(ownBridge));
        List<NetworkRecord.IpamEntry> out = new ArrayList<>();
        boolean haveV4 = false, haveV6 = false;
        for (NetworkRecord.IpamEntry e : given) {
            if (e.subnet() == null || e.subnet().isEmpty()) {
                if ((e.gateway() != null && !e.gateway().isEmpty()) || (e.ipRange() != null && !e.ipRange().isEmpty()))
                    throw EngineException.invalid("a gateway or ip-range needs a subnet");
                continue;
            }
            IpamConfig config;
            try {
                config = IpamConfig.parse(e.subnet(), emptyToNull(e.ipRange()), emptyToNull(e.gateway()),
                        e.auxAddresses() == null ? Map.of() : e.auxAddresses());
            } catch (IpamException ex) {
                throw EngineException.invalid(ex.getMessage());
            }
            Subnet subnet = config.subnet();
            for (Subnet used : inUse) {
                if (used.overlaps(subnet))
                    throw EngineException.invalid("invalid pool request: Pool overlaps with other one on this address space: " + subnet);
            }
            inUse.add(subnet);
            if (subnet.isIpv4()) {
                if (haveV4) throw EngineException.invalid("only one IPv4 subnet per network is supported: " + subnet);
                haveV4 = true;
            } else {
                if (haveV6) throw EngineException.invalid("only one IPv6 subnet per network is supported: " + subnet);
                haveV6 = true;
            }
            out.add(new NetworkRecord.IpamEntry(subnet.toString(), IpPrefix.format(config.gateway()),
                    e.ipRange() == null || e.ipRange().isEmpty() ? "" : config.ipRange().toString(),
                    e.auxAddresses() == null ? Map.of() : Map.copyOf(e.auxAddresses())));
        }
        try {
            if (!haveV4) {
                Subnet s = pools.nextFree(dev.pier.ipam.IpFamily.IPV4, inUse);
                inUse.add(s);
                out.addFirst(new NetworkRecord.IpamEntry(s.toString(), IpPrefix.format(s.addressAt(1)), "", Map.of()));
            }
            if (ipv6 && !haveV6) {
                Subnet s = pools.nextFree(dev.pier.ipam.IpFamily.IPV6, inUse);
                out.add(new NetworkRecord.IpamEntry(s.toString(), IpPrefix.format(s.addressAt(1)), "", Map.of()));
            }
        } catch (IpamException ex) {
            throw EngineException.forbidden(ex.getMessage());
        }
        return out;
    }

    /** Removes a user-defined network that no container uses. */
    public synchronized void remove(String ref, java.util.function.Predicate<String> hasEndpoints) {
        NetworkRecord r = require(ref);
        if (r.predefined()) throw EngineException.forbidden(r.name() + " is a pre-defined network and cannot be removed");
        if (hasEndpoints.test(r.id()))
            throw EngineException.forbidden("error while removing network: network " + r.name() + " id " + r.id() + " has active endpoints");
        driver(r).deleteNetwork(plan(r));
        byId.remove(r.id());
        allocators.remove(r.id());
        Background forgotten = Background.run(() -> records.remove(r.id()));
        try {
            syncFirewall();
        } finally {
            forgotten.await();
        }
    }

    // ------------------------------------------------------------------ lookup

    public Collection<NetworkRecord> list() {
        return List.copyOf(byId.values());
    }

    /** By full name, full id, or unique id prefix, as Docker resolves networks. */
    public Optional<NetworkRecord> find(String ref) {
        for (NetworkRecord r : byId.values()) if (r.name().equals(ref)) return Optional.of(r);
        NetworkRecord r = byId.get(ref);
        if (r != null) return Optional.of(r);
        List<NetworkRecord> prefixed = byId.values().stream().filter(n -> n.id().startsWith(ref)).toList();
        return prefixed.size() == 1 ? Optional.of(prefixed.getFirst()) : Optional.empty();
    }

    /** By exact id only: the resolver's hot path (no name scan). */
    public Optional<NetworkRecord> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public NetworkRecord require(String ref) {
        return find(ref).orElseThrow(() -> EngineException.notFound("network " + ref + " not found"));
    }

    /** The host interface of a network (its bridge); "" when the network is gone. */
    public String interfaceName(String networkId) {
        NetworkRecord r = byId.get(networkId);
        return r == null || r.interfaceName() == null ? "" : r.interfaceName();
    }

    NetworkDriver driver(NetworkRecord r) {
        NetworkDriver d = drivers.get(r.driver());
        if (d == null) throw new IllegalStateException("no driver " + r.driver() + " for network " + r.name());
        return d;
    }

    public NetworkPlan plan(NetworkRecord r) {
        List<IpPrefix> subnets = new ArrayList<>();
        for (var e : r.ipam()) {
            Subnet s = Subnet.parse(e.subnet());
            subnets.add(new IpPrefix(s.networkAddress(), s.prefixLength()));
        }
        return new NetworkPlan(r.id(), r.name(), r.driver(), r.interfaceName(), r.mtu(), gateways(r.ipam()), subnets, r.internal(),
                r.option(NetworkRecord.ENABLE_MASQUERADE, true), r.option(NetworkRecord.ENABLE_ICC, true), r.existingBridge(),
                r.foundGateways().stream().map(IpPrefix::parse).toList());
    }

    /** The gateway of each subnet, with the subnet's prefix length: the addresses the host takes on the bridge. */
    private static List<IpPrefix> gateways(List<NetworkRecord.IpamEntry> ipam) {
        List<IpPrefix> gateways = new ArrayList<>();
        for (var e : ipam) {
            if (e.gateway() != null && !e.gateway().isEmpty())
                gateways.add(new IpPrefix(IpPrefix.parseAddress(e.gateway()), Subnet.parse(e.subnet()).prefixLength()));
        }
        return gateways;
    }

    public void syncFirewall() {
        firewall.apply(byId.values().stream().map(this::plan).toList(), java.util.Set.copyOf(isolatedPorts));
    }

    // ------------------------------------------------------------------ endpoints

    /**
     * Allocates addresses and plugs the sandbox into the network. Returns the attachment to keep;
     * on failure nothing stays allocated or plugged.
     */
    public ContainerRecord.Attachment join(NetworkRecord network, String containerId, int interfaceNumber,
                                           ContainerRecord.EndpointRequest request, boolean defaultRoute, Sandbox sandbox) {
        List<SubnetAllocator> allocs = allocators.get(network.id());
        SubnetAllocator v4 = allocs.stream().filter(a -> a.config().subnet().isIpv4()).findFirst().orElse(null);
        SubnetAllocator v6 = allocs.stream().filter(a -> a.config().subnet().isIpv6()).findFirst().orElse(null);
        InetAddress ipv4 = null, ipv6 = null;
        try {
            if (v4 != null) ipv4 = allocate(v4, request == null ? null : request.ipv4());
            if (v6 != null) ipv6 = allocate(v6, request == null ? null : request.ipv6());
        } catch (RuntimeException e) {
            if (ipv4 != null) v4.release(ipv4);
            throw e;
        }
        MacAddress mac = request != null && request.mac() != null && !request.mac().isEmpty()
                ? MacAddress.parse(request.mac()) : macFor(ipv4);
        String ifname = network.options().getOrDefault("com.docker.network.container_iface_prefix", "eth") + interfaceNumber;
        String hostIfname = hostInterfaceName(containerId, interfaceNumber);
        IpPrefix p4 = ipv4 == null ? null : new IpPrefix(ipv4, v4.config().subnet().prefixLength());
        IpPrefix p6 = ipv6 == null ? null : new IpPrefix(ipv6, v6.config().subnet().prefixLength());
        InetAddress gw4 = defaultRoute && !network.internal() && v4 != null ? v4.config().gateway() : null;
        InetAddress gw6 = defaultRoute && !network.internal() && v6 != null ? v6.config().gateway() : null;
        EndpointSpec spec = new EndpointSpec(containerId, ifname, hostIfname, mac, p4, p6, gw4, gw6);
        try {
            driver(network).join(plan(network), spec, sandbox);
        } catch (RuntimeException e) {
            if (ipv4 != null) v4.release(ipv4);
            if (ipv6 != null) v6.release(ipv6);
            throw e;
        }
        if (!network.option(NetworkRecord.ENABLE_ICC, true) && network.driver().equals("bridge")) {
            try {
                isolatedPorts.add(hostIfname);
                firewall.isolatePort(hostIfname);
            } catch (RuntimeException e) {
                isolatedPorts.remove(hostIfname);
                driver(network).leave(plan(network), spec, sandbox);
                if (ipv4 != null) v4.release(ipv4);
                if (ipv6 != null) v6.release(ipv6);
                throw e;
            }
        }
        return new ContainerRecord.Attachment(network.id(), network.name(), newId(), ifname,
                network.driver().equals("bridge") ? hostIfname : "", mac == null ? "" : mac.toString(),
                ipv4 == null ? "" : IpPrefix.format(ipv4), p4 == null ? 0 : p4.prefixLength(),
                v4 == null || v4.config().gateway() == null ? "" : IpPrefix.format(v4.config().gateway()),
                ipv6 == null ? "" : IpPrefix.format(ipv6), p6 == null ? 0 : p6.prefixLength(),
                v6 == null || v6.config().gateway() == null ? "" : IpPrefix.format(v6.config().gateway()),
                request == null || request.aliases() == null ? List.of() : request.aliases());
    }

    private static InetAddress allocate(SubnetAllocator allocator, String wanted) {
        try {
            return wanted == null || wanted.isEmpty() ? allocator.allocate() : allocator.allocate(IpPrefix.parseAddress(wanted));
        } catch (IpamException | IllegalArgumentException e) {
            throw EngineException.invalid(e.getMessage());
        }
    }

    /** Docker's MAC: 02:42 and the four bytes of the IPv4 address. */
    static MacAddress macFor(InetAddress ipv4) {
        if (!(ipv4 instanceof Inet4Address)) return null;
        byte[] a = ipv4.getAddress();
        return MacAddress.of(new byte[]{0x02, 0x42, a[0], a[1], a[2], a[3]});
    }

    /** "pv" + the container's id start + the interface number: a person sees whose it is. */
    static String hostInterfaceName(String containerId, int interfaceNumber) {
        return "pv" + containerId.substring(0, 10) + "e" + Integer.toString(interfaceNumber, 36);
    }

    /** Unplugs (unless the sandbox is going away anyway) and frees the addresses. */
    public void leave(ContainerRecord.Attachment a, String containerId, Sandbox sandbox, boolean unplug) {
        NetworkRecord network = byId.get(a.networkId());
        if (network == null) return;
        if (unplug) {
            EndpointSpec spec = new EndpointSpec(containerId, a.interfaceName(), a.hostInterfaceName(), null, null, null, null, null);
            driver(network).leave(plan(network), spec, sandbox);
        }
        release(a);
    }

    /** Frees an attachment's addresses (its interfaces are already gone with the sandbox). */
    public void release(ContainerRecord.Attachment a) {
        if (isolatedPorts.remove(a.hostInterfaceName())) firewall.releasePort(a.hostInterfaceName());
        List<SubnetAllocator> allocs = allocators.get(a.networkId());
        if (allocs == null) return;
        for (SubnetAllocator s : allocs) {
            if (!a.ipv4().isEmpty() && s.config().subnet().isIpv4()) s.release(IpPrefix.parseAddress(a.ipv4()));
            if (!a.ipv6().isEmpty() && s.config().subnet().isIpv6()) s.release(IpPrefix.parseAddress(a.ipv6()));
        }
    }

    /**
     * Docker's legacy link across ICC off: the linker's endpoint reaches the linked one's exposed
     * ports, and hears the answers. Where ICC is on nothing blocks them, so nothing is added; the
     * firewall drops the link when either endpoint is released.
     */
    public void allowLink(ContainerRecord.Attachment linker, ContainerRecord.Attachment linked, List<Link.Service> services) {
        if (services.isEmpty() || !isolatedPorts.contains(linker.hostInterfaceName()) || !isolatedPorts.contains(linked.hostInterfaceName()))
            return;
        firewall.link(new Link(linker.hostInterfaceName(), linked.hostInterfaceName(), services));
    }

    /** Marks an adopted container's addresses as taken again after a daemon restart. */
    public void adopt(ContainerRecord.Attachment a) {
        NetworkRecord network = byId.get(a.networkId());
        if (network != null && !network.option(NetworkRecord.ENABLE_ICC, true) && !a.hostInterfaceName().isEmpty()) {
            isolatedPorts.add(a.hostInterfaceName());
            firewall.isolatePort(a.hostInterfaceName());
        }
        List<SubnetAllocator> allocs = allocators.get(a.networkId());
        if (allocs == null) return;
        for (SubnetAllocator s : allocs) {
            if (!a.ipv4().isEmpty() && s.config().subnet().isIpv4()) s.allocate(IpPrefix.parseAddress(a.ipv4()));
            if (!a.ipv6().isEmpty() && s.config().subnet().isIpv6()) s.allocate(IpPrefix.parseAddress(a.ipv6()));
        }
    }
}
