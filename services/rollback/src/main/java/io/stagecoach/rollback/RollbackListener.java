package io.stagecoach.rollback;

import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.HoldReleased;
import io.stagecoach.events.RollbackRequested;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.support.inbound.InboundEvents;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/** The rollback service's inboxes: checked by service-support, then handed to {@link RollbackHandler}. */
@Component
class RollbackListener {

    /** {@code BrokerNames.inboxQueue("rollback", type)} of the five types; a test keeps them equal. */
    static final String SMOKETEST_FAILED = "rollback.smoketest-failed";
    static final String DEPLOYMENT_FAILED = "rollback.deployment-failed";
    static final String ALERT_FIRING = "rollback.alert-firing";
    static final String ROLLBACK_REQUESTED = "rollback.rollback-requested";
    static final String HOLD_RELEASED = "rollback.hold-released";

    private final InboundEvents inbound;
    private final RollbackHandler handler;

    RollbackListener(InboundEvents inbound, RollbackHandler handler) {
        this.inbound = inbound;
        this.handler = handler;
    }

    @RabbitListener(id = "smoketest-failed", queues = SMOKETEST_FAILED)
    public void onSmokeTestFailed(Message message) throws Exception {
        inbound.receive(message, SmokeTestFailed.class, handler::handle);
    }

    @RabbitListener(id = "deployment-failed", queues = DEPLOYMENT_FAILED)
    public void onDeploymentFailed(Message message) throws Exception {
        inbound.receive(message, DeploymentFailed.class, handler::handle);
    }

    @RabbitListener(id = "alert-firing", queues = ALERT_FIRING)
    public void onAlertFiring(Message message) throws Exception {
        inbound.receive(message, AlertFiring.class, handler::handle);
    }

    @RabbitListener(id = "rollback-requested", queues = ROLLBACK_REQUESTED)
    public void onRollbackRequested(Message message) throws Exception {
        inbound.receive(message, RollbackRequested.class, handler::handle);
    }

    @RabbitListener(id = "hold-released", queues = HOLD_RELEASED)
    public void onHoldReleased(Message message) throws Exception {
        inbound.receive(message, HoldReleased.class, handler::released);
    }
}
