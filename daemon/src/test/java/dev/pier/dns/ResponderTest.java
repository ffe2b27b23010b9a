package dev.pier.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Queries in, answers out: the name table and the DNS rules, without sockets. */
class ResponderTest {
    static final String WEB = "aaaaaaaaaaaa" + "0".repeat(52), DB = "bbbbbbbbbbbb" + "0".repeat(52),
            DB2 = "cccccccccccc" + "0".repeat(52), OTHER = "dddddddddddd" + "0".repeat(52), LONELY = "eeeeeeeeeeee" + "0".repeat(52);

    static InetAddress ip(String s) {
        return dev.pier.linux.IpPrefix.parseAddress(s);
    }

    static final NameTable TABLE = new NameTable(List.of(
            new NameTable.Peer(WEB, "web", "webhost", true, List.of(
                    new NameTable.Endpoint("n1", "front", ip("10.1.0.2"), null, List.of())), java.util.Map.of("database", "db")),
            new NameTable.Peer(DB, "db", "bbbbbbbbbbbb", true, List.of(
                    new NameTable.Endpoint("n1", "front", ip("10.1.0.3"), ip("fd00::3"), List.of("store")))),
            new NameTable.Peer(DB2, "db2", "cccccccccccc", true, List.of(
                    new NameTable.Endpoint("n1", "front", ip("10.1.0.4"), null, List.of("store")))),
            new NameTable.Peer(OTHER, "other", "dddddddddddd", true, List.of(
                    new NameTable.Endpoint("n2", "back", ip("10.2.0.2"), null, List.of()))),
            new NameTable.Peer(LONELY, "lonely", "eeeeeeeeeeee", false, List.of(
                    new NameTable.Endpoint("n3", "sealed", ip("10.3.0.2"), null, List.of())))));

    static Message query(String name, int type) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
        q.getHeader().setID(4242);
        return q;
    }

    static Responder.Reply ask(String asker, Message q) {
        byte[] wire = q.toWire();
        return Responder.respond(wire, wire.length, asker, TABLE, true);
    }

    static Message answer(String asker, String name, int type) throws Exception {
        Responder.Reply r = ask(asker, query(name, type));
        assertThat(r).isInstanceOf(Responder.Reply.Answer.class);
        return new Message(((Responder.Reply.Answer) r).wire());
    }

    static List<String> addresses(Message m) {
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList();
    }

    @Test
    void containerNameShortIdHostnameAndNetworkQualifiedNameAnswerCaseInsensitively() throws Exception {
        for (String name : List.of("db", "DB", "bbbbbbbbbbbb", "db.front", "Db.Front.")) {
            Message m = answer(WEB, name, Type.A);
            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getHeader().getID()).isEqualTo(4242);
            assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
            assertThat(addresses(m)).as(name).containsExactly("10.1.0.3");
            assertThat(m.getSection(Section.ANSWER).getFirst().getName()).isEqualTo(Name.fromString(name, Name.root));
        }
        assertThat(addresses(answer(DB, "webhost", Type.A))).containsExactly("10.1.0.2");
    }

    @Test
    void linkAliasesAreSeenByTheLinkingContainerAlone() throws Exception {
        assertThat(addresses(answer(WEB, "database", Type.A))).containsExactly("10.1.0.3");
        assertThat(ask(DB2, queryUnchecked("database", Type.A))).isInstanceOf(Responder.Reply.Forward.class);
    }

    @Test
    void aSharedAliasGivesEveryAddressInShuffledOrder() throws Exception {
        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            List<String> got = addresses(answer(WEB, "store", Type.A));
            assertThat(got).containsExactlyInAnyOrder("10.1.0.3", "10.1.0.4");
            orders.add(got);
        }
        assertThat(orders).hasSize(2);
    }

    @Test
    void aaaaAndTheKnownNameWithoutTheFamilyIsNoErrorAndEmpty() throws Exception {
        assertThat(addresses(answer(WEB, "db", Type.AAAA))).containsExactly("fd00:0:0:0:0:0:0:3");
        Message empty = answer(DB, "web", Type.AAAA);
        assertThat(empty.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(empty.getSection(Section.ANSWER)).isEmpty();
        // Other types of a container's name are not forwarded either.
        assertThat(answer(DB, "web", Type.MX).getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void ptrGivesNameDotNetwork() throws Exception {
        Message m = answer(WEB, ReverseMap.fromAddress("10.1.0.3").toString(), Type.PTR);
        assertThat(addresses(m)).containsExactly("db.front.");
        Message v6 = answer(WEB, ReverseMap.fromAddress("fd00::3").toString(), Type.PTR);
        assertThat(addresses(v6)).containsExactly("db.front.");
    }

    @Test
    void namesOnAnotherNetworkAreNotSeenAndGoUpstream() {
        assertThat(ask(OTHER, queryUnchecked("db", Type.A))).isInstanceOf(Responder.Reply.Forward.class);
        assertThat(ask(OTHER, queryUnchecked(ReverseMap.fromAddress(ip("10.1.0.3")).toString(), Type.PTR)))
                .isInstanceOf(Responder.Reply.Forward.class);
        assertThat(ask(WEB, queryUnchecked("example.test", Type.A))).isInstanceOf(Responder.Reply.Forward.class);
        // Not even a container's own name helps a stranger (one not in the table at all).
        assertThat(ask("f".repeat(64), queryUnchecked("db", Type.A))).isInstanceOf(Responder.Reply.Answer.class);
    }

    @Test
    void containersOnlyOnInternalNetworksDoNotForward() throws Exception {
        Message m = answer(LONELY, "example.test", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(addresses(answer(LONELY, "lonely", Type.A))).containsExactly("10.3.0.2");
    }

    @Test
    void malformedQueriesGetFormerrOrAreDropped() throws Exception {
        assertThat(Responder.respond(new byte[5], 5, WEB, TABLE, true)).isInstanceOf(Responder.Reply.Drop.class);
        // A header that claims a question which is not there.
        byte[] truncated = query("db", Type.A).toWire();
        Responder.Reply r = Responder.respond(truncated, 14, WEB, TABLE, true);
        assertThat(r).isInstanceOf(Responder.Reply.Answer.class);
        Message formerr = new Message(((Responder.Reply.Answer) r).wire());
        assertThat(formerr.getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(formerr.getHeader().getID()).isEqualTo(4242);
        // Garbage after a valid header.
        byte[] garbage = new byte[64];
        java.util.Arrays.fill(garbage, (byte) 0xff);
        garbage[2] = 0x01; // QR=0, opcode QUERY, RD
        garbage[3] = 0;
        assertThat(Responder.respond(garbage, garbage.length, WEB, TABLE, true)).isInstanceOf(Responder.Reply.Answer.class);
        // A response is never answered (no loops between resolvers).
        Message response = query("db", Type.A);
        response.getHeader().setFlag(Flags.QR);
        assertThat(ask(WEB, response)).isInstanceOf(Responder.Reply.Drop.class);
        // Two questions: FORMERR; another opcode: NOTIMP.
        Message two = query("db", Type.A);
        two.addRecord(Record.newRecord(Name.fromString("web."), Type.A, DClass.IN), Section.QUESTION);
        assertThat(rcode(ask(WEB, two))).isEqualTo(Rcode.FORMERR);
        Message notify = query("db", Type.A);
        notify.getHeader().setOpcode(Opcode.NOTIFY);
        assertThat(rcode(ask(WEB, notify))).isEqualTo(Rcode.NOTIMP);
    }

    @Test
    void ednsQueriesGetEdnsAnswers() throws Exception {
        Message q = query("store", Type.A);
        q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        Message m = new Message(((Responder.Reply.Answer) ask(WEB, q)).wire());
        assertThat(m.getOPT()).isNotNull();
        assertThat(addresses(m)).hasSize(2);
    }

    private static int rcode(Responder.Reply r) throws Exception {
        return new Message(((Responder.Reply.Answer) r).wire()).getRcode();
    }

    private static Message queryUnchecked(String name, int type) {
        try {
            return query(name, type);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
