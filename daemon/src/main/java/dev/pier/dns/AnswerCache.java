package dev.pier.dns;

import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Upstream answers kept for as long as their smallest TTL says (capped), least recently used
 * first out. Keyed by the upstream servers too: containers with different --dns must not share.
 */
public final class AnswerCache {
    static final long MAX_TTL_SECONDS = 300, NEGATIVE_TTL_SECONDS = 30;

    private record Cached(byte[] wire, long expiresAtNanos) {}

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
        byte[] copy = e.wire().clone();
        copy[0] = (byte) (id >>> 8);
        copy[1] = (byte) id;
        return copy;
    }

    /** Keeps a NOERROR or NXDOMAIN answer that is not truncated, for its TTL. */
    public void put(String key, byte[] wire) {
        long ttl = ttlSeconds(wire);
        if (ttl <= 0) return;
        long expires = clock.getAsLong() + ttl * 1_000_000_000L;
        synchronized (this) {
            entries.put(key, new Cached(wire.clone(), expires));
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
        if (m.getHeader().getFlag(org.xbill.DNS.Flags.TC)) return 0;
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
