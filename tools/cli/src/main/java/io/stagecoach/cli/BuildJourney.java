package io.stagecoach.cli;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.Release;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One benchmarked build: when it passed each step of the way, by the time its events carry (each written by the
 * service that published it, on one machine's clock), and where its run stands.
 */
final class BuildJourney {

    private final Release release;
    private final String runId;
    private final BenchPath path;
    private final RunProgress progress;
    private final Map<BenchPath.Step, Instant> passed = new HashMap<>();
    private Instant settledAt;

    BuildJourney(Release release, BenchPath path, String lastEnvironment) {
        this.release = release;
        this.runId = BuildCommand.runId(release);
        this.path = path;
        this.progress = new RunProgress(lastEnvironment);
    }

    Release release() {
        return release;
    }

    String runId() {
        return runId;
    }

    /** Takes one event of this build's run; the first time a step is seen counts (a hand-off is in two streams). */
    void apply(CloudEvent<?> event) {
        path.stepOf(event).ifPresent(step -> passed.putIfAbsent(step, event.time()));
        progress.apply(event);
        if (settledAt == null && settled()) {
            settledAt = event.time();
        }
    }

    /** When it went as far as it will, by the time of the event that ended its way, if it did. */
    Optional<Instant> settledAt() {
        return Optional.ofNullable(settledAt);
    }

    /** Whether it got to the end of the way (the gate, or through the last environment). */
    boolean arrived() {
        return passed.containsKey(path.last());
    }

    /** Whether it will go no further: it arrived, or its run was blocked, failed or superseded. */
    boolean settled() {
        return arrived() || progress.stage().settled();
    }

    /** When it passed a step, if it did. */
    Optional<Instant> at(BenchPath.Step step) {
        return Optional.ofNullable(passed.get(step));
    }

    /** How long a hop took, if the build passed both its ends. */
    Optional<Duration> took(BenchPath.Hop hop) {
        Instant from = passed.get(hop.from());
        Instant to = passed.get(hop.to());
        return from == null || to == null ? Optional.empty() : Optional.of(Duration.between(from, to));
    }

    /** From the build to the end of the way, if it got there. */
    Optional<Duration> whole() {
        return took(new BenchPath.Hop(path.steps().get(0), path.last()));
    }

    /** Where its run stands, in words (the last decisive event). */
    String description() {
        return progress.description();
    }

    RunProgress.Stage stage() {
        return progress.stage();
    }
}
