package dev.pier.linux;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** On loopback only: a random 127.x address and port of the test's own. */
class ReusePortTest {
    private static int[] counts(boolean spread) throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        InetSocketAddress at = new InetSocketAddress(InetAddress.getByName("127." + (60 + r.nextInt(60)) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254))),
                20000 + r.nextInt(20000));
        List<DatagramChannel> group = new ArrayList<>();
        try (DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)) {
            for (int i = 0; i < 2; i++) {
                DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
                group.add(ch);
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                ch.bind(at);
                ch.configureBlocking(false);
            }
            if (spread) ReusePort.spreadAtRandom(at, 2);
            // One sender, one port: the kernel's hash alone puts every datagram on one socket.
            for (int i = 0; i < 200; i++) client.send(ByteBuffer.wrap(new byte[]{(byte) i}), at);
            int[] counts = new int[2];
            ByteBuffer buf = ByteBuffer.allocate(16);
            for (int i = 0; i < 2; i++) {
                while (true) {
                    buf.clear();
                    if (group.get(i).receive(buf) == null) break;
                    counts[i]++;
                }
            }
            return counts;
        } finally {
            for (DatagramChannel ch : group) ch.close();
        }
    }

    @Test
    void oneSendersDatagramsGoToEverySocketOfTheGroup() throws Exception {
        int[] before = counts(false);
        assertThat(before[0] + before[1]).isEqualTo(200);
        assertThat(Math.min(before[0], before[1])).as("the hash alone").isZero();
        int[] after = counts(true);
        assertThat(after[0] + after[1]).isEqualTo(200);
        assertThat(Math.min(after[0], after[1])).as("at random: each socket gets about half").isGreaterThan(50);
    }
}
