package io.stagecoach.support.inbound;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.ShutdownSignalException;
import io.stagecoach.support.publish.PublishFailedException;
import io.stagecoach.support.publish.PublishFailedException.Cause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.AmqpIOException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.support.ListenerExecutionFailedException;

import static org.assertj.core.api.Assertions.assertThat;

class OutagesTests {

    @ParameterizedTest
    @EnumSource(value = Cause.class, names = "RETURNED", mode = EnumSource.Mode.EXCLUDE)
    void aPublishTheBrokerDidNotTakeIsAnOutage(Cause cause) {
        assertThat(Outages.outage(wrapped(new PublishFailedException(cause, "not taken")))).isPresent();
    }

    @Test
    void aPublishReturnedAsUnroutableIsNot() {
        assertThat(Outages.outage(wrapped(new PublishFailedException(Cause.RETURNED, "NO_ROUTE")))).isEmpty();
    }

    @Test
    void aFailedConnectionOrChannelIsAnOutage() {
        assertThat(Outages.outage(wrapped(new AmqpConnectException(new ConnectException("refused"))))).isPresent();
        assertThat(Outages.outage(wrapped(new AmqpIOException(new IOException("reset"))))).isPresent();
        ShutdownSignalException closed = new ShutdownSignalException(true, false, null, null);
        assertThat(Outages.outage(wrapped(closed))).isPresent();
        assertThat(Outages.outage(wrapped(new AlreadyClosedException(closed)))).isPresent();
    }

    @Test
    void theLedgerNotReadingTheEventInTimeIsAnOutage() {
        TimeoutException ledger = new TimeoutException("the ledger of dev did not read build.completed 42 in 10s");
        assertThat(Outages.outage(wrapped(ledger))).containsSame(ledger);
        assertThat(Outages.outage(wrapped(new ExecutionException(ledger)))).containsSame(ledger);
    }

    @Test
    void onlyTheFailureTheHandlerThrewIsJudgedNotWhatItWraps() {
        // a deploy target's failure wraps the refused connection to its Git remote: it has its own policy
        RuntimeException target = new IllegalStateException("cannot push to the GitOps remote",
                new ConnectException("Connection refused"));
        assertThat(Outages.outage(wrapped(target))).isEmpty();
        assertThat(Outages.outage(wrapped(new IllegalArgumentException("bad manifest")))).isEmpty();
        assertThat(Outages.outage(wrapped(new NullPointerException()))).isEmpty();
    }

    private static Throwable wrapped(Throwable handlerFailure) {
        return new ListenerExecutionFailedException("Listener method threw exception", handlerFailure,
                new Message(new byte[0]));
    }
}
