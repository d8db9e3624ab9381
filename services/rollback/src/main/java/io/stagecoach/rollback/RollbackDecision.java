package io.stagecoach.rollback;

import java.time.Instant;

import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.Release;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.RollbackFailed;
import io.stagecoach.events.Trigger;
import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.Deployment;

/** What {@link RollbackPolicy} says to do about a failure. */
sealed interface RollbackDecision {

    /** Put {@code to} back through the target, then announce it (which holds {@code from}). */
    record Rollback(CloudEvent<?> cause, Release from, Release to, Deployment deployment, String source)
            implements RollbackDecision {

        CloudEvent<RollbackCompleted> completed(DeployResult result) {
            var data = new RollbackCompleted(deployment.environment(), to.service(), from, to, Trigger.of(cause),
                    result.revision());
            return CloudEvent.causedBy(cause, data, source, deployment.environment());
        }

        CloudEvent<RollbackFailed> failed(String error) {
            var data = new RollbackFailed(deployment.environment(), to.service(), from, to,
                    RollbackPolicy.shorten("putting back " + to.version() + " failed: "
                            + (error == null || error.isBlank() ? "the deploy target gave no reason" : error)),
                    Trigger.of(cause));
            return CloudEvent.causedBy(cause, data, source, deployment.environment());
        }
    }

    /** No rollback is possible; people must act. Nothing changes. */
    record Failed(CloudEvent<RollbackFailed> event) implements RollbackDecision {
    }

    /** Nothing to do (the failure is about a release that no longer runs here). */
    record Nothing(String why) implements RollbackDecision {
    }

    /**
     * An alert that started before the running release was deployed: it is about the release before it, so nothing
     * is rolled back. Logged and counted; the alert itself is in the audit stream.
     */
    record StaleAlert(CloudEvent<AlertFiring> alert, Release running, Instant deployedAt, String why)
            implements RollbackDecision {
    }
}
