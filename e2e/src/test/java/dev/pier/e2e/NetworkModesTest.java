package dev.pier.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The four network modes, seen from inside containers run through bin/pier. */
class NetworkModesTest {
    static Pier pier;

    @BeforeAll
    static void start() throws Exception {
        pier = new Pier();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pier == null) return;
        pier.close();
        assertThat(pier.leftovers()).isEmpty();
        assertThat(Pier.sh("nft list table inet " + pier.table).exit()).isNotZero();
        assertThat(Pier.sh("ip link show " + pier.bridge).exit()).isNotZero();
    }

    @Test
    void bridgeContainersGetTheNextAddressAndARouteViaTheGateway() {
        String addr = pier.pier("run", "--rm", "busybox", "ip", "-o", "-4", "addr", "show", "eth0").ok().out();
        assertThat(addr).contains(pier.subnetPrefix).contains("/24");
        String route = pier.pier("run", "--rm", "busybox", "ip", "route").ok().out();
        assertThat(route).contains("default via " + pier.subnetPrefix + "1 dev eth0");
        String link = pier.pier("run", "--rm", "busybox", "ip", "-o", "link", "show", "eth0").ok().out();
        assertThat(link).contains("link/ether 02:42:");
    }

    @Test
    void twoBridgeContainersExchangeRealTraffic() {
        String server = pier.pier("run", "-d", "--name", "web", "busybox", "sh", "-c",
                "mkdir /www && echo served-by-web > /www/index.html && exec httpd -f -p 8080 -h /www").ok().out().strip();
        try {
            String ip = pier.pier("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "web").ok().out().strip();
            assertThat(ip).startsWith(pier.subnetPrefix);
            String body = pier.pier("run", "--rm", "busybox", "sh", "-c",
                    Pier.httpGet(ip, 8080, "/")).ok().out();
            assertThat(body).contains("served-by-web");
        } finally {
            pier.pier("rm", "-f", server);
        }
    }

    @Test
    void hostModeSeesTheHostsInterfaces() {
        String links = pier.pier("run", "--rm", "--network", "host", "busybox", "ip", "-o", "link").ok().out();
        assertThat(links).contains(pier.bridge);
        // Ports asked for in host mode are the host's already: discarded, with Docker's warning.
        Pier.Result published = pier.pier("run", "--rm", "--network", "host", "-p", "18081:80", "busybox", "true");
        assertThat(published.exit()).isZero();
        assertThat(published.err()).contains("WARNING: Published ports are discarded when using host network mode");
    }

    @Test
    void sysctlsSetTheContainersOwnNetworkParametersNeverTheHosts() {
        String file = "/proc/sys/net/ipv4/ip_unprivileged_port_start";
        String hostValue = Pier.sh("cat " + file).ok().out().strip();
        String inside = hostValue.equals("1000") ? "1001" : "1000";
        assertThat(pier.pier("run", "--rm", "--sysctl", "net.ipv4.ip_unprivileged_port_start=" + inside, "busybox", "cat", file)
                .ok().out().strip()).isEqualTo(inside);
        assertThat(Pier.sh("cat " + file).ok().out().strip()).isEqualTo(hostValue);
        String id = pier.pier("create", "--sysctl", "net.core.somaxconn=512", "busybox", "true").ok().out().strip();
        assertThat(pier.pier("inspect", "-f", "{{json .HostConfig.Sysctls}}", id).ok().out().strip()).isEqualTo("{\"net.core.somaxconn\":\"512\"}");
        pier.pier("rm", id).ok();

        Pier.Result onHost = pier.pier("run", "--rm", "--network", "host", "--sysctl", "net.ipv4.ip_forward=0", "busybox", "true");
        assertThat(onHost.exit()).isNotZero();
        assertThat(onHost.err()).contains("not allowed in host network namespace");
        assertThat(Pier.sh("cat /proc/sys/net/ipv4/ip_forward").ok().out().strip()).isEqualTo("1");
        Pier.Result kernel = pier.pier("run", "--rm", "--sysctl", "kernel.hostname=x", "busybox", "true");
        assertThat(kernel.exit()).isNotZero();
        assertThat(kernel.err()).contains("sysctl 'kernel.hostname=x' is not whitelisted");
    }

    @Test
    void noneModeHasOnlyLoopbackUp() {
        String links = pier.pier("run", "--rm", "--network", "none", "busybox", "ip", "-o", "link").ok().out();
        assertThat(links.strip().split("\n")).hasSize(1);
        assertThat(links).contains("lo:").contains("UP");
        String routes = pier.pier("run", "--rm", "--network", "none", "busybox", "ip", "route").ok().out();
        assertThat(routes.strip()).isEmpty();
    }

    @Test
    void containerModeReachesAServerOnTheOtherContainersLoopback() {
        String id = pier.pier("run", "-d", "--name", "lo-server", "busybox", "sh", "-c",
                "mkdir /www && echo on-loopback > /www/index.html && exec httpd -f -p 127.0.0.1:8081 -h /www").ok().out().strip();
        try {
            String body = pier.pier("run", "--rm", "--network", "container:lo-server", "busybox", "sh", "-c",
                    Pier.httpGet("127.0.0.1", 8081, "/")).ok().out();
            assertThat(body).contains("on-loopback");
            String hostname = pier.pier("run", "--rm", "--network", "container:lo-server", "busybox", "hostname").ok().out().strip();
            assertThat(id).startsWith(hostname);
        } finally {
            pier.pier("rm", "-f", id);
        }
    }

    @Test
    void filesAreWrittenPerContainer() {
        String hosts = pier.pier("run", "--rm", "-h", "myhost", "--add-host", "db:10.9.8.7", "busybox", "cat", "/etc/hosts").ok().out();
        assertThat(hosts).contains("127.0.0.1\tlocalhost").contains("10.9.8.7\tdb").containsPattern(pier.subnetPrefix.replace(".", "\\.") + "\\d+\tmyhost");
        assertThat(pier.pier("run", "--rm", "-h", "myhost", "busybox", "hostname").ok().out().strip()).isEqualTo("myhost");
        String resolv = pier.pier("run", "--rm", "--dns", "10.1.2.3", "--dns-search", "example.test", "busybox", "cat", "/etc/resolv.conf").ok().out();
        assertThat(resolv).contains("nameserver 10.1.2.3").contains("search example.test");
        String copied = pier.pier("run", "--rm", "busybox", "cat", "/etc/resolv.conf").ok().out();
        assertThat(copied).doesNotContain("nameserver 127.");
    }

    @Test
    void defaultNetworksAreListedWithTheirDrivers() {
        String ls = pier.pier("network", "ls", "--format", "{{.Name}} {{.Driver}}").ok().out();
        assertThat(ls).contains("bridge bridge").contains("host host").contains("none null");
        String inspect = pier.pier("network", "inspect", "bridge").ok().out();
        assertThat(inspect).contains("\"Subnet\": \"" + pier.subnetPrefix + "0/24\"").contains("\"Containers\"");
    }

    @Test
    void foregroundRunPassesTheExitCodeAndOutput() {
        Pier.Result r = pier.pier("run", "--rm", "busybox", "sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 7");
        assertThat(r.exit()).isEqualTo(7);
        assertThat(r.out()).contains("to-stdout");
        assertThat(r.err()).contains("to-stderr");
    }
}
