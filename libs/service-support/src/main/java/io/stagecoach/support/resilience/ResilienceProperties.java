package io.stagecoach.support.resilience;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How calls to a deploy target are retried and when they stop being tried at all.
 *
 * @param retry bounded retry with exponential backoff
 * @param circuitBreaker stops calling a target that keeps failing, so deliveries fail fast and dead-letter
 */
@ConfigurationProperties("stagecoach.resilience")
public record ResilienceProperties(@DefaultValue Retry retry, @DefaultValue CircuitBreaker circuitBreaker) {

    /**
     * @param maxAttempts attempts in total, the first included
     * @param initialBackoff wait before the second attempt
     * @param multiplier factor applied to the wait after each further attempt
     * @param maxBackoff longest wait between two attempts
     */
    public record Retry(
            @DefaultValue("3") int maxAttempts,
            @DefaultValue("500ms") Duration initialBackoff,
            @DefaultValue("2.0") double multiplier,
            @DefaultValue("10s") Duration maxBackoff) {
    }

    /**
     * @param failureRateThreshold percentage of failed calls in the window that opens the circuit
     * @param slidingWindowSize number of recent calls the failure rate is computed over
     * @param minimumNumberOfCalls calls needed in the window before the rate counts
     * @param waitInOpenState how long an open circuit refuses calls before it lets a few through
     * @param permittedCallsInHalfOpenState trial calls that decide whether the circuit closes again
     */
    public record CircuitBreaker(
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("20") int slidingWindowSize,
            @DefaultValue("10") int minimumNumberOfCalls,
            @DefaultValue("30s") Duration waitInOpenState,
            @DefaultValue("3") int permittedCallsInHalfOpenState) {
    }
}
