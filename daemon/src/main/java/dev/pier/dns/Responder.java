package dev.pier.dns;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One query in, one decision out: answered from the name table, forwarded, or dropped. Pure logic
 * over dnsjava's codec; the sockets live in {@link ContainerResolver}.
 */
public final class Responder {
    /** Docker's TTL for container names. */
    static final long TTL = 600;
    private static final int UDP_MIN = 512, UDP_MAX = 4096;

    private Responder() {}

    public sealed interface Reply {
        /**
         * Send these bytes back to the asker. {@code stable}: the same question (but for its id) gets
         * the same bytes while the name table is the same, so the answer may be kept and replayed;
         * false for a name with several addresses, which are shuffled at every answer.
         */
        record Answer(byte[] wire, boolean stable) implements Reply {
            public Answer(byte[] wire) {
                this(wire, true);
            }
        }
        /** Not a container's name: ask the upstream servers. {@code maxSize} bounds a UDP reply. */
        record Forward(Message query, int maxSize) implements Reply {}
        /** Not worth an answer (too short to carry an id, or not a query at all). */
        record Drop() implements Reply {}
    }

    private static final Reply DROP = new Reply.Drop();

    /** @param udp true when the reply goes back over UDP (its size is bounded by the asker's EDNS payload, else 512) */
    public static Reply respond(byte[] packet, int length, String askerId, NameTable table, boolean udp) {
        if (length < Header.LENGTH) return DROP;
        Header header;
        try {
            header = new Header(java.util.Arrays.copyOf(packet, Header.LENGTH));
        } catch (IOException e) {
            return DROP;
        }
        if (header.getFlag(Flags.QR)) return DROP; // a response: never answer one (no reflection loops)
        Message query;
        try {
            query = new Message(java.nio.ByteBuffer.wrap(packet, 0, length));
        } catch (IOException | RuntimeException e) {
            return new Reply.Answer(headerOnly(header, Rcode.FORMERR));
        }
        if (header.getOpcode() != Opcode.QUERY) return new Reply.Answer(headerOnly(header, Rcode.NOTIMP));
        if (header.getCount(Section.QUESTION) != 1 || header.getCount(Section.ANSWER) != 0
                || header.getCount(Section.AUTHORITY) != 0) return new Reply.Answer(headerOnly(header, Rcode.FORMERR));
        Record question = query.getQuestion();
        OPTRecord opt = query.getOPT();
        int maxSize = udp ? Math.clamp(opt == null ? UDP_MIN : opt.getPayloadSize(), UDP_MIN, UDP_MAX) : 65535;
        if (question.getDClass() != DClass.IN) return forwardOrFail(query, askerId, table, maxSize);

        Name qname = question.getName();
        int type = question.getType();
        NameTable.Answer answer = isReverse(qname)
                ? reverse(qname, askerId, table)
                : table.lookup(askerId, qname.toString(true), type == Type.AAAA);
        return switch (answer) {
            case NameTable.Answer.Unknown u -> forwardOrFail(query, askerId, table, maxSize);
            case NameTable.Answer.Pointer p -> {
                Message m = reply(query, Rcode.NOERROR);
                if (type == Type.PTR || type == Type.ANY)
                    m.addRecord(new PTRRecord(qname, DClass.IN, TTL, absolute(p.name())), Section.ANSWER);
                yield new Reply.Answer(m.toWire(maxSize));
            }
            case NameTable.Answer.Addresses a -> {
                // A known name without the asked type is NOERROR with no data: never forwarded.
                Message m = reply(query, Rcode.NOERROR);
                if (type == Type.A || type == Type.AAAA) {
                    for (InetAddress address : a.addresses()) {
                        m.addRecord(address instanceof Inet4Address ? new ARecord(qname, DClass.IN, TTL, address)
                                : new AAAARecord(qname, DClass.IN, TTL, address), Section.ANSWER);
                    }
                }
                yield new Reply.Answer(m.toWire(maxSize), a.addresses().size() <= 1);
            }
        };
    }

    /** The answer for a query that may not go outside (only internal networks) or that no upstream answered. */
    public static byte[] serverFailure(Message query) {
        return reply(query, Rcode.SERVFAIL).toWire();
    }

    private static Reply forwardOrFail(Message query, String askerId, NameTable table, int maxSize) {
        if (!table.forwards(askerId)) return new Reply.Answer(serverFailure(query));
        return new Reply.Forward(query, maxSize);
    }

    private static NameTable.Answer reverse(Name qname, String askerId, NameTable table) {
        InetAddress address;
        try {
            address = ReverseMap.fromName(qname);
        } catch (UnknownHostException | RuntimeException e) {
            return new NameTable.Answer.Unknown(); // a partial reverse name (a zone, not an address)
        }
        return table.reverse(askerId, address);
    }

    private static boolean isReverse(Name name) {
        String s = name.toString(true).toLowerCase(java.util.Locale.ROOT);
        return s.endsWith(".in-addr.arpa") || s.endsWith(".ip6.arpa");
    }

    private static Message reply(Message query, int rcode) {
        Message m = new Message(query.getHeader().getID());
        Header h = m.getHeader();
        h.setFlag(Flags.QR);
        h.setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) h.setFlag(Flags.RD);
        h.setRcode(rcode);
        m.addRecord(query.getQuestion(), Section.QUESTION);
        if (query.getOPT() != null) m.addRecord(new OPTRecord(UDP_MAX, 0, 0), Section.ADDITIONAL);
        return m;
    }

    /** A reply that repeats only the header: the question could not be read. */
    private static byte[] headerOnly(Header query, int rcode) {
        Header h = new Header(query.getID());
        h.setFlag(Flags.QR);
        h.setFlag(Flags.RA);
        if (query.getFlag(Flags.RD)) h.setFlag(Flags.RD);
        h.setOpcode(query.getOpcode());
        h.setRcode(rcode);
        return h.toWire();
    }

    private static Name absolute(String name) {
        try {
            return Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + name, e);
        }
    }
}
