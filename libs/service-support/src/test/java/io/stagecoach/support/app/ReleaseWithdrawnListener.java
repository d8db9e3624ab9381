package io.stagecoach.support.app;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/**
 * The promotion service's withdrawal listener, which it has in every environment, although the first environment
 * has no such inbox (no environment before it withdraws anything): there it must stay stopped, not fail the start.
 */
@Component
public class ReleaseWithdrawnListener {

    public static final String ID = "release-withdrawn";

    @RabbitListener(id = ID, queues = "promotion.release-withdrawn")
    void onReleaseWithdrawn(Message message) {
        throw new IllegalStateException("no withdrawal can reach the first environment");
    }
}
