package io.stagecoach.support.inbound;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.ConnectException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.ShutdownSignalException;
import io.stagecoach.support.publish.PublishFailedException;

import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.AmqpIOException;
import org.springframework.amqp.AmqpResourceNotAvailableException;
import org.springframework.amqp.AmqpTimeoutException;
import org.springframework.amqp.rabbit.support.ListenerExecutionFailedException;

/**
 * Tells a handler failure that says nothing about the event from one that does. The broker or the ledger could not
 * be reached: a publish was not sent or not confirmed, a connection or channel failed, the ledger did not read the
 * event from the audit stream in time. Such a delivery goes back to its inbox and is handled again once they answer;
 * it is never dead-lettered for it, because an outage longer than the listener's retries would otherwise leave
 * dead letters that someone must find and replay.
 *
 * <p>Only the failure a handler threw is judged, past the wrappers a container or an executor puts around it, never
 * what that failure wraps: a deploy target's failure (which may wrap a refused connection to a Git remote) has its own
 * policy, and a publish returned as unroutable is a topology error, not an outage.
 */
public final class Outages {

    private Outages() {
    }

    /** The failure that shows an outage, when {@code failure} is one. */
    public static Optional<Throwable> outage(Throwable failure) {
        Throwable thrown = unwrap(failure);
        return isOutage(thrown) ? Optional.of(thrown) : Optional.empty();
    }

    static boolean isOutage(Throwable thrown) {
        if (thrown instanceof PublishFailedException publish) {
            return publish.failure() != PublishFailedException.Cause.RETURNED;
        }
        return thrown instanceof AmqpConnectException
                || thrown instanceof AmqpIOException
                || thrown instanceof AmqpTimeoutException
                || thrown instanceof AmqpResourceNotAvailableException
                || thrown instanceof ShutdownSignalException // and AlreadyClosedException, a kind of it
                || thrown instanceof ConnectException
                // what the ledger throws when it did not read the event it decides on from the audit stream in time
                || thrown instanceof TimeoutException;
    }

    /** The failure inside the wrappers of a listener container, a reflective call or an executor. */
    static Throwable unwrap(Throwable failure) {
        Throwable thrown = failure;
        while (thrown != null && thrown.getCause() != null && isWrapper(thrown)) {
            thrown = thrown.getCause();
        }
        return thrown;
    }

    private static boolean isWrapper(Throwable thrown) {
        return thrown instanceof ListenerExecutionFailedException
                || thrown instanceof UndeclaredThrowableException
                || thrown instanceof InvocationTargetException
                || thrown instanceof ExecutionException
                || thrown instanceof CompletionException;
    }
}
