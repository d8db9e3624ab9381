package io.stagecoach.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * The count, median, 99th percentile and maximum of some durations in milliseconds. Percentiles by nearest rank:
 * the smallest sample at or above that share of the samples, so every figure is one that was measured.
 */
record LatencySummary(int count, double p50, double p99, double max) {

    static final LatencySummary EMPTY = new LatencySummary(0, Double.NaN, Double.NaN, Double.NaN);

    static LatencySummary of(Collection<Double> millis) {
        if (millis.isEmpty()) {
            return EMPTY;
        }
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return new LatencySummary(sorted.size(), percentile(sorted, 50), percentile(sorted, 99),
                sorted.get(sorted.size() - 1));
    }

    /** The nearest-rank percentile of sorted samples. */
    static double percentile(List<Double> sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    boolean isEmpty() {
        return count == 0;
    }
}
