package io.stagecoach.support.publish;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Sends one message mandatory on the publisher connection and waits for the broker's confirm: the send
 * succeeded only if it was acked and not returned. Shared by event publishing and dead-lettering.
 */
public final class ConfirmedSend {

    private static final Logger log = LoggerFactory.getLogger(ConfirmedSend.class);

    private final RabbitTemplate template;
    private final Duration confirmTimeout;

    public ConfirmedSend(ConnectionFactory connectionFactory, Duration confirmTimeout) {
        if (!connectionFactory.isPublisherConfirms() || !connectionFactory.isPublisherReturns()) {
            throw new IllegalStateException("The RabbitMQ connection factory must have correlated publisher "
                    + "confirms and returns enabled (spring.rabbitmq.publisher-confirm-type=correlated, "
                    + "spring.rabbitmq.publisher-returns=true)");
        }
        this.template = new RabbitTemplate(connectionFactory);
        this.template.setUsePublisherConnection(true);
        this.template.setMandatory(true);
        // returns are read from the CorrelationData; the callback only keeps the template from warning
        this.template.setReturnsCallback(returned -> log.debug("Returned: {} {} to {}/{}", returned.getReplyCode(),
                returned.getReplyText(), returned.getExchange(), returned.getRoutingKey()));
        this.confirmTimeout = confirmTimeout;
    }

    /**
     * @param what names the message in an exception ("event 1234 (io.stagecoach.build.completed.v1)")
     * @throws PublishFailedException unless the broker confirmed it and did not return it
     */
    public void send(String exchange, String routingKey, Message message, String what) {
        CorrelationData correlation = new CorrelationData(UUID.randomUUID().toString());
        try {
            template.send(exchange, routingKey, message, correlation);
        }
        catch (AmqpException ex) {
            throw new PublishFailedException(PublishFailedException.Cause.SEND_FAILED,
                    "Could not send " + what + " to " + exchange + " with routing key " + routingKey + ": "
                            + ex.getMessage(), ex);
        }
        CorrelationData.Confirm confirm = awaitConfirm(correlation, exchange, routingKey, what);
        ReturnedMessage returned = correlation.getReturned();
        if (returned != null) {
            throw new PublishFailedException(PublishFailedException.Cause.RETURNED,
                    what + " was returned by the broker (" + returned.getReplyCode() + " " + returned.getReplyText()
                            + "): no queue is bound to " + exchange + " for routing key " + routingKey);
        }
        if (!confirm.ack()) {
            throw new PublishFailedException(PublishFailedException.Cause.NACKED,
                    what + " was nacked by the broker (exchange " + exchange + ", routing key " + routingKey
                            + "): " + confirm.reason());
        }
    }

    private CorrelationData.Confirm awaitConfirm(CorrelationData correlation, String exchange, String routingKey,
            String what) {
        try {
            return correlation.getFuture().get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException ex) {
            throw new PublishFailedException(PublishFailedException.Cause.TIMEOUT,
                    "No confirm for " + what + " (exchange " + exchange + ", routing key " + routingKey
                            + ") within " + confirmTimeout, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException(PublishFailedException.Cause.SEND_FAILED,
                    "Interrupted while waiting for the confirm of " + what, ex);
        }
        catch (ExecutionException ex) {
            throw new PublishFailedException(PublishFailedException.Cause.SEND_FAILED,
                    "Confirm of " + what + " failed: " + ex.getCause().getMessage(), ex.getCause());
        }
    }
}
