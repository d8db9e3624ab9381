package io.stagecoach.smoketest;

import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.support.inbound.InboundEvents;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/** The inbox: each completed deployment of this environment that passes the inbound checks goes to the handler. */
@Component
class SmokeTestListener {

    /** {@code BrokerNames.inboxQueue("smoke-test", EventType.DEPLOYMENT_COMPLETED)}. */
    static final String INBOX = "smoke-test.deployment-completed";

    private final InboundEvents inbound;
    private final SmokeTestHandler handler;

    SmokeTestListener(InboundEvents inbound, SmokeTestHandler handler) {
        this.inbound = inbound;
        this.handler = handler;
    }

    @RabbitListener(queues = INBOX)
    void onDeploymentCompleted(Message message) throws Exception {
        inbound.receive(message, DeploymentCompleted.class, handler::handle);
    }
}
