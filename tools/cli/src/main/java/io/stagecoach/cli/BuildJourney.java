package io.stagecoach.cli;

import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Release;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One benchmarked build: when it passed each step of the way, and each other event of its run, by the time its
 * events carry (each written by the service that published it, on one machine's clock), and where its run stands.
 */
final class BuildJourney {

    private final Release release;
    private final String runId;
    private final BenchPath path;
    private final RunProgress progress;
    private final boolean throughGate;
    /** The first time each event of the run was seen, by type and environment; the steps of the way among them. */
    private final Map<BenchPath.Step, Instant> passed = new HashMap<>();
    private final CountDownLatch verifiedInFirst = new CountDownLatch(1);
    private Instant settledAt;
    private String refused;

    BuildJourney(Release release, BenchPath path, String lastEnvironment) {
        this(release, path, lastEnvironment, false);
    }

    /**
     * @param throughGate whether its way goes on through the manual gate (the bench approves it there), so that
     *                    waiting at the gate is not the end of it
     */
    BuildJourney(Release release, BenchPath path, String lastEnvironment, boolean throughGate) {
        this.release = release;
        this.runId = BuildCommand.runId(release);
        this.path = path;
        this.progress = new RunProgress(lastEnvironment);
        this.throughGate = throughGate;
    }

    Release release() {
        return release;
    }

    String runId() {
        return runId;
    }

    /** Takes one event of this build's run; the first time an event is seen counts (a hand-off is in two streams). */
    void apply(CloudEvent<?> event) {
        passed.putIfAbsent(new BenchPath.Step(event.eventType(), event.environment()), event.time());
        progress.apply(event);
        if (event.data() instanceof ApprovalRefused r && refused == null) {
            refused = release.service() + " " + release.version() + ": the approval service refused the bench's "
                    + "approval in " + event.environment() + ": " + r.reason() + " — " + r.message();
        }
        if (settled() || passed.containsKey(new BenchPath.Step(EventType.SMOKETEST_PASSED,
                path.steps().get(0).environment()))) {
            verifiedInFirst.countDown();
        }
        if (settledAt == null && settled()) {
            settledAt = event.time();
        }
    }

    /**
     * Waits until it passed its smoke tests in the first environment or went as far as it will; false when
     * {@code timeout} passed first. The only method another thread may call.
     */
    boolean awaitVerifiedInFirst(Duration timeout) throws InterruptedException {
        return verifiedInFirst.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** When it went as far as it will, by the time of the event that ended its way, if it did. */
    Optional<Instant> settledAt() {
        return Optional.ofNullable(settledAt);
    }

    /** Whether it got to the end of the way (the gate, or through the last environment). */
    boolean arrived() {
        return passed.containsKey(path.last());
    }

    /**
     * Whether it will go no further: it arrived (and, when its way goes through the gate, passed the last
     * environment), or its run was blocked, failed or superseded, or its approval was refused.
     */
    boolean settled() {
        if (refused != null) {
            return true;
        }
        if (throughGate) {
            return progress.stage().settled() && progress.stage() != RunProgress.Stage.AT_GATE
                    && progress.stage() != RunProgress.Stage.FROZEN && progress.stage() != RunProgress.Stage.SOAKING;
        }
        return arrived() || progress.stage().settled();
    }

    /** When it passed a step, or any other event of its run was first seen, if it was. */
    Optional<Instant> at(BenchPath.Step step) {
        return Optional.ofNullable(passed.get(step));
    }

    /** How long a hop took, if the build passed both its ends. */
    Optional<Duration> took(BenchPath.Hop hop) {
        return took(hop.from(), hop.to());
    }

    /** From one event of its run to another, if both were seen. */
    Optional<Duration> took(BenchPath.Step from, BenchPath.Step to) {
        Instant start = passed.get(from);
        Instant end = passed.get(to);
        return start == null || end == null ? Optional.empty() : Optional.of(Duration.between(start, end));
    }

    /** From the build to the end of the way, if it got there. */
    Optional<Duration> whole() {
        return took(new BenchPath.Hop(path.steps().get(0), path.last()));
    }

    /** Where its run stands, in words (the last decisive event). */
    String description() {
        return refused != null ? refused : progress.description();
    }

    RunProgress.Stage stage() {
        return progress.stage();
    }
}
