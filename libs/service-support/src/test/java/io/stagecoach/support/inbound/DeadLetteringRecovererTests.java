package io.stagecoach.support.inbound;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stagecoach.support.publish.PublishFailedException;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.support.ListenerExecutionFailedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeadLetteringRecovererTests {

    @Test
    void reasonIsTheHandlersExceptionNotTheContainersWrapper() {
        Exception handlerFailure = new IllegalStateException("deploy target unreachable: connection refused");
        Throwable wrapped = new ListenerExecutionFailedException("Listener method threw exception", handlerFailure,
                new Message(new byte[0]));

        assertThat(DeadLetteringRecoverer.reason(wrapped))
                .isEqualTo("handler failed: IllegalStateException: deploy target unreachable: connection refused");
    }

    @Test
    void reasonNamesTheExceptionTypeWhenItHasNoMessage() {
        assertThat(DeadLetteringRecoverer.reason(new NullPointerException()))
                .isEqualTo("handler failed: NullPointerException");
    }

    @Test
    void anOutageWaitsUntilTheBrokerAnswersThenRequeuesAndCountsIt() {
        AtomicInteger probes = new AtomicInteger();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // no dead letters to write: a requeue must not touch them
        DeadLetteringRecoverer recoverer = new DeadLetteringRecoverer(null, () -> probes.incrementAndGet() >= 3,
                Duration.ofSeconds(30), meters);

        assertThatThrownBy(() -> recoverer.recover(delivery(2), new ListenerExecutionFailedException("failed",
                new TimeoutException("the ledger of dev did not read it"), delivery(2))))
                .isInstanceOf(ListenerExecutionFailedException.class)
                .cause().isInstanceOf(ImmediateRequeueAmqpException.class)
                .cause().isInstanceOf(TimeoutException.class);
        assertThat(probes).hasValue(3);
        assertThat(meters.get(DeadLetteringRecoverer.REQUEUED_METER).tag("queue", "promotion.promotion-requested")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void aBrokerThatStillDoesNotAnswerEndsTheWaitAndTheDeliveryIsRequeuedAnyway() {
        DeadLetteringRecoverer recoverer = new DeadLetteringRecoverer(null, () -> false, Duration.ofSeconds(1),
                new SimpleMeterRegistry());
        long started = System.nanoTime();

        assertThatThrownBy(() -> recoverer.recover(delivery(0), new PublishFailedException(
                PublishFailedException.Cause.SEND_FAILED, "connection refused")))
                .hasCauseInstanceOf(ImmediateRequeueAmqpException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(1),
                Duration.ofSeconds(10));
    }

    @Test
    void theDeliveryCountIsWhatTheQuorumQueueSays() {
        assertThat(DeadLetteringRecoverer.deliveriesBefore(delivery(4))).isEqualTo(4);
        assertThat(DeadLetteringRecoverer.deliveriesBefore(new Message(new byte[0]))).isZero();
    }

    private static Message delivery(long deliveredBefore) {
        MessageProperties properties = new MessageProperties();
        properties.setConsumerQueue("promotion.promotion-requested");
        properties.setMessageId("event-1");
        if (deliveredBefore > 0) {
            properties.setHeader(DeadLetteringRecoverer.DELIVERY_COUNT_HEADER, deliveredBefore);
        }
        return new Message(new byte[0], properties);
    }
}
