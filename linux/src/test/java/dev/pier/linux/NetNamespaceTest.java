package dev.pier.linux;

import dev.pier.linux.internal.Libc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class NetNamespaceTest {
    private static Scratch scratch;

    @BeforeAll
    static void setUp() {
        scratch = new Scratch("ns");
    }

    @AfterEach
    void removeNamespaces() {
        scratch.deleteNamespaces();
    }

    @AfterAll
    static void tearDown() {
        scratch.close();
        Scratch.assertNothingLeft();
    }

    @Test
    void createdNamespaceIsListedByIpNetnsAndGoneAfterDelete() throws Exception {
        String name = scratch.name("a");
        try (NetNamespace ns = NetNamespace.create(scratch.dir, name)) {
            assertThat(ns.name()).isEqualTo(name);
            assertThat(ns.path()).isEqualTo(scratch.dir.resolve(name));
            assertThat(Scratch.ipNetnsNames()).contains(name);
            assertThat(Files.readSymbolicLink(Path.of("/run/netns", name))).isEqualTo(scratch.dir.resolve(name));
            // ip netns exec reaches the same namespace through the link.
            String inode = ns.run(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
            assertThat(Scratch.sh("ip", "netns", "exec", name, "readlink", "/proc/self/ns/net").strip()).isEqualTo(inode);
            // lo is left down.
            assertThat(Scratch.sh("ip", "-n", name, "-o", "link", "show", "lo")).doesNotContain("state UP").contains("DOWN");
        }
        NetNamespace.delete(scratch.dir, name);
        assertThat(Scratch.ipNetnsNames()).doesNotContain(name);
        assertThat(scratch.dir.resolve(name)).doesNotExist();
        assertThat(Path.of("/run/netns", name)).doesNotExist();
        NetNamespace.delete(scratch.dir, name); // idempotent
    }

    @Test
    void danglingLinksIntoAVanishedDirectoryAreRemovedAndNoOthers() throws Exception {
        String kept = scratch.name("kept"), lost = scratch.name("lost");
        try (NetNamespace ns = NetNamespace.create(scratch.dir, kept)) {
            // What a removed exec root leaves: a link whose target is gone.
            Path link = Path.of("/run/netns", lost);
            Files.createSymbolicLink(link, scratch.dir.resolve(lost));
            try {
                assertThat(NetNamespace.deleteDanglingLinks(scratch.dir)).containsExactly(lost);
                assertThat(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
                assertThat(Scratch.ipNetnsNames()).contains(kept);
                assertThat(NetNamespace.deleteDanglingLinks(scratch.dir)).isEmpty();
            } finally {
                Files.deleteIfExists(link);
            }
        }
    }

    @Test
    void namespacesCanLiveDirectlyInRunNetnsLikeIproute2s() {
        Path runNetns = Path.of("/run/netns");
        String name = scratch.name("direct");
        try (NetNamespace ns = NetNamespace.create(runNetns, name)) {
            assertThat(ns.path()).isEqualTo(runNetns.resolve(name));
            assertThat(runNetns.resolve(name)).isRegularFile(); // the bind mount itself, no link
            assertThat(Scratch.ipNetnsNames()).contains(name);
            assertThat(ns.run(NetNamespaceTest::currentThreadNs)).isEqualTo(nsOfFile(runNetns.resolve(name)));
        } finally {
            NetNamespace.delete(runNetns, name);
        }
        assertThat(runNetns.resolve(name)).doesNotExist();
        assertThat(Scratch.ipNetnsNames()).doesNotContain(name);
    }

    @Test
    void runExecutesInsideTheNamespaceAndTheThreadsReturnHome() {
        String name = scratch.name("run");
        try (NetNamespace ns = NetNamespace.create(scratch.dir, name)) {
            String hostNs = currentThreadNs();
            String inside = ns.run(NetNamespaceTest::currentThreadNs);
            assertThat(inside).isNotEqualTo(hostNs).isEqualTo(nsOfFile(ns.path()));
            assertThat(NetNamespace.host().run(NetNamespaceTest::currentThreadNs)).isEqualTo(hostNs);
            assertThat(currentThreadNs()).isEqualTo(hostNs);
        }
    }

    @Test
    void hostIsTheProcessNamespaceAndCannotBeClosed() {
        NetNamespace host = NetNamespace.host();
        assertThat(host.name()).isEqualTo("host");
        host.close();
        assertThat(host.run(NetNamespaceTest::currentThreadNs)).isEqualTo(nsOfFile(Path.of("/proc/self/ns/net")));
        assertThat(host.fd()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void openReachesAnExistingNamespaceAndRejectsOtherFiles() {
        String name = scratch.name("open");
        try (NetNamespace created = NetNamespace.create(scratch.dir, name);
             NetNamespace viaLink = NetNamespace.open(Path.of("/run/netns", name))) {
            assertThat(viaLink.name()).isEqualTo(name);
            assertThat(viaLink.fd()).isNotEqualTo(created.fd());
            assertThat(viaLink.run(NetNamespaceTest::currentThreadNs)).isEqualTo(created.run(NetNamespaceTest::currentThreadNs));
        }
        assertThatThrownBy(() -> NetNamespace.open(Path.of("/etc/hostname")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a namespace file");
        assertThatThrownBy(() -> NetNamespace.open(Path.of("/proc/self/ns/uts")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a network namespace");
        assertThatThrownBy(() -> NetNamespace.open(scratch.dir.resolve("pnst-missing")))
                .isInstanceOf(KernelException.class).hasMessageContaining("ENOENT");
    }

    @Test
    void duplicateNameIsEexistAndChangesNothing() {
        String name = scratch.name("dup");
        try (NetNamespace first = NetNamespace.create(scratch.dir, name)) {
            String before = first.run(NetNamespaceTest::currentThreadNs);
            Throwable sameDir = catchThrowable(() -> NetNamespace.create(scratch.dir, name));
            assertThat(sameDir).isInstanceOf(KernelException.class).hasMessageContaining("EEXIST").hasMessageContaining(name);
            assertThat(((KernelException) sameDir).errno()).isEqualTo(KernelException.EEXIST);

            // Another directory, but the /run/netns link name is taken: nothing may be made there.
            Path otherDir = scratch.dir.resolve("other");
            Throwable linkTaken = catchThrowable(() -> NetNamespace.create(otherDir, name));
            assertThat(linkTaken).isInstanceOf(KernelException.class).hasMessageContaining("EEXIST");
            assertThat(otherDir.resolve(name)).doesNotExist();

            assertThat(first.run(NetNamespaceTest::currentThreadNs)).isEqualTo(before);
            assertThat(Path.of("/run/netns", name)).isSymbolicLink();
            assertThat(nsOfFile(Path.of("/run/netns", name))).isEqualTo(before);
        }
    }

    @Test
    void badNamesAreRefusedBeforeAnythingIsMade() {
        for (String bad : new String[] {"", "pnst/x", "..", ".", "pnst..x", "../pnst"}) {
            assertThatThrownBy(() -> NetNamespace.create(scratch.dir, bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> NetNamespace.delete(scratch.dir, bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> NetNamespace.create(scratch.dir, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void socketOpenedInsideStaysInTheNamespace() throws Exception {
        String name = scratch.name("sock");
        try (NetNamespace ns = NetNamespace.create(scratch.dir, name)) {
            Scratch.sh("ip", "-n", name, "link", "set", "lo", "up");
            InetAddress loopback = InetAddress.getLoopbackAddress();
            try (ServerSocket server = ns.run(() -> new ServerSocket(0, 10, loopback))) {
                int port = server.getLocalPort();
                // The same port is free in the host: the listener is not there.
                try (ServerSocket hostSide = new ServerSocket(port, 10, loopback)) {
                    assertThat(hostSide.getLocalPort()).isEqualTo(port);
                }
                try (Socket client = ns.run(() -> new Socket(loopback, port));
                     Socket accepted = server.accept()) { // accepted on a host thread, still in the namespace
                    OutputStream out = client.getOutputStream();
                    out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    InputStream in = accepted.getInputStream();
                    assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("ping\n");
                }
            }
        }
    }

    @Test
    void manyVirtualThreadsRunConcurrentlyInTwoNamespaces() throws Exception {
        try (NetNamespace a = NetNamespace.create(scratch.dir, scratch.name("ca"));
             NetNamespace b = NetNamespace.create(scratch.dir, scratch.name("cb"))) {
            String nsA = nsOfFile(a.path());
            String nsB = nsOfFile(b.path());
            String host = currentThreadNs();
            Set<String> workerNames = ConcurrentHashMap.newKeySet();
            List<Future<Boolean>> results = new ArrayList<>();
            try (ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 50; i++) {
                    boolean useA = i % 2 == 0;
                    results.add(virtualThreads.submit(() -> {
                        boolean ok = true;
                        for (int round = 0; round < 20; round++) {
                            NetNamespace ns = useA ? a : b;
                            String seen = ns.run(() -> {
                                workerNames.add(Thread.currentThread().getName());
                                assertThat(Thread.currentThread().isVirtual()).isFalse();
                                return currentThreadNs();
                            });
                            ok &= seen.equals(useA ? nsA : nsB);
                            ok &= NetNamespace.host().run(NetNamespaceTest::currentThreadNs).equals(host);
                        }
                        return ok;
                    }));
                }
                for (Future<Boolean> result : results) assertThat(result.get()).isTrue();
            }
            // Workers are reused, not one per call (2000 calls).
            assertThat(workerNames.size()).isLessThan(200);
        }
    }

    @Test
    void nestedRunsReachTheInnerNamespaceAndComeBack() {
        try (NetNamespace outer = NetNamespace.create(scratch.dir, scratch.name("out"));
             NetNamespace inner = NetNamespace.create(scratch.dir, scratch.name("in"))) {
            List<String> seen = outer.run(() -> {
                String before = currentThreadNs();
                String nested = inner.run(NetNamespaceTest::currentThreadNs);
                return List.of(before, nested, currentThreadNs());
            });
            assertThat(seen).containsExactly(nsOfFile(outer.path()), nsOfFile(inner.path()), nsOfFile(outer.path()));
        }
    }

    @Test
    void exceptionsFromTheTaskArriveUnchanged() {
        try (NetNamespace ns = NetNamespace.create(scratch.dir, scratch.name("exc"))) {
            IllegalStateException unchecked = new IllegalStateException("boom");
            assertThat(catchThrowable(() -> ns.run(() -> { throw unchecked; }))).isSameAs(unchecked);
            IOException checked = new IOException("checked boom");
            assertThat(catchThrowable(() -> ns.run(() -> { throw checked; }))).isSameAs(checked);
            AssertionError error = new AssertionError("error");
            assertThat(catchThrowable(() -> ns.run((Runnable) () -> { throw error; }))).isSameAs(error);
            // The pool is still healthy afterwards.
            assertThat(ns.run(NetNamespaceTest::currentThreadNs)).isEqualTo(nsOfFile(ns.path()));
        }
    }

    @Test
    void anInterruptedCallerStopsWaitingAndTheTaskIsInterruptedToo() throws Exception {
        try (NetNamespace ns = NetNamespace.create(scratch.dir, scratch.name("int"))) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch taskInterrupted = new CountDownLatch(1);
            AtomicReference<Throwable> callerSaw = new AtomicReference<>();
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    ns.run(() -> {
                        started.countDown();
                        try {
                            new CountDownLatch(1).await();
                        } catch (InterruptedException e) {
                            taskInterrupted.countDown();
                        }
                        return null;
                    });
                } catch (Throwable t) {
                    callerSaw.set(t);
                }
            });
            started.await();
            caller.interrupt();
            caller.join();
            taskInterrupted.await();
            assertThat(callerSaw.get()).isInstanceOf(CancellationException.class).hasMessageContaining(ns.name());
            assertThat(ns.run(NetNamespaceTest::currentThreadNs)).isEqualTo(nsOfFile(ns.path()));
        }
    }

    @Test
    void runnableVariantAndClose() {
        NetNamespace ns = NetNamespace.create(scratch.dir, scratch.name("cl"));
        String[] seen = new String[1];
        ns.run(() -> { seen[0] = currentThreadNs(); });
        assertThat(seen[0]).isEqualTo(nsOfFile(ns.path()));
        ns.close();
        ns.close();
        assertThatThrownBy(() -> ns.run(NetNamespaceTest::currentThreadNs))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(ns::fd).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void deleteOfAnUnknownNameIsQuiet() {
        NetNamespace.delete(scratch.dir, scratch.name("never"));
        NetNamespace.delete(scratch.dir.resolve("no-such-dir"), scratch.name("never"));
    }

    /** Informational: the cost of one run() on this machine (no assertion on time). */
    @Test
    void runCostIsReported() {
        try (NetNamespace ns = NetNamespace.create(scratch.dir, scratch.name("cost"))) {
            for (int i = 0; i < 2_000; i++) ns.run(() -> 1);
            int calls = 20_000;
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) ns.run(() -> 1);
            long perCall = (System.nanoTime() - start) / calls;
            System.out.println("NetNamespace.run round trip: " + perCall / 1000.0 + " µs");
            assertThat(perCall).isPositive();
        }
    }

    // ---------------------------------------------------------------- helpers

    static String currentThreadNs() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String nsOfFile(Path nsFile) {
        try {
            return "net:[" + Files.getAttribute(nsFile, "unix:ino") + "]";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A directory of test namespaces, all named pnst-*, removed whatever happens. */
    static final class Scratch implements AutoCloseable {
        static final String PREFIX = "pnst";
        final Path dir;
        private final String tag;

        Scratch(String tag) {
            this.tag = tag;
            this.dir = Path.of("/run", PREFIX + "-" + tag + "-" + ProcessHandle.current().pid());
        }

        String name(String what) {
            return PREFIX + "-" + tag + "-" + what + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        }

        void deleteNamespaces() {
            for (Path d : List.of(dir, dir.resolve("other"))) {
                if (!Files.isDirectory(d)) continue;
                try (Stream<Path> entries = Files.list(d)) {
                    entries.filter(p -> p.getFileName().toString().startsWith(PREFIX + "-") && !Files.isDirectory(p))
                            .forEach(p -> NetNamespace.delete(d, p.getFileName().toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        @Override
        public void close() {
            deleteNamespaces();
            // The directory became a bind mount of itself: unmount, then remove.
            for (Path d : List.of(dir.resolve("other"), dir)) {
                Libc.umount2(d.toString(), Libc.MNT_DETACH);
                Libc.umount2(d.toString(), Libc.MNT_DETACH);
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        /** Fails if any pnst namespace, link, mount or directory is still around. */
        static void assertNothingLeft() {
            assertThat(ipNetnsNames()).noneMatch(n -> n.startsWith(PREFIX));
            try (Stream<Path> run = Files.list(Path.of("/run"))) {
                assertThat(run.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(PREFIX + "-"));
                assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain("/" + PREFIX + "-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static List<String> ipNetnsNames() {
            return sh("ip", "netns", "list").lines().map(l -> l.split(" ")[0]).toList();
        }

        static String sh(String... command) {
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int rc = process.waitFor();
                if (rc != 0) throw new IllegalStateException(String.join(" ", command) + " failed (" + rc + "): " + output);
                return output;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
