package dev.pier.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input fails with a clear message and leaves nothing behind. */
class BadInputTest {
    static Pier pier;

    @BeforeAll
    static void start() throws Exception {
        pier = new Pier();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pier != null) pier.close();
    }

    private void assertNothingLeft() {
        assertThat(pier.pier("ps", "-aq").ok().out().strip()).isEmpty();
        assertThat(pier.leftovers()).isEmpty();
    }

    @Test
    void unknownImage() {
        Pier.Result r = pier.pier("run", "--rm", "nosuchimage:1", "true");
        assertThat(r.exit()).isEqualTo(125);
        assertThat(r.err()).contains("nosuchimage:1");
        assertNothingLeft();
    }

    @Test
    void unknownNetworkMode() {
        Pier.Result r = pier.pier("run", "--rm", "--network", "nosuchnet", "busybox", "true");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("network nosuchnet not found");
        assertNothingLeft();
    }

    @Test
    void nameConflict() {
        String id = pier.pier("run", "-d", "--name", "taken", "busybox", "sleep", "60").ok().out().strip();
        try {
            Pier.Result r = pier.pier("run", "-d", "--name", "taken", "busybox", "sleep", "60");
            assertThat(r.exit()).isEqualTo(125);
            assertThat(r.err()).contains("is already in use by container").contains(id);
            assertThat(pier.pier("ps", "-aq").ok().out().strip().split("\\s+")).hasSize(1);
        } finally {
            pier.pier("rm", "-f", id).ok();
        }
        assertNothingLeft();
    }

    @Test
    void volumesAreRefusedNotIgnored() {
        Pier.Result r = pier.pier("run", "--rm", "-v", "/tmp:/data", "busybox", "ls", "/data");
        assertThat(r.exit()).isEqualTo(125);
        assertThat(r.err()).contains("Pier does not support -v, --volume (HostConfig.Binds)");
        assertNothingLeft();
    }

    @Test
    void aMulticastMacAddressIsRefusedClearly() {
        Pier.Result r = pier.pier("run", "--rm", "--mac-address", "01:00:5e:00:00:01", "busybox", "true");
        assertThat(r.exit()).isEqualTo(125);
        assertThat(r.err()).contains("01:00:5e:00:00:01 is a multicast mac address");
        assertNothingLeft();
    }

    @Test
    void hostOrNoneBesideAnotherNetworkIsAConflict() {
        Pier.Result r = pier.pier("run", "--rm", "--network", "bridge", "--network", "host", "busybox", "true");
        assertThat(r.exit()).isEqualTo(125);
        assertThat(r.err()).contains("cannot attach both user-defined and non-user-defined network-modes");
        // The same through the API, which a client that does not check sends as it is.
        String answer = post("/v1.44/containers/create", "{\"Image\":\"busybox\",\"HostConfig\":{\"NetworkMode\":\"bridge\"},"
                + "\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{},\"host\":{}}}}");
        assertThat(answer).startsWith("HTTP/1.1 400").contains("cannot attach both user-defined and non-user-defined network-modes");
        assertNothingLeft();
    }

    /** One request over the daemon's socket, as a bare client sends it; the whole answer. */
    private static String post(String path, String json) {
        byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(pier.socket))) {
            ch.write(java.nio.ByteBuffer.wrap(("POST " + path + " HTTP/1.1\r\nHost: pier\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            ch.write(java.nio.ByteBuffer.wrap(body));
            return new String(readAll(ch), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] readAll(java.nio.channels.SocketChannel ch) throws java.io.IOException {
        var out = new java.io.ByteArrayOutputStream();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4096);
        while (ch.read(buf) > 0) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        return out.toByteArray();
    }

    @Test
    void missingCommandAndMissingContainer() {
        assertThat(pier.pier("stop", "nosuchcontainer").err()).contains("No such container: nosuchcontainer");
        Pier.Result r = pier.pier("run", "--rm", "busybox", "/no/such/binary");
        assertThat(r.exit()).isNotZero();
        assertNothingLeft();
    }
}
