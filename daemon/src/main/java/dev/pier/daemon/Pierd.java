package dev.pier.daemon;

import dev.pier.api.ApiServer;
import dev.pier.api.ApiVersion;
import dev.pier.api.Router;
import dev.pier.api.TlsContext;
import dev.pier.api.TlsSettings;
import dev.pier.api.routes.ContainerRoutes;
import dev.pier.api.routes.ExecRoutes;
import dev.pier.api.routes.ImageRoutes;
import dev.pier.api.routes.NetworkRoutes;
import dev.pier.api.routes.SystemRoutes;
import dev.pier.config.DaemonConfig;
import dev.pier.engine.ContainerService;
import dev.pier.engine.DnsDefaults;
import dev.pier.engine.ExecService;
import dev.pier.engine.NetworkService;
import dev.pier.engine.PortService;
import dev.pier.firewall.DisabledFirewall;
import dev.pier.firewall.Firewall;
import dev.pier.firewall.NftablesFirewall;
import dev.pier.image.ImageStore;
import dev.pier.ipam.AddressPools;
import dev.pier.linux.Conntrack;
import dev.pier.linux.IpPrefix;
import dev.pier.linux.KernelException;
import dev.pier.linux.Link;
import dev.pier.linux.Netlink;
import dev.pier.linux.NetNamespace;
import dev.pier.linux.Nftables;
import dev.pier.linux.Sysctl;
import dev.pier.network.bridge.BridgeDriver;
import dev.pier.network.host.HostDriver;
import dev.pier.network.none.NullDriver;
import dev.pier.ports.HostPorts;
import dev.pier.ports.PortAllocator;
import dev.pier.runtime.OciRuntime;
import dev.pier.store.Store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * The daemon: wires the kernel handles, the services and the API, recovers what a previous run
 * left, and serves until stopped. Containers do not depend on it: they outlive it.
 */
public final class Pierd {
    private static final Logger LOG = Logger.getLogger(Pierd.class.getName());

    private Pierd() {}

    public static void main(String[] args) throws Exception {
        DaemonConfig config;
        try {
            config = DaemonConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("pierd: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (config == null) return; // --help or --version printed
        // As Docker: --tlsverify implies --tls, and only then is the CA used (to verify clients).
        TlsContext tls = null;
        if (config.tlsEnabled()) {
            try {
                // bad files stop the start before anything is touched
                tls = TlsContext.load(new TlsSettings(Path.of(config.tlsCert()), Path.of(config.tlsKey()),
                        Path.of(config.tlsCaCert()), config.tlsVerify()));
            } catch (IllegalArgumentException e) {
                System.err.println("pierd: " + e.getMessage());
                System.exit(2);
                return;
            }
        }
        Path dataRoot = Path.of(config.dataRoot());
        Path execRoot = Path.of(config.execRoot());
        Files.createDirectories(dataRoot);
        Files.createDirectories(execRoot);

        Netlink host = Netlink.open();
        String bridge = config.bridge();
        boolean noDefaultBridge = "none".equals(bridge);
        boolean existing = bridge != null && !bridge.isEmpty() && !noDefaultBridge;
        // Named after the default bridge's interface, the administrator's with -b: two daemons on two
        // bridges never share a table.
        String defaultInterface = existing ? bridge : config.bridgeName();
        Firewall firewall = config.iptables() ? new NftablesFirewall(Nftables.open(), firewallTable(defaultInterface)) : new DisabledFirewall();
        if (config.ipForward()) {
            Sysctl.write(NetNamespace.host(), "net.ipv4.ip_forward", "1");
        }
        Store store = Store.open(dataRoot);
        ImageStore images = new ImageStore(dataRoot);
        OciRuntime runtime = new OciRuntime(dataRoot, execRoot, images);
        int group = interfaceGroup(execRoot);
        BridgeDriver bridgeDriver = new BridgeDriver(host, group);
        NetworkService networks = new NetworkService(store, List.of(bridgeDriver, new HostDriver(), new NullDriver()),
                firewall, host, config.addressPools());
        networks.start(noDefaultBridge ? null : new NetworkService.DefaultBridge(defaultInterface,
                config.bip(), existing, config.mtu(), config.icc(), config.ipMasq()));
        NetNamespace hostNs = NetNamespace.host();
        PortService ports = new PortService(PortAllocator.fromKernel(Path.of("/proc/sys/net/ipv4")), new HostPorts(), firewall,
                bridgeName -> {
                    if (!bridgeName.isEmpty()) Sysctl.write(hostNs, "net.ipv4.conf." + bridgeName + ".route_localnet", "1");
                },
                port -> Conntrack.deleteNatted(17, port.hostPort(), IpPrefix.parseAddress(port.containerIp()),
                        port.containerPort()));
        ContainerService containers = new ContainerService(store, images, runtime, networks, ports, dataRoot, execRoot,
                Path.of(config.resolvConf()), new DnsDefaults(config.dns(), config.dnsSearch(), config.dnsOpts()), config.defaultRuntime());
        containers.recover();
        sweepOrphanInterfaces(host, group, containers.liveHostInterfaces());

        Router router = new Router();
        new SystemRoutes(containers, networks, images, dataRoot, config.defaultRuntime())
                .register(router, ApiVersion.MAX.toString(), ApiVersion.MIN.toString());
        new ContainerRoutes(containers, dataRoot).register(router);
        new ExecRoutes(new ExecService(containers)).register(router);
        new ImageRoutes(images).register(router);
        new NetworkRoutes(networks, containers).register(router);
        ApiServer server = ApiServer.start(config.hosts(), router, tls);
        LOG.info("pierd " + SystemRoutes.VERSION + " listening on " + config.hosts());

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            server.close();
            bridgeDriver.awaitDeletions();
            stopped.countDown();
        }));
        stopped.await();
    }

    /** The default instance owns table "pier"; one with another bridge name gets a table of its own. */
    static String firewallTable(String bridgeName) {
        return bridgeName.equals("pier0") ? "pier" : "pier_" + bridgeName.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** A group number per exec root, so two daemons on one host never sweep each other's links. */
    static int interfaceGroup(Path execRoot) {
        return 0x50000000 | (execRoot.toAbsolutePath().normalize().toString().hashCode() & 0x0FFFFFFF);
    }

    /** Host-side veths of this daemon's group that no live endpoint owns are leftovers of a crash. */
    private static void sweepOrphanInterfaces(Netlink host, int group, Set<String> live) {
        for (Link l : host.links()) {
            if (l.group() != group || live.contains(l.name())) continue;
            try {
                host.deleteLink(l.index());
            } catch (KernelException e) {
                if (e.errno() != KernelException.ENODEV) throw e;
            }
        }
    }
}
