package io.stagecoach.smoketest;

import java.util.List;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.ledger.EnvironmentLedger.Deployed;
import io.stagecoach.support.Decision;

/**
 * What {@link SmokeTestPolicy} made of a completed deployment, with the events to publish for it. Before the checks
 * the decision is {@link CheckedBefore}, {@link Replaced} or {@link Checking}; {@link Checking} waits for the checks,
 * and their results are judged into {@link Passed}, {@link Failed} or, when a newer deployment replaced the release
 * meanwhile, {@link Replaced}.
 */
sealed interface SmokeTestDecision extends Decision
        permits SmokeTestDecision.CheckedBefore, SmokeTestDecision.Replaced, SmokeTestDecision.Checking,
        SmokeTestDecision.Passed, SmokeTestDecision.Failed {

    /** The outcome of this deployment ({@code eventId}) is in the audit stream already: a redelivery. */
    record CheckedBefore(String eventId) implements SmokeTestDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of();
        }
    }

    /**
     * A newer deployment of the service ({@code running}) replaced this one {@code when} ("before it was checked",
     * "while it was checked"): no result for it, its run ends with {@code blocked}.
     */
    record Replaced(CloudEvent<PromotionBlocked> blocked, Deployed running, String when) implements SmokeTestDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(blocked);
        }
    }

    /** The release is to be checked now; its events are known once the checks ran and were judged. */
    record Checking() implements SmokeTestDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of();
        }
    }

    /** Every check passed: the release is verified here. */
    record Passed(CloudEvent<SmokeTestPassed> passed) implements SmokeTestDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(passed);
        }
    }

    /** A check got a wrong answer ({@code FAILED}) or the checks could not run ({@code ERROR}). */
    record Failed(CloudEvent<SmokeTestFailed> failed) implements SmokeTestDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(failed);
        }

        SmokeTestFailed.Status status() {
            return failed.data().status();
        }
    }
}
