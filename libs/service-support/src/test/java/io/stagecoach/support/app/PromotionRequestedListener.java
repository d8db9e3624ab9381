package io.stagecoach.support.app;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.support.inbound.InboundEvents;
import io.stagecoach.support.publish.PublishFailedException;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/**
 * The promotion service's inbox listener, reduced to recording what it was given. A release whose version
 * contains {@code unreachable} makes the handler fail, as a deploy target that is down would, until
 * {@link #reachAgain} says it is back. One whose version contains {@code outage} fails as a handler does whose
 * publish the broker did not take, until {@link #reachAgain} says the broker is back.
 */
@Component
public class PromotionRequestedListener {

    public static final String INBOX = "promotion.promotion-requested";

    private final InboundEvents inbound;
    private final List<CloudEvent<PromotionRequested>> handled = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, String> publishers = new ConcurrentHashMap<>();
    private final Set<String> reachableAgain = ConcurrentHashMap.newKeySet();

    public PromotionRequestedListener(InboundEvents inbound) {
        this.inbound = inbound;
    }

    @RabbitListener(queues = INBOX)
    void onPromotionRequested(Message message) throws Exception {
        inbound.receive(message, PromotionRequested.class, event -> {
            attempts.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
            String version = event.data().release().version();
            if (version.contains("unreachable") && !reachableAgain.contains(version)) {
                throw new IllegalStateException("deploy target unreachable while deploying " + version);
            }
            if (version.contains("outage") && !reachableAgain.contains(version)) {
                throw new PublishFailedException(PublishFailedException.Cause.SEND_FAILED,
                        "the broker did not take the decision on " + version + ": connection refused");
            }
            String publisher = inbound.origin(message).publisher();
            publishers.put(event.id(), publisher == null ? "" : publisher);
            handled.add(event);
        });
    }

    /** From now on, deploying {@code version} works. */
    public void reachAgain(String version) {
        reachableAgain.add(version);
    }

    /** The publisher the handled event counted as ({@code ""} for none). */
    public String publisher(String eventId) {
        return publishers.get(eventId);
    }

    public List<CloudEvent<PromotionRequested>> handled() {
        return handled;
    }

    public int attempts(String eventId) {
        AtomicInteger count = attempts.get(eventId);
        return count == null ? 0 : count.get();
    }

    public boolean wasHandled(String eventId) {
        return handled.stream().anyMatch(event -> event.id().equals(eventId));
    }
}
