package io.stagecoach.support.inbound;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.support.inbound.DeadLetters.ReasonClass;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.retry.MessageRecoverer;
import org.springframework.amqp.rabbit.support.ListenerExecutionFailedException;

/**
 * Called by the listener retry once a handler failed on every attempt.
 *
 * <ul>
 * <li>A failure that says the broker or the ledger could not be reached ({@link Outages}) sends the delivery back to
 * its inbox: the recoverer first waits, up to {@code outageWait}, until the broker answers again, then has the
 * container requeue it, and the delivery is handled again from the start. Only a delivery that has been delivered
 * {@link BrokerNames#DELIVERY_LIMIT} times already is dead-lettered instead, with the outage as its reason, so the
 * broker's delivery limit never drops one without a reason.</li>
 * <li>Any other failure dead-letters the delivery with the exception's message as reason.</li>
 * </ul>
 *
 * If even the dead-lettering fails, the exception propagates and the container rejects the delivery, which the
 * inbox's own dead-letter exchange then takes.
 */
public final class DeadLetteringRecoverer implements MessageRecoverer {

    /** Counter of deliveries sent back to their inbox because of an outage, tagged {@code queue}. */
    public static final String REQUEUED_METER = "stagecoach.deliveries.requeued";

    /** The header a quorum queue sets on a redelivery: how often it was delivered before. */
    static final String DELIVERY_COUNT_HEADER = "x-delivery-count";

    private static final Logger log = LoggerFactory.getLogger(DeadLetteringRecoverer.class);
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(500);

    private final DeadLetters deadLetters;
    private final BooleanSupplier brokerAnswers;
    private final Duration outageWait;
    private final MeterRegistry meterRegistry;

    /** A recoverer that dead-letters every failure: for code that has no broker to wait for. */
    public DeadLetteringRecoverer(DeadLetters deadLetters) {
        this(deadLetters, () -> false, Duration.ZERO, new SimpleMeterRegistry());
    }

    /**
     * @param brokerAnswers whether the broker takes a connection now
     * @param outageWait how long to wait for {@code brokerAnswers} before a requeue (which then fails if it still
     * does not, and the broker requeues the delivery when the channel closes)
     */
    public DeadLetteringRecoverer(DeadLetters deadLetters, BooleanSupplier brokerAnswers, Duration outageWait,
            MeterRegistry meterRegistry) {
        this.deadLetters = deadLetters;
        this.brokerAnswers = brokerAnswers;
        this.outageWait = outageWait;
        this.meterRegistry = meterRegistry;
    }

    @Override
    public void recover(Message message, Throwable cause) {
        Optional<Throwable> outage = Outages.outage(cause);
        if (outage.isPresent() && !outageWait.isZero() && !outageWait.isNegative()) {
            long deliveries = deliveriesBefore(message) + 1;
            if (deliveries <= BrokerNames.DELIVERY_LIMIT) {
                requeue(message, outage.get(), deliveries);
            }
            deadLetters.deadLetter(message, ReasonClass.FAILED, reason(cause) + " (still unreachable after "
                    + deliveries + " deliveries)");
            return;
        }
        deadLetters.deadLetter(message, ReasonClass.FAILED, reason(cause));
    }

    private void requeue(Message message, Throwable outage, long deliveries) {
        String queue = message.getMessageProperties().getConsumerQueue();
        boolean answers = awaitBroker();
        Counter.builder(REQUEUED_METER)
                .description("Deliveries sent back to their inbox because the broker or the ledger could not be reached")
                .tag("queue", queue == null ? "unknown" : queue)
                .register(meterRegistry)
                .increment();
        log.warn("Requeued message {} from {} (delivery {} of at most {}): {}{}", message.getMessageProperties()
                .getMessageId(), queue, deliveries, BrokerNames.DELIVERY_LIMIT + 1, reason(outage),
                answers ? "" : "; the broker still does not answer after " + outageWait);
        // wrapped so that the container nacks it with requeue and goes on consuming: an exception of any other kind
        // would restart the consumer, whose closing channel returns the redelivery it may already hold once more
        throw new ListenerExecutionFailedException("requeued: the broker or the ledger could not be reached",
                new ImmediateRequeueAmqpException(reason(outage), outage), message);
    }

    private boolean awaitBroker() {
        long deadline = System.nanoTime() + outageWait.toNanos();
        while (!brokerAnswers.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(PROBE_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** How often the inbox delivered this message before: a quorum queue counts every return and requeue. */
    static long deliveriesBefore(Message message) {
        Object count = message.getMessageProperties().getHeaders().get(DELIVERY_COUNT_HEADER);
        return count instanceof Number number ? number.longValue() : 0;
    }

    static String reason(Throwable cause) {
        Throwable failure = cause;
        while (failure instanceof ListenerExecutionFailedException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        if (failure == null) {
            return "handler failed";
        }
        String message = failure.getMessage();
        return "handler failed: " + failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
