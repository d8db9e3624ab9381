package io.stagecoach.promotion;

import java.util.List;

import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.Deployment;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.support.Decision;

/**
 * What {@link PromotionPolicy} made of a {@code promotion.requested} (or a withdrawal), with the events to publish
 * for it. A {@link Deploy} announces nothing until the target answered: it then becomes {@link Deployed} or
 * {@link DeployFailed}.
 */
sealed interface PromotionDecision extends Decision {

    /** Put the release in through the target, then announce how it went. */
    record Deploy(CloudEvent<PromotionRequested> request, Deployment deployment, String source, String target)
            implements PromotionDecision {

        /** Nothing yet: what is announced depends on the target's answer. */
        @Override
        public List<CloudEvent<?>> events() {
            return List.of();
        }

        /** The target put the release in. */
        Deployed completed(DeployResult result) {
            var data = new DeploymentCompleted(request.data().release(), deployment.environment(), target,
                    result.revision(), result.previousVersion(), false);
            return new Deployed(CloudEvent.causedBy(request, data, source, deployment.environment()));
        }

        /** The target failed for good, after {@code attempts} tries, for {@code cause}. */
        DeployFailed failed(String error, int attempts, DeploymentFailed.Cause cause) {
            String text = error == null || error.isBlank() ? "the deploy target failed without a message" : error;
            // the schema allows 4096 characters; a target's message may be longer
            var data = new DeploymentFailed(request.data().release(), deployment.environment(), target,
                    text.length() <= 4000 ? text : text.substring(0, 3999) + "…", Math.max(1, attempts), cause);
            return new DeployFailed(CloudEvent.causedBy(request, data, source, deployment.environment()));
        }
    }

    /** The target runs the release now: announce the deployment. */
    record Deployed(CloudEvent<DeploymentCompleted> event) implements PromotionDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(event);
        }
    }

    /**
     * The target did not put the release in, for a reason that retrying will not cure: announce the failure and its
     * cause (the rollback service listens; only an unhealthy release is rolled back and held).
     */
    record DeployFailed(CloudEvent<DeploymentFailed> event) implements PromotionDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(event);
        }
    }

    /** The policy said no: announce why, deploy nothing. */
    record Blocked(CloudEvent<PromotionBlocked> event) implements PromotionDecision {

        PromotionBlocked.Reason reason() {
            return event.data().reason();
        }

        @Override
        public List<CloudEvent<?>> events() {
            return List.of(event);
        }
    }

    /** The environment is frozen: the request waits, kept in the event, and is decided again when the freeze ends. */
    record Parked(CloudEvent<PromotionFrozen> event) implements PromotionDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(event);
        }
    }

    /** Nothing to do (the release already runs here, announced): no deployment and no event. */
    record Nothing(String why) implements PromotionDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of();
        }
    }
}
