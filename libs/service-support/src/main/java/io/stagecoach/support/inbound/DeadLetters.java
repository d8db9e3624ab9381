package io.stagecoach.support.inbound;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
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
 *
 * <p>The dead letter keeps the body and the publisher's headers; its {@code x-stagecoach-*} headers say why, when,
 * how often, and where it came from ({@link Origin}: the routing key and publisher it was first published with, also
 * for a replay that failed again). {@code stagecoach dead-letters} lists them; {@code stagecoach dead-letters replay}
 * moves them back into their inbox through {@link BrokerNames#REPLAY_EXCHANGE}.
 */
public final class DeadLetters {

    /** Counter of dead letters, tagged {@code queue} and {@code reason} (a {@link ReasonClass}). */
    public static final String DEAD_LETTERS_METER = "stagecoach.dead.letters";

    /** Header values are bounded so a long exception message cannot exceed the frame size. */
    static final int MAX_REASON_LENGTH = 4000;

    /** The headers a dead letter carries that only the service moving it may write. */
    private static final List<String> OWN_HEADERS = List.of(BrokerNames.REASON_HEADER,
            BrokerNames.REASON_CLASS_HEADER, BrokerNames.DEAD_LETTERED_AT_HEADER, BrokerNames.DEAD_LETTER_COUNT_HEADER,
            BrokerNames.ORIGINAL_QUEUE_HEADER, BrokerNames.ORIGINAL_ROUTING_KEY_HEADER,
            BrokerNames.ORIGINAL_EXCHANGE_HEADER, BrokerNames.ORIGINAL_USER_HEADER);

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
        Message deadLetter = new Message(delivery.getBody(), properties(received, queue, reasonClass, boundedReason));
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

    private MessageProperties properties(MessageProperties received, String queue, ReasonClass reasonClass,
            String reason) {
        MessageProperties properties = new MessageProperties();
        Origin origin = Origin.of(received, identity.user());
        Map<String, Object> headers = new HashMap<>(received.getHeaders());
        // what this service vouches for is written here, never copied: a publisher may have sent any of these
        OWN_HEADERS.forEach(headers::remove);
        headers.put(BrokerNames.REASON_HEADER, reason);
        headers.put(BrokerNames.REASON_CLASS_HEADER, reasonClass.tag());
        headers.put(BrokerNames.DEAD_LETTERED_AT_HEADER, Instant.now().toString());
        headers.put(BrokerNames.DEAD_LETTER_COUNT_HEADER, previousCount(received, origin) + 1);
        headers.put(BrokerNames.ORIGINAL_QUEUE_HEADER, queue);
        putIfPresent(headers, BrokerNames.ORIGINAL_ROUTING_KEY_HEADER, origin.routingKey());
        putIfPresent(headers, BrokerNames.ORIGINAL_EXCHANGE_HEADER, origin.exchange());
        putIfPresent(headers, BrokerNames.ORIGINAL_USER_HEADER, origin.publisher());
        headers.forEach(properties::setHeader);
        properties.setContentType(received.getContentType());
        properties.setContentEncoding(received.getContentEncoding());
        properties.setMessageId(received.getMessageId());
        properties.setCorrelationId(received.getCorrelationId());
        properties.setType(received.getType());
        properties.setTimestamp(received.getTimestamp());
        properties.setAppId(received.getAppId());
        // the dead letter is attributable to whoever moved it; the publisher's user stays in a header, which a
        // replay believes because only this service's user could have written it (Origin)
        properties.setUserId(identity.user());
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        return properties;
    }

    /** How often a replayed dead letter was dead-lettered before; 0 for anything else. */
    private static long previousCount(MessageProperties received, Origin origin) {
        if (!origin.replayed() || !origin.attested()
                || !(received.getHeaders().get(BrokerNames.DEAD_LETTER_COUNT_HEADER) instanceof Number count)) {
            return 0;
        }
        return count.longValue();
    }

    private static void putIfPresent(Map<String, Object> headers, String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
    }
}
