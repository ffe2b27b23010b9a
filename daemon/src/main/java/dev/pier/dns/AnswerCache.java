package dev.pier.dns;

import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Upstream answers kept for as long as their smallest TTL says (capped), given back with their
 * TTLs aged, least recently used first out. Keyed by the upstream servers too: containers with different --dns must not share.
 */
public final class AnswerCache {
    static final long MAX_TTL_SECONDS = 300, NEGATIVE_TTL_SECONDS = 30;

    private record Cached(Message message, long storedAtNanos, long expiresAtNanos) {}

    private final int capacity;
    private final LongSupplier clock;
    private final LinkedHashMap<String, Cached> entries;

    public AnswerCache(int capacity, LongSupplier nanoClock) {
        this.capacity = capacity;
        this.clock = nanoClock;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > AnswerCache.this.capacity;
            }
        };
    }

    public static String key(String upstreams, Message query, boolean tcp) {
        Record q = query.getQuestion();
        return upstreams + '|' + (tcp ? 't' : 'u') + '|' + q.getName().toString().toLowerCase(Locale.ROOT) + '|'
                + q.getType() + '|' + q.getDClass() + '|' + (query.getOPT() != null);
    }

    /** The cached answer with the asker's id, or null. */
    public synchronized byte[] get(String key, int id) {
        Cached e = entries.get(key);
        if (e == null) return null;
        if (clock.getAsLong() - e.expiresAtNanos() >= 0) {
            entries.remove(key);
            return null;
        }
        return aged(e.message(), (clock.getAsLong() - e.storedAtNanos()) / 1_000_000_000L, id);
    }

    /** The answer as it stands now: every TTL less the time it spent here, as a resolver's cache must give it. */
    private static byte[] aged(Message stored, long seconds, int id) {
        Header from = stored.getHeader();
        Header h = new Header(id);
        for (int flag : new int[]{Flags.QR, Flags.AA, Flags.TC, Flags.RD, Flags.RA, Flags.AD, Flags.CD})
            if (from.getFlag(flag)) h.setFlag(flag);
        h.setOpcode(from.getOpcode());
        h.setRcode(stored.getRcode());
        Message m = new Message();
        m.setHeader(h);
        m.addRecord(stored.getQuestion(), Section.QUESTION);
        for (int section : new int[]{Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            for (Record r : stored.getSection(section)) {
                m.addRecord(r.getType() == Type.OPT ? r : Record.newRecord(r.getName(), r.getType(), r.getDClass(),
                        Math.max(0, r.getTTL() - seconds), r.rdataToWireCanonical()), section);
            }
        }
        return m.toWire();
    }

    /** Keeps a NOERROR or NXDOMAIN answer that is not truncated, for its TTL. */
    public void put(String key, byte[] wire) {
        long ttl = ttlSeconds(wire);
        if (ttl <= 0) return;
        Message message;
        try {
            message = new Message(wire);
        } catch (Exception e) {
            return;
        }
        long now = clock.getAsLong();
        synchronized (this) {
            entries.put(key, new Cached(message, now, now + ttl * 1_000_000_000L));
        }
    }

    public synchronized int size() {
        return entries.size();
    }

    /** 0 when the answer must not be kept. */
    static long ttlSeconds(byte[] wire) {
        Message m;
        try {
            m = new Message(wire);
        } catch (Exception e) {
            return 0;
        }
        if (m.getHeader().getFlag(Flags.TC)) return 0;
        int rcode = m.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) return 0;
        long ttl = Long.MAX_VALUE;
        for (Record r : m.getSection(Section.ANSWER)) ttl = Math.min(ttl, r.getTTL());
        if (ttl == Long.MAX_VALUE) {
            // No answer: negative caching by the SOA's minimum (RFC 2308), else briefly.
            ttl = NEGATIVE_TTL_SECONDS;
            for (Record r : m.getSection(Section.AUTHORITY))
                if (r instanceof SOARecord soa) ttl = Math.min(ttl, Math.min(soa.getTTL(), soa.getMinimum()));
        }
        return Math.min(ttl, MAX_TTL_SECONDS);
    }
}
