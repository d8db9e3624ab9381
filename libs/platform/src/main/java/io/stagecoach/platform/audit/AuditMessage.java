package io.stagecoach.platform.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * One message of an audit stream, as the broker stored it (the body is not decoded here).
 *
 * @param offset      its position in the stream
 * @param routingKey  e.g. {@code promotion.requested.staging}
 * @param userId      the broker-validated publisher ({@code null} when the publisher did not set it)
 * @param messageId   the AMQP message id (the event id, by convention)
 * @param contentType e.g. {@code application/cloudevents+json}
 * @param timestamp   the AMQP timestamp, if the publisher set one
 * @param headers     AMQP headers, with text values as {@link String}
 * @param body        the raw body
 */
public record AuditMessage(
        long offset,
        String routingKey,
        String userId,
        String messageId,
        String contentType,
        Instant timestamp,
        Map<String, Object> headers,
        byte[] body) {

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "AuditMessage[offset=" + offset + ", routingKey=" + routingKey + ", userId=" + userId
                + ", messageId=" + messageId + ", " + body.length + " bytes]";
    }
}
