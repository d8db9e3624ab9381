package io.stagecoach.rollback;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.Deployment;
import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.RollbackFailed;
import io.stagecoach.events.Trigger;
import io.stagecoach.support.Decision;

/**
 * What {@link RollbackPolicy} made of a failure, with the events to publish for it. A decision that holds a release
 * verified here (or sees it fail again) also withdraws it from the next environment; that withdrawal comes first. A
 * {@link Rollback} announces only its withdrawal until the target answered: it then becomes {@link RolledBack} or
 * {@link Failed}.
 */
sealed interface RollbackDecision extends Decision {

    /** The {@code release.withdrawn} addressed to the next environment, if this decision calls for one. */
    Optional<CloudEvent<ReleaseWithdrawn>> withdrawal();

    /** Put {@code to} back through the target, then announce it (which holds {@code from}). */
    record Rollback(CloudEvent<?> cause, Release from, Release to, Deployment deployment, String source,
                    Optional<CloudEvent<ReleaseWithdrawn>> withdrawal) implements RollbackDecision {

        /** The withdrawal only, before the deploy: the rest depends on the target's answer. */
        @Override
        public List<CloudEvent<?>> events() {
            return withdrawal.<CloudEvent<?>>map(w -> w).stream().toList();
        }

        /** The target runs {@code to} again. */
        RolledBack completed(DeployResult result) {
            var data = new RollbackCompleted(deployment.environment(), to.service(), from, to, Trigger.of(cause),
                    result.revision());
            return new RolledBack(CloudEvent.causedBy(cause, data, source, deployment.environment()));
        }

        /** The target could not put {@code to} back; the withdrawal went out with this decision already. */
        Failed failed(String error) {
            var data = new RollbackFailed(deployment.environment(), to.service(), from, to,
                    RollbackPolicy.shorten("putting back " + to.version() + " failed: "
                            + (error == null || error.isBlank() ? "the deploy target gave no reason" : error)),
                    Trigger.of(cause));
            return new Failed(CloudEvent.causedBy(cause, data, source, deployment.environment()), Optional.empty());
        }
    }

    /** The target runs the last verified release again: announce it. */
    record RolledBack(CloudEvent<RollbackCompleted> event) implements RollbackDecision {
        @Override
        public Optional<CloudEvent<ReleaseWithdrawn>> withdrawal() {
            return Optional.empty();
        }

        @Override
        public List<CloudEvent<?>> events() {
            return List.of(event);
        }
    }

    /** No rollback is possible, or the target failed; people must act. Nothing changes. */
    record Failed(CloudEvent<RollbackFailed> event, Optional<CloudEvent<ReleaseWithdrawn>> withdrawal)
            implements RollbackDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return Stream.concat(withdrawal.stream(), Stream.of(event)).<CloudEvent<?>>map(e -> e).toList();
        }
    }

    /** Nothing to do (the failure is about a release that no longer runs here); at most a withdrawal. */
    record Nothing(String why, Optional<CloudEvent<ReleaseWithdrawn>> withdrawal) implements RollbackDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return withdrawal.<CloudEvent<?>>map(w -> w).stream().toList();
        }
    }

    /**
     * An alert that started before the running release was deployed: it is about the release before it, so nothing
     * is rolled back and nothing is announced. Logged and counted; the alert itself is in the audit stream.
     */
    record StaleAlert(CloudEvent<AlertFiring> alert, Release running, Instant deployedAt, String why)
            implements RollbackDecision {
        @Override
        public Optional<CloudEvent<ReleaseWithdrawn>> withdrawal() {
            return Optional.empty();
        }

        @Override
        public List<CloudEvent<?>> events() {
            return List.of();
        }
    }
}
