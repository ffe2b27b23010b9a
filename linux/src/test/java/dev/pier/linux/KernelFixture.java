package dev.pier.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Kernel objects made by one test, all named with one unique prefix, removed in reverse order
 * even when the test failed.
 */
final class KernelFixture implements AutoCloseable {
    final String prefix;
    final Path nsDir;
    private final List<String> namespaces = new ArrayList<>();
    private final List<NetNamespace> opened = new ArrayList<>();
    private final Netlink host = Netlink.open();

    KernelFixture(String family) throws IOException {
        prefix = family + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt()) ;
        nsDir = Files.createTempDirectory("pier-" + prefix);
    }

    Netlink host() {
        return host;
    }

    /** A name that is unique to this fixture and at most 15 bytes. */
    String name(String suffix) {
        String n = prefix + suffix;
        if (n.length() > 15) throw new IllegalArgumentException("test name too long: " + n);
        return n;
    }

    NetNamespace namespace(String suffix) {
        String name = name(suffix);
        NetNamespace ns = NetNamespace.create(nsDir, name);
        namespaces.add(name);
        opened.add(ns);
        return ns;
    }

    /** Links of the host namespace whose names start with this fixture's prefix. */
    List<String> leftoverLinks() {
        return host.links().stream().map(Link::name).filter(n -> n.startsWith(prefix)).toList();
    }

    @Override
    public void close() throws IOException {
        for (NetNamespace ns : opened) ns.close();
        for (int i = namespaces.size() - 1; i >= 0; i--) NetNamespace.delete(nsDir, namespaces.get(i));
        for (Link l : host.links()) {
            if (l.name().startsWith(prefix)) {
                try { host.deleteLink(l.index()); } catch (KernelException ignored) { /* its peer went first */ }
            }
        }
        host.close();
        // NetNamespace made the directory a shared bind mount of itself (as iproute2 does for /run/netns).
        try {
            new ProcessBuilder("umount", "-l", nsDir.toString()).redirectErrorStream(true).start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(nsDir);
    }
}
