package io.stagecoach.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one {@code stagecoach bench} run measured, as the table it prints and as JSON ({@code --json}).
 *
 * @param hops          per hop of the way, in order, its label and summary
 * @param whole         the whole way, build to the end of it, for the builds that got there
 * @param anyHop        every hop's samples together: the typical hop, compared with the broker alone
 * @param buildsPerSecond builds that got to the end per second, from the first publish to the last arrival
 * @param settledPerSecond builds that went as far as they will (to the end, or stopped: superseded by a newer build
 *                        of their service, blocked, failed) per second, from the first build to the last of them
 * @param connections   connections the broker opened during the run, every client's (-1 when unknown)
 * @param pipelineOpened connections opened in the pipeline's vhosts during the run and still open at its end
 * @param process       the local pipeline process, if the bench knows it
 * @param raw           the broker alone, or null when not measured
 * @param limits        the pipeline's limits beside what the run measured of them
 */
record BenchReport(String description, int builds, int arrived, int stopped, int timedOut,
                   Map<String, LatencySummary> hops, LatencySummary whole, LatencySummary anyHop,
                   double buildsPerSecond, double seconds, double settledPerSecond, double settledSeconds,
                   long connections, int pipelineOpened, PipelineFigures process, RawBrokerLatency.Result raw,
                   BenchLimits limits) {

    /** The local pipeline process: its pid, resident memory now and at most, and how long it took to be ready. */
    record PipelineFigures(long pid, long residentKb, long peakResidentKb, long readyMillis) {
    }

    static final String WHOLE = "whole way";

    void print(PrintWriter out) {
        out.println();
        out.println(description);
        out.println(String.format(Locale.ROOT, "%s: %d at the end of the way, %d stopped, %d timed out",
                BenchCommand.count(builds, "build"), arrived, stopped, timedOut));
        out.println();
        int width = Math.max(WHOLE.length(), hops.keySet().stream().mapToInt(String::length).max().orElse(0));
        out.println(EventLines.pad("hop", width) + "      n   p50 ms   p99 ms   max ms");
        hops.forEach((label, summary) -> out.println(row(label, width, summary)));
        out.println(row(WHOLE, width, whole));
        out.println(row("any one hop", width, anyHop));
        out.println();
        out.println(String.format(Locale.ROOT, "sustained: %.2f builds/s to the end of the way (%d in %.1f s)",
                buildsPerSecond, arrived, seconds));
        out.println(String.format(Locale.ROOT, "settled: %.2f builds/s to the end of the way or stopped on it, "
                + "e.g. superseded by a newer build of their service (%d in %.1f s)", settledPerSecond,
                arrived + stopped, settledSeconds));
        out.println("connections opened on the broker during the run: " + (connections < 0 ? "unknown"
                : connections + " (every client of the node)") + "; in the pipeline's vhosts, opened during the run"
                + " and still open: " + pipelineOpened);
        if (process != null) {
            out.println(String.format(Locale.ROOT, "pipeline process: pid %d, %d MB resident at the end (peak %d MB), "
                    + "ready %.1f s after it started", process.pid(), process.residentKb() / 1024,
                    process.peakResidentKb() / 1024, process.readyMillis() / 1000.0));
        }
        if (raw != null) {
            out.println(String.format(Locale.ROOT, "raw broker (quorum queue, 1 KB persistent, one confirm "
                    + "outstanding, %d messages): p50 %.2f ms, p99 %.2f ms, max %.2f ms, %.0f msg/s", raw.messages(),
                    raw.latency().p50(), raw.latency().p99(), raw.latency().max(), raw.messagesPerSecond()));
            if (!anyHop.isEmpty()) {
                out.println(String.format(Locale.ROOT, "pipeline hop p50 / raw broker p50: %.1f",
                        anyHop.p50() / raw.latency().p50()));
            }
        }
        limits.print(out);
        out.flush();
    }

    private static String row(String label, int width, LatencySummary summary) {
        if (summary.isEmpty()) {
            return EventLines.pad(label, width) + String.format(Locale.ROOT, "%7d %8s %8s %8s", 0, "-", "-", "-");
        }
        return EventLines.pad(label, width) + String.format(Locale.ROOT, "%7d %8.0f %8.0f %8.0f", summary.count(),
                summary.p50(), summary.p99(), summary.max());
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("description", description);
        json.put("builds", builds);
        json.put("arrived", arrived);
        json.put("stopped", stopped);
        json.put("timedOut", timedOut);
        List<Object> hopList = new ArrayList<>();
        hops.forEach((label, summary) -> {
            Map<String, Object> hop = new LinkedHashMap<>();
            hop.put("hop", label);
            hop.putAll(json(summary));
            hopList.add(hop);
        });
        json.put("hopsMillis", hopList);
        json.put("wholeWayMillis", json(whole));
        json.put("anyHopMillis", json(anyHop));
        json.put("buildsPerSecond", buildsPerSecond);
        json.put("seconds", seconds);
        json.put("settledPerSecond", settledPerSecond);
        json.put("settledSeconds", settledSeconds);
        json.put("connectionsOpened", connections);
        json.put("pipelineConnectionsOpenedAndOpen", pipelineOpened);
        if (process != null) {
            json.put("pipeline", Map.of("pid", process.pid(), "residentKb", process.residentKb(), "peakResidentKb",
                    process.peakResidentKb(), "readyMillis", process.readyMillis()));
        }
        if (raw != null) {
            Map<String, Object> rawJson = new LinkedHashMap<>(json(raw.latency()));
            rawJson.put("messagesPerSecond", raw.messagesPerSecond());
            json.put("rawBrokerMillis", rawJson);
            if (!anyHop.isEmpty()) {
                json.put("hopP50OverRawP50", anyHop.p50() / raw.latency().p50());
            }
        }
        json.put("limits", limits.json());
        return json;
    }

    private static Map<String, Object> json(LatencySummary summary) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("n", summary.count());
        if (!summary.isEmpty()) {
            json.put("p50", summary.p50());
            json.put("p99", summary.p99());
            json.put("max", summary.max());
        }
        return json;
    }
}
