package dev.pier.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class AnswerCacheTest {
    final AtomicLong now = new AtomicLong(1_000);
    final AnswerCache cache = new AnswerCache(2, now::get);

    static Message query(String name) throws Exception {
        return Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    }

    static byte[] answer(Message q, long ttl) throws Exception {
        Message m = new Message(q.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.addRecord(q.getQuestion(), Section.QUESTION);
        m.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, ttl, InetAddress.getByName("192.0.2.1")), Section.ANSWER);
        return m.toWire();
    }

    @Test
    void keepsAnAnswerForItsTtlWithTheAskersId() throws Exception {
        Message q = query("a.test.");
        String key = AnswerCache.key("[up]", q, false);
        cache.put(key, answer(q, 5));
        byte[] hit = cache.get(key, 777);
        assertThat(new Message(hit).getHeader().getID()).isEqualTo(777);
        assertThat(new Message(hit).getSection(Section.ANSWER).getFirst().rdataToString()).isEqualTo("192.0.2.1");
        now.addAndGet(2_000_000_000L);
        assertThat(new Message(cache.get(key, 1)).getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(3);
        now.addAndGet(-2_000_000_000L);
        assertThat(cache.get(AnswerCache.key("[up]", query("A.TEST."), false), 1)).isNotNull();   // names are case-insensitive
        assertThat(cache.get(AnswerCache.key("[other]", q, false), 1)).isNull();                  // other upstreams, other cache
        now.addAndGet(5_000_000_000L);
        assertThat(cache.get(key, 1)).isNull();
    }

    @Test
    void failuresAndTruncatedAnswersAreNotKept() throws Exception {
        Message q = query("b.test.");
        Message fail = new Message(q.getHeader().getID());
        fail.getHeader().setRcode(Rcode.SERVFAIL);
        assertThat(AnswerCache.ttlSeconds(fail.toWire())).isZero();
        Message tc = new Message(answer(q, 60));
        tc.getHeader().setFlag(Flags.TC);
        assertThat(AnswerCache.ttlSeconds(tc.toWire())).isZero();
        assertThat(AnswerCache.ttlSeconds(answer(q, 100_000))).isEqualTo(AnswerCache.MAX_TTL_SECONDS);
    }

    @Test
    void negativeAnswersLiveByTheSoaMinimumCapped() throws Exception {
        Message q = query("c.test.");
        Message nx = new Message(q.getHeader().getID());
        nx.getHeader().setRcode(Rcode.NXDOMAIN);
        nx.addRecord(q.getQuestion(), Section.QUESTION);
        Name zone = Name.fromString("test.");
        nx.addRecord(new SOARecord(zone, DClass.IN, 3600, zone, zone, 1, 1, 1, 1, 10), Section.AUTHORITY);
        assertThat(AnswerCache.ttlSeconds(nx.toWire())).isEqualTo(10);
    }

    @Test
    void theLeastRecentlyUsedGoesFirst() throws Exception {
        for (String n : new String[]{"1.test.", "2.test.", "3.test."}) {
            Message q = query(n);
            cache.put(AnswerCache.key("", q, false), answer(q, 60));
        }
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(AnswerCache.key("", query("1.test."), false), 1)).isNull();
    }
}
