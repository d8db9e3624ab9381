package io.stagecoach.support.publish;

/**
 * The broker did not take a message: it was nacked, returned as unroutable, not confirmed in time, or the
 * connection failed. The caller must treat the message as not sent (and retry or fail its delivery).
 */
public class PublishFailedException extends RuntimeException {

    /** Why the publish failed, for callers that react differently (a metric tag, a retry decision). */
    public enum Cause {
        /** No queue is bound for the routing key (mandatory publish returned with {@code NO_ROUTE}). */
        RETURNED,
        /** The broker answered with a negative acknowledgement. */
        NACKED,
        /** No confirm arrived within the timeout. */
        TIMEOUT,
        /** The message could not be sent at all (connection or channel failure, interrupted). */
        SEND_FAILED
    }

    private final Cause failure;

    public PublishFailedException(Cause failure, String message) {
        super(message);
        this.failure = failure;
    }

    public PublishFailedException(Cause failure, String message, Throwable cause) {
        super(message, cause);
        this.failure = failure;
    }

    public Cause failure() {
        return failure;
    }
}
