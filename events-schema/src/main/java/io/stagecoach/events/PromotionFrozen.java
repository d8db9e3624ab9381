package io.stagecoach.events;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A promotion request arrived while its environment is frozen: the release is parked, and goes ahead by itself once
 * the freeze ends (its environment's promotion service decides the request again then). The event keeps the request
 * whole, with the user the broker validated for it, so whichever replica leads then can decide it; only the
 * environment's own promotion service may publish it. Not the end of the run: the request's decision, later, is.
 *
 * @param release     the release that waits
 * @param environment the frozen environment
 * @param until       when the freeze ends
 * @param windows     the windows of the environment's schedule that hold the freeze, as written
 * @param message     a human-readable explanation
 * @param parked      the request that waits, to be decided when the freeze ends
 */
public record PromotionFrozen(Release release, String environment, Instant until, List<String> windows,
                              String message, Parked parked) implements EventData {

    public PromotionFrozen {
        windows = windows == null ? List.of() : List.copyOf(windows);
    }

    /**
     * The parked request's envelope and data, and who published it.
     *
     * @param publisher the broker-validated {@code user_id} the request arrived with
     */
    public record Parked(String id, String source, Instant time, String correlationid, String causationid,
                         String publisher, PromotionRequested request) {

        /** The parked request as it arrived. */
        @JsonIgnore
        public CloudEvent<PromotionRequested> event() {
            return new CloudEvent<>(CloudEvent.SPEC_VERSION, id, source, EventType.PROMOTION_REQUESTED.type(),
                    request.release().service(), time, request.targetEnvironment(), correlationid, causationid,
                    request);
        }

        /** The request {@code event}, published by {@code publisher}, kept to be decided later. */
        public static Parked of(CloudEvent<PromotionRequested> event, String publisher) {
            return new Parked(event.id(), event.source(), event.time(), event.correlationid(), event.causationid(),
                    publisher, event.data());
        }
    }

    @Override
    public EventType eventType() {
        return EventType.PROMOTION_FROZEN;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
