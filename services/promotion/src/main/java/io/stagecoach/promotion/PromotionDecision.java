package io.stagecoach.promotion;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.Deployment;

/** What {@link PromotionPolicy} says to do with a {@code promotion.requested}. */
sealed interface PromotionDecision {

    /** Put the release in through the target, then announce how it went. */
    record Deploy(CloudEvent<PromotionRequested> request, Deployment deployment, String source, String target)
            implements PromotionDecision {

        CloudEvent<DeploymentCompleted> completed(DeployResult result) {
            var data = new DeploymentCompleted(request.data().release(), deployment.environment(), target,
                    result.revision(), result.previousVersion(), false);
            return CloudEvent.causedBy(request, data, source, deployment.environment());
        }

        CloudEvent<DeploymentFailed> failed(String error, int attempts) {
            String text = error == null || error.isBlank() ? "the deploy target failed without a message" : error;
            // the schema allows 4096 characters; a target's message may be longer
            var data = new DeploymentFailed(request.data().release(), deployment.environment(), target,
                    text.length() <= 4000 ? text : text.substring(0, 3999) + "…", Math.max(1, attempts));
            return CloudEvent.causedBy(request, data, source, deployment.environment());
        }
    }

    /** The policy said no: announce why, deploy nothing. */
    record Blocked(CloudEvent<PromotionBlocked> event) implements PromotionDecision {

        PromotionBlocked.Reason reason() {
            return event.data().reason();
        }
    }

    /** Nothing to do (the release already runs here, announced): no deployment and no event. */
    record Nothing(String why) implements PromotionDecision {
    }
}
