package io.stagecoach.approval;

import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.support.inbound.InboundEvents;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;

/**
 * The two inboxes: each hands what it received to {@link ApprovalHandler}. Both are acked as soon as the handling returned: a pending request lives in the audit stream,
 * never in an unacked delivery.
 */
class ApprovalListener {

    /** {@code BrokerNames.inboxQueue("approval", APPROVAL_REQUESTED)}; a test holds them equal. */
    static final String REQUESTED_INBOX = "approval.approval-requested";

    /** {@code BrokerNames.inboxQueue("approval", APPROVAL_DECIDED)}. */
    static final String DECIDED_INBOX = "approval.approval-decided";

    private final InboundEvents inbound;
    private final DecisionInbox decisions;
    private final ApprovalHandler handler;

    ApprovalListener(InboundEvents inbound, DecisionInbox decisions, ApprovalHandler handler) {
        this.inbound = inbound;
        this.decisions = decisions;
        this.handler = handler;
    }

    /** Requests come only from the previous environment's promotion service: the shared checks apply. */
    // one consumer per inbox: the handler decides one request or vote at a time anyway, and votes stay in their order
    @RabbitListener(id = "approval-requested", queues = REQUESTED_INBOX, concurrency = "1")
    void onRequested(Message message) throws Exception {
        inbound.receive(message, ApprovalRequested.class, handler::requested);
    }

    /** Decisions are checked by the policy, publisher included, so that a refusal is audited. */
    @RabbitListener(id = "approval-decided", queues = DECIDED_INBOX, concurrency = "1")
    void onDecided(Message message) throws Exception {
        var received = decisions.accept(message);
        if (received.isPresent()) {
            handler.decided(received.get().decision(), received.get().publisher());
        }
    }
}
