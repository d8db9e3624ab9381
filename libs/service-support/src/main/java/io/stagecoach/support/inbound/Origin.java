package io.stagecoach.support.inbound;

import java.util.List;
import java.util.Map;

import io.stagecoach.events.BrokerNames;

import org.springframework.amqp.core.MessageProperties;

/**
 * Where a delivery really came from: the routing key and exchange it was first published with and its
 * broker-validated publisher ({@code user_id}). For most deliveries that is what the broker says about this delivery.
 * A replayed dead letter arrives through {@link BrokerNames#REPLAY_EXCHANGE} under its inbox's name, which nobody may
 * publish to (only a shovel an operator started moves a dead-letter queue there), and its origin is read from the
 * dead letter itself:
 * <ul>
 * <li>a dead letter this service moved (its {@code user_id} is this service's own user, which only this service's
 * credential can set, and the dead-letter exchange admits it only under this service's own inbox names): the
 * {@code x-stagecoach-original-*} headers this service wrote when it moved it;</li>
 * <li>a dead letter the broker moved (the inbox's own dead-letter exchange, after the delivery limit or a rejection):
 * the {@code user_id} the broker kept, and the routing key its {@code x-death} entry for this inbox records.</li>
 * </ul>
 * Both are as trustworthy as this service's own credential: the dead-letter exchange admits a routing key naming
 * this inbox from this service's user only, and the broker's own dead-lettering.
 * Anything else that arrives through the replay exchange has no origin anyone vouches for: it is refused.
 *
 * @param routingKey the routing key it was first published with
 * @param exchange   the exchange it was first published to, null where unknown
 * @param publisher  its broker-validated publisher, null when it had none (builds from CI)
 * @param replayed   whether it arrived as a replay of a dead letter
 * @param refusal    why its origin cannot be known (then the other fields describe this delivery), else null
 */
public record Origin(String routingKey, String exchange, String publisher, boolean replayed, String refusal) {

    /** The origin of {@code received}, a delivery to a consumer running as {@code ownUser}. */
    public static Origin of(MessageProperties received, String ownUser) {
        String exchange = received.getReceivedExchange();
        String routingKey = received.getReceivedRoutingKey();
        String userId = received.getReceivedUserId();
        if (!BrokerNames.REPLAY_EXCHANGE.equals(exchange)) {
            return new Origin(routingKey, exchange, userId, false, null);
        }
        String inbox = received.getConsumerQueue();
        if (inbox == null || !inbox.equals(routingKey)) {
            return unattested(received, "a replay arrived under '" + routingKey + "', not under its inbox's name '"
                    + inbox + "'");
        }
        Map<String, Object> headers = received.getHeaders();
        Object key = headers.get(BrokerNames.ORIGINAL_ROUTING_KEY_HEADER);
        if (ownUser.equals(userId) && key != null) {
            Object originalUser = headers.get(BrokerNames.ORIGINAL_USER_HEADER);
            Object originalExchange = headers.get(BrokerNames.ORIGINAL_EXCHANGE_HEADER);
            return new Origin(key.toString(), originalExchange == null ? null : originalExchange.toString(),
                    originalUser == null ? null : originalUser.toString(), true, null);
        }
        String deathKey = deathRoutingKey(received, inbox);
        if (deathKey != null) {
            return new Origin(deathKey, null, userId, true, null);
        }
        return unattested(received, "a replay of a dead letter neither this service nor the broker moved (user_id '"
                + userId + "', no x-death entry for " + inbox + ")");
    }

    /** Whether the origin is known; when not, {@link #refusal()} says why. */
    public boolean attested() {
        return refusal == null;
    }

    private static Origin unattested(MessageProperties received, String why) {
        return new Origin(received.getReceivedRoutingKey(), received.getReceivedExchange(),
                received.getReceivedUserId(), true, why);
    }

    /** The first routing key the broker recorded when it dead-lettered the message from {@code inbox}. */
    private static String deathRoutingKey(MessageProperties received, String inbox) {
        List<Map<String, ?>> deaths = received.getXDeathHeader();
        if (deaths == null) {
            return null;
        }
        for (Map<String, ?> death : deaths) {
            if (death.get("queue") != null && inbox.equals(death.get("queue").toString())
                    && death.get("routing-keys") instanceof List<?> keys && !keys.isEmpty()) {
                return keys.get(0).toString();
            }
        }
        return null;
    }
}
