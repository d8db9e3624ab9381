package io.stagecoach.events;

import java.time.Instant;

/**
 * The gated environment's approval service took an approval request from its inbox: the request waits from now
 * on, by this environment's clock. The event's {@code time} is when it was received; its id is derived from the
 * request id, so a redelivered or replayed request is opened once.
 *
 * <p>The request itself was written by the previous environment; its {@code requestedAt} and {@code expiresAt}
 * are for people to read. Expiry and supersession go by this event.
 *
 * @param requestId   the request opened
 * @param release     the release it is for
 * @param environment the gated environment
 * @param expiresAt   when the request expires unanswered: the receipt time plus this environment's
 *                    {@code approval-ttl}
 */
public record ApprovalOpened(String requestId, Release release, String environment, Instant expiresAt)
        implements EventData {

    @Override
    public EventType eventType() {
        return EventType.APPROVAL_OPENED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
