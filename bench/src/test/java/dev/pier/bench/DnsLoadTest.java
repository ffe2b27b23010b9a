package dev.pier.bench;

import dev.pier.linux.BatchedUdpClient;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DnsLoadTest {
    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) values[i];
        return b;
    }

    @Test
    void aQueryIsOneQuestionWithRecursionDesired() {
        assertThat(DnsLoad.query("db.net.", 28)).containsExactly(bytes(
                0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,   // id 0, RD, one question
                2, 'd', 'b', 3, 'n', 'e', 't', 0,     // db.net.
                0, 28, 0, 1));                         // AAAA, IN
        assertThatThrownBy(() -> DnsLoad.query("a..b", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionsAndTheirErrors() {
        DnsLoad.Options o = DnsLoad.parse(new String[]{"127.0.0.11", "db"});
        assertThat(o.server()).isEqualTo(new InetSocketAddress("127.0.0.11", 53));
        assertThat(o.inFlight()).isEqualTo(256);
        assertThat(o.sockets()).isEqualTo(4);
        assertThat(o.rate()).isZero();
        o = DnsLoad.parse(new String[]{"10.0.0.1:5353", "x", "--type", "ptr", "--rate", "1000", "--seconds", "2"});
        assertThat(o.server().getPort()).isEqualTo(5353);
        assertThat(o.type()).isEqualTo(12);
        assertThat(o.rate()).isEqualTo(1000);
        assertThat(o.seconds()).isEqualTo(2);
        assertThatThrownBy(() -> DnsLoad.parse(new String[]{"db"})).hasMessageContaining("SERVER and NAME");
        assertThatThrownBy(() -> DnsLoad.parse(new String[]{"example.org", "db"})).hasMessageContaining("not an address");
        assertThatThrownBy(() -> DnsLoad.parse(new String[]{"127.0.0.1", "db", "--rate"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> DnsLoad.parse(new String[]{"127.0.0.1", "db", "--rate", "x"})).hasMessageContaining("not a number");
        assertThatThrownBy(() -> DnsLoad.parse(new String[]{"127.0.0.1", "db", "--rate", "0"})).hasMessageContaining("positive");
        assertThatThrownBy(() -> DnsLoad.parse(new String[]{"127.0.0.1", "db", "--flood", "1"})).hasMessageContaining("unknown option");
    }

    @Test
    void percentilesComeFromTheMicrosecondHistogram() {
        DnsLoad.Tally t = new DnsLoad.Tally();
        assertThat(t.percentileMillis(0.5)).isNaN();
        for (int us = 1; us <= 100; us++) t.answer(us * 1000L, 0, 1);
        t.answer(2000L, 3, 0);   // NXDOMAIN
        t.answer(3000L, 0, 0);   // NOERROR, nothing in it
        assertThat(t.answered).isEqualTo(102);
        assertThat(t.noError).isEqualTo(100);
        assertThat(t.otherRcode).isEqualTo(1);
        assertThat(t.empty).isEqualTo(1);
        assertThat(t.percentileMillis(0.5)).isEqualTo(0.049);
        assertThat(t.percentileMillis(0.99)).isEqualTo(0.099);
        assertThat(t.percentileMillis(1.0)).isEqualTo(0.100);
    }

    /**
     * Real datagrams on a loopback address of the test's own: a server that answers every query but
     * each tenth, which the tool must count as lost, not as answered, at a fixed rate.
     */
    @Test
    void countsAnswersAndLossesAgainstARealServer() throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        InetAddress address = InetAddress.getByName("127." + (60 + r.nextInt(60)) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254)));
        try (DatagramChannel server = DatagramChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(address, 0));
            Thread answering = Thread.ofPlatform().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(512);
                try {
                    for (long n = 0; ; n++) {
                        b.clear();
                        SocketAddress from = server.receive(b);
                        if (n % 10 == 9) continue; // dropped
                        b.flip();
                        b.put(2, (byte) (b.get(2) | 0x80)); // an answer
                        b.put(7, (byte) 1);                 // with one record
                        server.send(b, from);
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            });
            var options = new DnsLoad.Options((InetSocketAddress) server.getLocalAddress(), "db", 1, 1, 256, 2, 2000, 100_000_000L, 0);
            DnsLoad.Result result;
            try (BatchedUdpClient client = BatchedUdpClient.connect(options.server(), options.sockets())) {
                result = DnsLoad.run(options, client);
            } finally {
                server.close();
                answering.join(5000);
            }
            DnsLoad.Tally t = result.tally();
            assertThat(t.sent).as("about the rate asked for a second").isBetween(1900L, 2100L);
            assertThat(t.answered + t.lost).isEqualTo(t.sent);
            assertThat(t.lost).as("each tenth query").isBetween(t.sent / 10 - 2, t.sent / 10 + 2);
            assertThat(t.noError).isEqualTo(t.answered);
            assertThat(t.percentileMillis(0.5)).isLessThan(50.0);
        }
    }
}
