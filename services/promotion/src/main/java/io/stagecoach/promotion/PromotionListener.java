package io.stagecoach.promotion;

import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.support.inbound.InboundEvents;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/** The promotion service's inboxes: checked by service-support, then handed to {@link PromotionHandler}. */
@Component
class PromotionListener {

    /** {@code BrokerNames.inboxQueue("promotion", PROMOTION_REQUESTED)}; a test keeps them equal. */
    static final String PROMOTION_REQUESTED = "promotion.promotion-requested";
    /** {@code BrokerNames.inboxQueue("promotion", SMOKETEST_PASSED)}. */
    static final String SMOKETEST_PASSED = "promotion.smoketest-passed";
    /** {@code BrokerNames.inboxQueue("promotion", RELEASE_WITHDRAWN)}: only the previous rollback service fills it. */
    static final String RELEASE_WITHDRAWN = "promotion.release-withdrawn";

    private final InboundEvents inbound;
    private final PromotionHandler handler;

    PromotionListener(InboundEvents inbound, PromotionHandler handler) {
        this.inbound = inbound;
        this.handler = handler;
    }

    @RabbitListener(id = "promotion-requested", queues = PROMOTION_REQUESTED)
    public void onPromotionRequested(Message message) throws Exception {
        String publisher = inbound.origin(message).publisher();
        inbound.receive(message, PromotionRequested.class, request -> handler.promote(request, publisher));
    }

    @RabbitListener(id = "smoketest-passed", queues = SMOKETEST_PASSED)
    public void onSmokeTestPassed(Message message) throws Exception {
        inbound.receive(message, SmokeTestPassed.class, handler::handOff);
    }

    @RabbitListener(id = "release-withdrawn", queues = RELEASE_WITHDRAWN)
    public void onReleaseWithdrawn(Message message) throws Exception {
        inbound.receive(message, ReleaseWithdrawn.class, handler::withdraw);
    }
}
