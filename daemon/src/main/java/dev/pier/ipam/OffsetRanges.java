package dev.pier.ipam;

import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A set of non-negative integers kept as sorted, disjoint, non-adjacent runs [first, last]. Memory grows
 * with the number of runs, not with the span, so an IPv6 /64 costs nothing until addresses are taken, and
 * addresses handed out in order collapse into one run. Every operation is O(log runs): the lowest free
 * value at or after x is x itself or the end of the run covering x, plus one (runs never touch).
 * Not thread-safe: {@link SubnetAllocator} guards it.
 */
final class OffsetRanges {

    private final TreeMap<BigInteger, BigInteger> runs = new TreeMap<>();
    private long count;

    boolean contains(BigInteger value) {
        Map.Entry<BigInteger, BigInteger> run = runs.floorEntry(value);
        return run != null && run.getValue().compareTo(value) >= 0;
    }

    /** Adds {@code value}; false if it was already there. */
    boolean add(BigInteger value) {
        if (contains(value)) {
            return false;
        }
        BigInteger first = value;
        BigInteger last = value;
        Map.Entry<BigInteger, BigInteger> before = runs.floorEntry(value);
        if (before != null && before.getValue().add(BigInteger.ONE).equals(value)) {
            first = before.getKey();
        }
        BigInteger afterKey = value.add(BigInteger.ONE);
        BigInteger afterLast = runs.remove(afterKey);
        if (afterLast != null) {
            last = afterLast;
        }
        runs.put(first, last);
        count++;
        return true;
    }

    /** Removes {@code value}; false if it was not there. */
    boolean remove(BigInteger value) {
        Map.Entry<BigInteger, BigInteger> run = runs.floorEntry(value);
        if (run == null || run.getValue().compareTo(value) < 0) {
            return false;
        }
        BigInteger first = run.getKey();
        BigInteger last = run.getValue();
        runs.remove(first);
        if (first.compareTo(value) < 0) {
            runs.put(first, value.subtract(BigInteger.ONE));
        }
        if (last.compareTo(value) > 0) {
            runs.put(value.add(BigInteger.ONE), last);
        }
        count--;
        return true;
    }

    /** The lowest value at or after {@code from} that is not in the set. */
    BigInteger firstAbsentFrom(BigInteger from) {
        Map.Entry<BigInteger, BigInteger> run = runs.floorEntry(from);
        if (run != null && run.getValue().compareTo(from) >= 0) {
            return run.getValue().add(BigInteger.ONE);
        }
        return from;
    }

    long size() {
        return count;
    }

    /** Every value in ascending order. */
    void forEach(Consumer<BigInteger> action) {
        for (Map.Entry<BigInteger, BigInteger> run : runs.entrySet()) {
            for (BigInteger v = run.getKey(); v.compareTo(run.getValue()) <= 0; v = v.add(BigInteger.ONE)) {
                action.accept(v);
            }
        }
    }

    /** Number of runs, for tests that check the structure stays sparse. */
    int runCount() {
        return runs.size();
    }
}
