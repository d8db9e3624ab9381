package io.stagecoach.support.inbound;

import io.stagecoach.support.inbound.DeadLetters.ReasonClass;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.support.ListenerExecutionFailedException;
import org.springframework.amqp.rabbit.retry.MessageRecoverer;

/**
 * Called by the listener retry once a handler failed on every attempt: dead-letters the delivery with the
 * exception's message as reason. If even that fails, the exception propagates and the container rejects the
 * delivery, which the inbox's own dead-letter exchange then takes.
 */
public final class DeadLetteringRecoverer implements MessageRecoverer {

    private final DeadLetters deadLetters;

    public DeadLetteringRecoverer(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public void recover(Message message, Throwable cause) {
        deadLetters.deadLetter(message, ReasonClass.FAILED, reason(cause));
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
