package io.stagecoach.support.resilience;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResilienceTests {

    private final SimpleMeterRegistry meterRegistry = new SimpleMeterRegistry();

    private final Resilience resilience = new Resilience(new ResilienceProperties(
            new ResilienceProperties.Retry(3, Duration.ofMillis(1), 2.0, Duration.ofMillis(5)),
            new ResilienceProperties.CircuitBreaker(50, 4, 4, Duration.ofMinutes(1), 1)), meterRegistry);

    @Test
    void retriesATransientFailureUntilItSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        String result = resilience.call("gitops", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("target down");
            }
            return "deployed";
        });

        assertThat(result).isEqualTo("deployed");
        assertThat(calls).hasValue(3);
    }

    @Test
    void givesUpAfterTheConfiguredAttemptsWithTheLastFailure() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> resilience.run("kubernetes", () -> {
            calls.incrementAndGet();
            throw new IllegalStateException("target down " + calls.get());
        })).isInstanceOf(IllegalStateException.class).hasMessage("target down 3");
        assertThat(calls).hasValue(3);
    }

    @Test
    void anOpenCircuitFailsFastWithoutCallingTheTarget() {
        AtomicInteger calls = new AtomicInteger();
        CircuitBreaker breaker = resilience.circuitBreaker("flaky");
        breaker.transitionToOpenState();

        assertThatThrownBy(() -> resilience.run("flaky", calls::incrementAndGet))
                .isInstanceOf(CallNotPermittedException.class);
        assertThat(calls).hasValue(0);
    }

    @Test
    void publishesRetryAndCircuitBreakerMeters() throws Exception {
        resilience.call("metered", () -> "ok");

        assertThat(meterRegistry.find("resilience4j.circuitbreaker.state").tag("name", "metered").meters())
                .isNotEmpty();
        assertThat(meterRegistry.find("resilience4j.retry.calls").tag("name", "metered").meters()).isNotEmpty();
    }
}
