package io.stagecoach.buildcompleted;

import java.util.List;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.support.Decision;

/** What {@link BuildPolicy} made of one build event, with the events to publish for it. */
public sealed interface BuildDecision extends Decision
        permits BuildDecision.Register, BuildDecision.AlreadyRegistered, BuildDecision.Refuse {

    /** A new release: request its promotion into the first environment. */
    record Register(CloudEvent<PromotionRequested> promotion) implements BuildDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(promotion);
        }
    }

    /** This build was registered before (its promotion request exists): nothing to do. */
    record AlreadyRegistered(String runId, String promotionId) implements BuildDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of();
        }
    }

    /**
     * Not acted on, with a reason for the dead letter (and the webhook's answer), and the block that ends the build's
     * run visibly: {@code promotion.blocked} (BUILD_REFUSED) in the first environment, under the build's run id.
     */
    record Refuse(String reasonTag, String reason, CloudEvent<PromotionBlocked> block) implements BuildDecision {
        @Override
        public List<CloudEvent<?>> events() {
            return List.of(block);
        }
    }
}
