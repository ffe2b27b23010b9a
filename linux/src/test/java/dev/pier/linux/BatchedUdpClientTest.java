package dev.pier.linux;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** On loopback only: a random 127.x address of the test's own and a plain JDK echo server. */
class BatchedUdpClientTest {
    private static InetAddress randomLoopback() throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return InetAddress.getByName("127." + (60 + r.nextInt(60)) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254)));
    }

    private static long epochNanos() {
        var now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Test
    void sendsBatchesOnEverySocketAndReceivesTheEchoes() throws Exception {
        try (DatagramChannel server = DatagramChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(randomLoopback(), 0));
            server.socket().setReceiveBufferSize(1 << 20);
            Thread echo = Thread.ofPlatform().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(2048);
                try {
                    while (true) {
                        b.clear();
                        var from = server.receive(b);
                        b.flip();
                        server.send(b, from);
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            });
            try (BatchedUdpClient client = BatchedUdpClient.connect((InetSocketAddress) server.getLocalAddress(), 3)) {
                assertThat(client.sockets()).isEqualTo(3);
                int perSocket = 150; // more than one batch each
                long sentFrom = epochNanos();
                for (int s = 0; s < 3; s++) {
                    byte[][] datagrams = new byte[perSocket][];
                    for (int i = 0; i < perSocket; i++) datagrams[i] = ("s" + s + "-" + i).getBytes(StandardCharsets.UTF_8);
                    assertThat(client.send(s, datagrams, 0, perSocket)).isEqualTo(perSocket);
                }
                Set<String> echoes = new HashSet<>();
                int[] ready = new int[3];
                byte[] into = new byte[64];
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (echoes.size() < 3 * perSocket && System.nanoTime() < deadline) {
                    int n = client.await(ready, 1_000_000_000L);
                    for (int k = 0; k < n; k++) {
                        int got = client.receive(ready[k]);
                        assertThat(got).isBetween(1, BatchedUdpClient.BATCH);
                        for (int i = 0; i < got; i++) {
                            String text = new String(into, 0, client.read(i, into), StandardCharsets.UTF_8);
                            assertThat(text).as("an echo comes back on the socket that sent it").startsWith("s" + ready[k] + "-");
                            assertThat(client.length(i)).isEqualTo(text.length());
                            assertThat(client.receivedAtEpochNanos(i)).as("the kernel's time of arrival")
                                    .isBetween(sentFrom, epochNanos());
                            echoes.add(text);
                        }
                    }
                }
                assertThat(echoes).hasSize(3 * perSocket);
                assertThatThrownBy(() -> client.read(BatchedUdpClient.BATCH, into)).isInstanceOf(IndexOutOfBoundsException.class);
                // Nothing queued: the wait ends at its timeout, with no socket ready.
                long start = System.nanoTime();
                assertThat(client.await(ready, 30_000_000L)).isZero();
                assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(25_000_000L);
                assertThat(client.receive(0)).isZero();
            } finally {
                server.close();
                echo.join(5000);
            }
        }
    }

    @Test
    void refusesIpv6AndNoSockets() {
        assertThatThrownBy(() -> BatchedUdpClient.connect(new InetSocketAddress("::1", 53), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv4 only");
        assertThatThrownBy(() -> BatchedUdpClient.connect(new InetSocketAddress("127.0.0.1", 53), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
