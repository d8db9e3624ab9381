package io.stagecoach.support.inbound;

import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.support.ListenerExecutionFailedException;

import static org.assertj.core.api.Assertions.assertThat;

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
}
