package io.stagecoach.support.inbound;

import java.util.HashMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.support.StagecoachIdentity;
import io.stagecoach.support.publish.ConfirmedSend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * Moves a delivery that will not be processed into its inbox's dead-letter queue, with the reason: republished
 * (mandatory, confirmed) to {@code stagecoach.events.dlx} with the inbox name as routing key, which is what the
 * {@code <inbox>.dlq} binds. Only after the broker confirmed it may the delivery be acked.
 */
public final class DeadLetters {

    /** Counter of dead letters, tagged {@code queue} and {@code reason} (a {@link ReasonClass}). */
    public static final String DEAD_LETTERS_METER = "stagecoach.dead.letters";

    /** Header values are bounded so a long exception message cannot exceed the frame size. */
    static final int MAX_REASON_LENGTH = 4000;

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    /** Why, in one word: the tag value of {@value #DEAD_LETTERS_METER}. */
    public enum ReasonClass {
        /** Not a valid event (not JSON, not the envelope, not the type's schema). */
        INVALID,
        /** A valid event this consumer must not act on (no user, unexpected publisher, wrong environment). */
        REFUSED,
        /** The handler failed on every attempt. */
        FAILED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final ConfirmedSend send;
    private final StagecoachIdentity identity;
    private final MeterRegistry meterRegistry;

    public DeadLetters(ConfirmedSend send, StagecoachIdentity identity, MeterRegistry meterRegistry) {
        this.send = send;
        this.identity = identity;
        this.meterRegistry = meterRegistry;
    }

    /**
     * Republishes {@code delivery} to its dead-letter queue and returns once the broker confirmed it.
     *
     * @throws io.stagecoach.support.publish.PublishFailedException if the broker did not take it: the delivery
     * must then not be acked
     */
    public void deadLetter(Message delivery, ReasonClass reasonClass, String reason) {
        MessageProperties received = delivery.getMessageProperties();
        String queue = received.getConsumerQueue();
        if (queue == null) {
            throw new IllegalArgumentException("Only a delivery from an inbox can be dead-lettered (no consumer queue)");
        }
        String boundedReason = reason.length() > MAX_REASON_LENGTH ? reason.substring(0, MAX_REASON_LENGTH) : reason;
        Message deadLetter = new Message(delivery.getBody(), properties(received, queue, boundedReason));
        send.send(BrokerNames.DEAD_LETTER_EXCHANGE, queue, deadLetter,
                "dead letter of message " + received.getMessageId() + " from " + queue);
        Counter.builder(DEAD_LETTERS_METER)
                .description("Deliveries moved to a dead-letter queue, by inbox and reason")
                .tag("queue", queue)
                .tag("reason", reasonClass.tag())
                .register(meterRegistry)
                .increment();
        log.warn("Dead-lettered message {} from {} ({}): {}", received.getMessageId(), queue, reasonClass.tag(),
                boundedReason);
    }

    private MessageProperties properties(MessageProperties received, String queue, String reason) {
        MessageProperties properties = new MessageProperties();
        Map<String, Object> headers = new HashMap<>(received.getHeaders());
        headers.put(BrokerNames.REASON_HEADER, reason);
        headers.put(BrokerNames.ORIGINAL_QUEUE_HEADER, queue);
        putIfPresent(headers, BrokerNames.ORIGINAL_ROUTING_KEY_HEADER, received.getReceivedRoutingKey());
        putIfPresent(headers, BrokerNames.ORIGINAL_EXCHANGE_HEADER, received.getReceivedExchange());
        putIfPresent(headers, BrokerNames.ORIGINAL_USER_HEADER, received.getReceivedUserId());
        headers.forEach(properties::setHeader);
        properties.setContentType(received.getContentType());
        properties.setContentEncoding(received.getContentEncoding());
        properties.setMessageId(received.getMessageId());
        properties.setCorrelationId(received.getCorrelationId());
        properties.setType(received.getType());
        properties.setTimestamp(received.getTimestamp());
        properties.setAppId(received.getAppId());
        // the dead letter is attributable to whoever moved it; the publisher's user stays in a header
        properties.setUserId(identity.user());
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        return properties;
    }

    private static void putIfPresent(Map<String, Object> headers, String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
    }
}
