package dev.pier.linux;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** On loopback only: a random 127.x address of the test's own, real datagrams both ways. */
class UdpPollerTest {
    private UdpPoller poller;
    private Thread loop;
    private InetAddress address;

    @BeforeEach
    void start() throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        address = InetAddress.getByName("127." + (60 + r.nextInt(60)) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254)));
        poller = new UdpPoller();
        loop = Thread.ofPlatform().name("udp-poller-test").start(poller::run);
    }

    @AfterEach
    void stop() throws Exception {
        poller.close();
        loop.join(5000);
        assertThat(loop.isAlive()).as("the loop ends with close").isFalse();
    }

    /** Through the socket adaptor, whose receive honours the timeout (a channel's would wait for ever). */
    private static DatagramPacket receive(DatagramChannel client) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        client.socket().setSoTimeout(5000);
        client.socket().receive(p);
        return p;
    }

    private static String text(DatagramPacket p) {
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void repliesToEveryDatagramOfABurstInBatches() throws Exception {
        CopyOnWriteArrayList<Integer> batchSizes = new CopyOnWriteArrayList<>();
        UdpSocket server = UdpSocket.bind(new InetSocketAddress(address, 0), false, 1 << 20);
        try (DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)) {
            client.bind(new InetSocketAddress(address, 0));
            int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
            // Sent before the socket is served: they wait in its buffer and come as batches.
            for (int i = 0; i < 100; i++) client.send(ByteBuffer.wrap(("q" + i).getBytes(StandardCharsets.UTF_8)), server.localAddress());
            poller.register(server, (socket, batch) -> {
                batchSizes.add(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    String q = new String(batch.packet(i), StandardCharsets.UTF_8);
                    batch.reply(i, ("re:" + q + "@" + batch.sender(i).port()).getBytes(StandardCharsets.UTF_8));
                }
            });
            Set<String> replies = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                DatagramPacket reply = receive(client);
                assertThat(reply.getSocketAddress()).isEqualTo(server.localAddress());
                replies.add(text(reply));
            }
            for (int i = 0; i < 100; i++) assertThat(replies).contains("re:q" + i + "@" + clientPort);
        }
        assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
        assertThat(batchSizes.stream().mapToInt(Integer::intValue).max().orElseThrow())
                .as("more than one datagram per system call").isGreaterThan(1).isLessThanOrEqualTo(UdpPoller.BATCH);
        server.close();
    }

    @Test
    void aReplyTheKernelRefusesDropsOnlyItselfNotTheRestOfTheBatch() throws Exception {
        // In a namespace of the test's own: a sender whose address is gone by the time it is
        // answered (no route back: ENETUNREACH), first in one batch with five that can be answered.
        try (KernelFixture fixture = new KernelFixture("pup")) {
            NetNamespace ns = fixture.namespace("m");
            try (Netlink m = Netlink.openIn(ns)) {
                m.setUp("lo");
                IpPrefix gone = IpPrefix.parse("10.77.0.2/32");
                m.addAddress(1, gone);
                InetAddress loopback = InetAddress.getByName("127.0.0.1");
                UdpSocket server = ns.run(() -> UdpSocket.bind(new InetSocketAddress(loopback, 0), false, 0));
                try (UdpSocket refused = ns.run(() -> UdpSocket.bind(new InetSocketAddress(InetAddress.getByName("10.77.0.2"), 0), false, 0));
                     DatagramChannel client = ns.run(() -> DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(loopback, 0)))) {
                    refused.send(new byte[]{1}, UdpPeer.of(server.localAddress()));
                    for (int i = 0; i < 5; i++) client.send(ByteBuffer.wrap(new byte[]{(byte) i}), server.localAddress());
                    m.deleteAddress(1, gone);
                    CopyOnWriteArrayList<Integer> batchSizes = new CopyOnWriteArrayList<>();
                    poller.register(server, (socket, batch) -> {
                        batchSizes.add(batch.size());
                        for (int i = 0; i < batch.size(); i++) batch.reply(i, batch.packet(i));
                    });
                    for (int i = 0; i < 5; i++) assertThat(receive(client).getData()[0]).isEqualTo((byte) i);
                    assertThat(batchSizes.getFirst()).as("the refused reply was the first of one batch").isEqualTo(6);
                } finally {
                    server.close();
                }
            }
        }
    }

    @Test
    void aDatagramLongerThanTheBufferIsFlaggedAndAnswersMayComeFromAnotherThread() throws Exception {
        UdpSocket server = UdpSocket.bind(new InetSocketAddress(address, 0), false, 0);
        poller.register(server, (socket, batch) -> {
            for (int i = 0; i < batch.size(); i++) {
                String what = batch.truncated(i) ? "cut at " + batch.length(i) : "whole " + batch.length(i);
                UdpPeer to = batch.sender(i);
                // As a forwarded answer does: later, from a thread of its own.
                Thread.ofVirtual().start(() -> socket.send(what.getBytes(StandardCharsets.UTF_8), to));
            }
        });
        try (DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)) {
            client.bind(new InetSocketAddress(address, 0));
            client.send(ByteBuffer.allocate(UdpPoller.MAX_DATAGRAM + 100), server.localAddress());
            assertThat(text(receive(client))).isEqualTo("cut at " + UdpPoller.MAX_DATAGRAM);
            client.send(ByteBuffer.allocate(10), server.localAddress());
            assertThat(text(receive(client))).isEqualTo("whole 10");
        }
        server.close();
    }

    @Test
    void aClosedSocketIsClosedInTheKernelAndItsAddressFreeAgain() throws Exception {
        UdpSocket server = UdpSocket.bind(new InetSocketAddress(address, 0), false, 0);
        InetSocketAddress at = server.localAddress();
        poller.register(server, (socket, batch) -> { });
        assertThatThrownBy(() -> UdpSocket.bind(at, false, 0)).isInstanceOf(KernelException.class)
                .extracting(e -> ((KernelException) e).errno()).isEqualTo(KernelException.EADDRINUSE);
        server.close();
        UdpSocket again = null;
        for (int i = 0; i < 100 && again == null; i++) {
            try {
                again = UdpSocket.bind(at, false, 0);
            } catch (KernelException e) {
                Thread.sleep(10); // the close runs on the poller's thread
            }
        }
        assertThat(again).as("the address is free once the poller closed the socket").isNotNull();
        again.close();
        assertThatThrownBy(() -> poller.register(server, (socket, batch) -> { })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingThePollerClosesTheSocketsItServes() throws Exception {
        UdpSocket server = UdpSocket.bind(new InetSocketAddress(address, 0), false, 0);
        InetSocketAddress at = server.localAddress();
        poller.register(server, (socket, batch) -> { });
        poller.close();
        loop.join(5000);
        UdpSocket again = UdpSocket.bind(at, false, 0);
        again.close();
        server.close(); // already closed by the poller: a no-op, not a second close(2)
    }
}
