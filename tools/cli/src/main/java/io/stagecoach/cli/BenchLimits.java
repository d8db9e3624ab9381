package io.stagecoach.cli;

import io.stagecoach.events.EventType;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The pipeline's own limits beside what one {@code stagecoach bench} run measured of them: a build until its release
 * is verified in the environment before the manual gate (dev → staging, under 3 minutes), from there until it runs
 * verified behind the gate, without the wait for the person's decision (staging → prod, under 5 minutes), and a
 * failed smoke test until the environment runs its last verified release again (rollback, under 2 minutes).
 *
 * <p>Control plane only: the times the events carry, with the local GitOps repository as the deploy target. A
 * deployment is done here when its commit is pushed; on a cluster the CD controller's sync and the rollout come
 * after that, and each row names what they would add.
 *
 * @param rows one per limit, in the order above; staging → prod only where the path has a manual gate
 */
record BenchLimits(List<Row> rows) {

    static final Duration TO_GATE = Duration.ofMinutes(3);
    static final Duration THROUGH_GATE = Duration.ofMinutes(5);
    static final Duration ROLLBACK = Duration.ofMinutes(2);

    /**
     * One limit and what the run measured of it.
     *
     * @param name     {@code dev -> staging}, {@code staging -> prod}, {@code rollback (dev)}
     * @param measured from which event to which, in words
     * @param limit    what it must stay under
     * @param summary  the samples, one per build that passed both ends
     * @param complete whether the samples are the whole figure; false when the run measured only a part of it (prod
     *                 not approved) or nothing was made to happen (no failing build)
     * @param note     what the figure leaves out or lacks in this run, or null
     * @param rollout  what a real rollout would add to it
     */
    record Row(String name, String measured, Duration limit, LatencySummary summary, boolean complete, String note,
               String rollout) {

        /** Whether every sample is under the limit; empty when the run did not measure the whole of it. */
        Optional<Boolean> within() {
            if (!complete || summary.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(summary.max() < limit.toMillis());
        }
    }

    BenchLimits {
        rows = List.copyOf(rows);
    }

    /**
     * The limits as {@code journeys} measured them.
     *
     * @param approved whether the bench approved every build at the gate (so the way behind it was followed)
     * @param failing  how many of the builds were made to fail their smoke tests in the first environment
     * @param approver who the bench approved as, for the note; null when it did not approve
     */
    static BenchLimits of(Environments environments, List<BuildJourney> journeys, boolean approved, int failing,
                          String approver) {
        List<Environment> all = environments.all();
        String first = all.get(0).name();
        Optional<Environment> gated = all.stream().filter(Environment::isManual).findFirst();
        // the environment a release is verified in before the gate: the last automatic one
        int gate = gated.map(all::indexOf).orElse(all.size());
        String before = all.get(Math.max(0, gate - 1)).name();
        List<Row> rows = new ArrayList<>();

        BenchPath.Step build = new BenchPath.Step(EventType.BUILD_COMPLETED, first);
        BenchPath.Step verifiedBefore = new BenchPath.Step(EventType.SMOKETEST_PASSED, before);
        rows.add(new Row(first + " -> " + before, build.label() + " -> " + verifiedBefore.label(), TO_GATE,
                summary(journeys.stream().map(j -> j.took(build, verifiedBefore)).toList()), true, null,
                "in each of " + first + (first.equals(before) ? "" : " and " + before) + ", the CD controller's sync "
                        + "(Argo CD or Flux polling the GitOps repository) and the Deployment's rollout (image pull, "
                        + "pod start, readiness) before the smoke tests can pass"));

        if (gated.isPresent()) {
            String into = gated.get().name();
            BenchPath.Step requested = new BenchPath.Step(EventType.APPROVAL_REQUESTED, into);
            BenchPath.Step decided = new BenchPath.Step(EventType.APPROVAL_DECIDED, into);
            BenchPath.Step verified = new BenchPath.Step(EventType.SMOKETEST_PASSED, into);
            List<Optional<Duration>> samples = journeys.stream().map(j -> {
                Optional<Duration> toGate = j.took(verifiedBefore, requested);
                if (!approved) {
                    return toGate;
                }
                Optional<Duration> behind = j.took(decided, verified);
                return toGate.isPresent() && behind.isPresent() ? Optional.of(toGate.get().plus(behind.get()))
                        : Optional.<Duration>empty();
            }).toList();
            String note = approved
                    ? "the wait at the gate (" + requested.label() + " -> " + decided.label() + ", the bench approving "
                    + "as " + approver + ") is left out"
                    : into + " was not approved in this run: the figure is " + verifiedBefore.label() + " -> "
                    + requested.label() + " only (--approve measures the way behind the gate)";
            rows.add(new Row(before + " -> " + into, approved
                    ? verifiedBefore.label() + " -> " + verified.label() + ", without the wait at the gate"
                    : verifiedBefore.label() + " -> " + requested.label(), THROUGH_GATE, summary(samples), approved,
                    note, "in " + into + ", the same sync and rollout; and the person's decision, left out here"));
        }

        BenchPath.Step failed = new BenchPath.Step(EventType.SMOKETEST_FAILED, first);
        BenchPath.Step rolledBack = new BenchPath.Step(EventType.ROLLBACK_COMPLETED, first);
        LatencySummary rollback = summary(journeys.stream().map(j -> j.took(failed, rolledBack)).toList());
        rows.add(new Row("rollback (" + first + ")", failed.label() + " -> " + rolledBack.label(), ROLLBACK,
                rollback, failing > 0,
                failing == 0 ? "no build was made to fail in this run (--failing N)"
                        : rollback.count() < failing ? rollback.count() + " of the " + BenchCommand.count(failing,
                        "failing build") + " rolled back" : null,
                "the sync and the rollout of the release put back (its image is likely still on the nodes); not "
                        + "counted either: the failing smoke tests' retries until their deadline"));
        return new BenchLimits(rows);
    }

    private static LatencySummary summary(List<Optional<Duration>> samples) {
        return LatencySummary.of(samples.stream().flatMap(Optional::stream).map(d -> (double) d.toMillis()).toList());
    }

    void print(PrintWriter out) {
        out.println();
        out.println("limits, control plane only: each ends when the release is verified (smoketest.passed) or put "
                + "back (rollback.completed), by the times the events carry; a deployment is done when the local "
                + "GitOps repository has it");
        int name = Math.max("limit".length(), rows.stream().mapToInt(r -> r.name().length()).max().orElse(0));
        int measured = Math.max("measured".length(),
                rows.stream().mapToInt(r -> r.measured().length()).max().orElse(0));
        out.println(EventLines.pad("limit", name) + "  " + EventLines.pad("measured", measured)
                + "      goal      n   p50 ms   p99 ms   max ms  within");
        for (Row row : rows) {
            LatencySummary s = row.summary();
            String figures = s.isEmpty() ? String.format(Locale.ROOT, "%6d %8s %8s %8s", 0, "-", "-", "-")
                    : String.format(Locale.ROOT, "%6d %8.0f %8.0f %8.0f", s.count(), s.p50(), s.p99(), s.max());
            out.println(EventLines.pad(row.name(), name) + "  " + EventLines.pad(row.measured(), measured)
                    + String.format(Locale.ROOT, " %9s ", "< " + minutes(row.limit())) + figures + "  "
                    + row.within().map(w -> w ? "yes" : "no").orElse("-"));
        }
        rows.stream().filter(r -> r.note() != null).forEach(r -> out.println("  " + r.name() + ": " + r.note()));
        out.println("a real rollout would add:");
        rows.forEach(r -> out.println("  " + r.name() + ": " + r.rollout()));
        out.flush();
    }

    /** {@code 3 min}. */
    static String minutes(Duration limit) {
        return limit.toMinutes() + " min";
    }

    List<Map<String, Object>> json() {
        List<Map<String, Object>> json = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> limit = new LinkedHashMap<>();
            limit.put("limit", row.name());
            limit.put("measured", row.measured());
            limit.put("limitMillis", row.limit().toMillis());
            limit.put("n", row.summary().count());
            if (!row.summary().isEmpty()) {
                limit.put("p50", row.summary().p50());
                limit.put("p99", row.summary().p99());
                limit.put("max", row.summary().max());
            }
            limit.put("complete", row.complete());
            limit.put("within", row.within().orElse(null));
            if (row.note() != null) {
                limit.put("note", row.note());
            }
            limit.put("realRolloutWouldAdd", row.rollout());
            json.add(limit);
        }
        return json;
    }
}
