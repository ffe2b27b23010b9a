package dev.pier.bench;

import java.util.Arrays;
import java.util.List;

/** Durations in nanoseconds, sorted once; percentiles by nearest rank. */
record Samples(long[] sorted) {
    Samples {
        sorted = sorted.clone();
        Arrays.sort(sorted);
    }

    static Samples of(long[] nanos) {
        return new Samples(nanos);
    }

    static Samples pooled(List<Samples> parts) {
        return new Samples(parts.stream().flatMapToLong(s -> Arrays.stream(s.sorted)).toArray());
    }

    int count() { return sorted.length; }

    boolean isEmpty() { return sorted.length == 0; }

    /** Nearest rank: the smallest sample with at least {@code fraction} of the samples at or below it. */
    long percentile(double fraction) {
        if (sorted.length == 0) throw new IllegalStateException("no samples");
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }

    long median() { return percentile(0.50); }
    long p90() { return percentile(0.90); }
    long p99() { return percentile(0.99); }

    long total() { return Arrays.stream(sorted).sum(); }

    double mean() { return sorted.length == 0 ? 0 : (double) total() / sorted.length; }
}
