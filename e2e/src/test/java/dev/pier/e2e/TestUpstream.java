package dev.pier.e2e;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The outside world for DNS tests: a tiny authoritative server in the test JVM, bound only to
 * gateway addresses of bridges the test's daemon created (never a real upstream). Names under
 * {@code upstream.test} get 192.0.2.x (x from the first label's length), the rest NXDOMAIN;
 * every question is counted, by transport.
 */
final class TestUpstream implements AutoCloseable {
    static final long TTL = 60;
    private final List<AutoCloseable> sockets = new ArrayList<>();
    final Map<String, AtomicInteger> udpQuestions = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> tcpQuestions = new ConcurrentHashMap<>();

    /** Serves UDP and TCP port 53 on each address. */
    TestUpstream(List<String> addresses) throws IOException {
        try {
            for (String a : addresses) {
                InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(a), 53);
                DatagramSocket udp = new DatagramSocket(at);
                sockets.add(udp);
                Thread.ofVirtual().start(() -> serveUdp(udp));
                ServerSocket tcp = new ServerSocket();
                tcp.setReuseAddress(true);
                tcp.bind(at);
                sockets.add(tcp);
                Thread.ofVirtual().start(() -> serveTcp(tcp));
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    int questions(String name, int type) {
        String key = key(name, type);
        return udpQuestions.getOrDefault(key, new AtomicInteger()).get() + tcpQuestions.getOrDefault(key, new AtomicInteger()).get();
    }

    static String key(String name, int type) {
        return (name.endsWith(".") ? name : name + ".").toLowerCase() + "/" + Type.string(type);
    }

    private void serveUdp(DatagramSocket socket) {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                byte[] reply = answer(java.util.Arrays.copyOf(p.getData(), p.getLength()), udpQuestions);
                if (reply != null) socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serveTcp(ServerSocket server) {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            Thread.ofVirtual().start(() -> {
                try (s) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    byte[] q = new byte[in.readUnsignedShort()];
                    in.readFully(q);
                    byte[] reply = answer(q, tcpQuestions);
                    if (reply == null) return;
                    out.writeShort(reply.length);
                    out.write(reply);
                    out.flush();
                } catch (IOException ignored) {
                    // the client hung up
                }
            });
        }
    }

    private static byte[] answer(byte[] query, Map<String, AtomicInteger> counts) {
        Message q;
        try {
            q = new Message(query);
        } catch (IOException e) {
            return null;
        }
        Record question = q.getQuestion();
        if (question == null) return null;
        counts.computeIfAbsent(key(question.getName().toString(), question.getType()), k -> new AtomicInteger()).incrementAndGet();
        Message m = new Message(q.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.addRecord(question, Section.QUESTION);
        Name name = question.getName();
        try {
            if (name.subdomain(Name.fromString("upstream.test."))) {
                if (question.getType() == Type.A) {
                    int x = name.getLabelString(0).length();
                    m.addRecord(new ARecord(name, DClass.IN, TTL, InetAddress.getByName("192.0.2." + x)), Section.ANSWER);
                }
            } else {
                m.getHeader().setRcode(Rcode.NXDOMAIN);
            }
        } catch (IOException e) {
            return null;
        }
        return m.toWire();
    }

    @Override
    public void close() {
        for (AutoCloseable s : sockets) {
            try {
                s.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }
}
