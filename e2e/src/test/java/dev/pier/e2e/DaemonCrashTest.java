package dev.pier.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** kill -9 of pierd: containers live on, and a restart leaves nothing behind. */
class DaemonCrashTest {
    Pier pier;

    @BeforeEach
    void start() throws Exception {
        pier = new Pier();
    }

    @AfterEach
    void stop() throws Exception {
        pier.close();
        assertThat(pier.leftovers()).isEmpty();
    }

    @Test
    void containersOutliveTheDaemonAndAreAdoptedAfterARestart() throws Exception {
        String id = pier.pier("run", "-d", "--name", "survivor", "busybox", "sleep", "600").ok().out().strip();
        String ip = pier.pier("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "survivor").ok().out().strip();
        pier.killDaemon();
        assertThat(Pier.sh("ping -c1 -W2 " + ip).exit()).as("container still answers at " + ip).isZero();
        pier.startDaemon();
        assertThat(pier.pier("ps", "-q", "--no-trunc").ok().out()).contains(id);
        assertThat(pier.pier("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "survivor").ok().out().strip()).isEqualTo(ip);
        // Its address stays taken: the next container gets another one.
        String next = pier.pier("run", "--rm", "busybox", "ip", "-o", "-4", "addr", "show", "eth0").ok().out();
        assertThat(next).doesNotContain(ip + "/");
        pier.pier("rm", "-f", "survivor").ok();
    }

    @Test
    void aKillInTheMiddleOfRunsLeavesNoInterfaceNamespaceOrAllocation() throws Exception {
        List<Thread> runs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            runs.add(Thread.ofVirtual().start(() -> pier.pier("run", "-d", "busybox", "sleep", "600")));
        }
        Thread.sleep(300 + ThreadLocalRandom.current().nextInt(700));
        pier.killDaemon();
        for (Thread t : runs) t.join();
        pier.startDaemon();
        // Every sandbox and host interface left belongs to a running container, with distinct addresses.
        List<String> running = List.of(pier.pier("ps", "-q", "--no-trunc").ok().out().strip().split("\\s+"));
        List<String> ips = new ArrayList<>();
        for (String id : running) {
            if (id.isEmpty()) continue;
            ips.add(pier.pier("inspect", "-f", "{{.NetworkSettings.IPAddress}}", id).ok().out().strip());
        }
        assertThat(ips).doesNotHaveDuplicates();
        long pv = pier.leftovers().stream().filter(l -> l.startsWith("link pv")).count();
        long ns = pier.leftovers().stream().filter(l -> l.startsWith("netns")).count();
        assertThat(pv).isEqualTo(ips.size());
        assertThat(ns).isEqualTo(ips.size());
        // The lowest free address is handed out again: nothing stayed allocated for the dead starts.
        pier.removeAllContainers().ok();
        assertThat(pier.leftovers()).isEmpty();
        String addr = pier.pier("run", "--rm", "busybox", "ip", "-o", "-4", "addr", "show", "eth0").ok().out();
        assertThat(addr).contains(pier.subnetPrefix + "2/24");
    }
}
