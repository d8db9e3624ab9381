package io.stagecoach.smoketest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import io.stagecoach.events.SmokeCheck;
import io.stagecoach.smoketest.CheckEvaluation.Verdict;
import io.stagecoach.smoketest.SmokeTestProperties.Check;
import io.stagecoach.support.resilience.Resilience;

/**
 * Runs a release's checks over HTTP, one after the other. Each attempt waits at most the check's timeout; a check
 * that does not pass is tried again after a pause (doubling up to a maximum) while the overall deadline allows, since
 * a release that was just deployed may still be starting. Every check gets at least one attempt. The attempts of a
 * check go through the Resilience4j retry {@value #RETRY}, whose backoff is the configured one and whose end is the
 * deadline rather than a number of attempts.
 *
 * <p>A check's result: PASSED as soon as an attempt passed; otherwise FAILED with the latest wrong answer if the
 * release ever answered; otherwise ERROR with the latest reason it could not be asked.
 */
public final class SmokeTestRunner {

    /** The name of the retry the checks' attempts go through, and its {@code name} tag in the metrics. */
    static final String RETRY = "smoke-checks";

    /** The URL given to a check whose configured URL is not one (the schema wants a URI). */
    static final String INVALID_URL = "about:invalid";

    private static final Duration MIN_BACKOFF = Duration.ofMillis(1);

    private final HttpClient http;
    private final Duration deadline;
    private final Retry retry;

    /**
     * @param deadline       how long all checks of one run may take, retries included
     * @param initialBackoff the pause before a check's second attempt, doubled per attempt
     * @param maxBackoff     the longest pause between attempts
     * @param connectTimeout what the HTTP client allows for connecting
     * @param resilience     where the retry is registered and measured
     */
    public SmokeTestRunner(Duration deadline, Duration initialBackoff, Duration maxBackoff, Duration connectTimeout,
            Resilience resilience) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.deadline = deadline;
        this.retry = resilience.retry(RETRY, retryConfig(initialBackoff, maxBackoff));
    }

    /**
     * Retries an attempt that did not pass while the pause before the next one ends within the deadline; the number
     * of attempts is not what ends it. The pause starts at {@code initialBackoff} and doubles up to
     * {@code maxBackoff}.
     */
    static RetryConfig retryConfig(Duration initialBackoff, Duration maxBackoff) {
        // Resilience4j pauses at least a millisecond
        long maxMillis = Math.max(MIN_BACKOFF.toMillis(), maxBackoff.toMillis());
        IntervalFunction backoff = IntervalFunction.of(initialBackoff.compareTo(MIN_BACKOFF) < 0 ? MIN_BACKOFF
                : initialBackoff, previous -> Math.min(previous * 2, maxMillis));
        return RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(backoff)
                .retryOnException(failure -> failure instanceof NotPassed notPassed && notPassed.timeLeftNanos()
                        > TimeUnit.MILLISECONDS.toNanos(backoff.apply(notPassed.attempt())))
                .build();
    }

    /**
     * Runs {@code checks} for the release whose values ({@code environment}, {@code namespace}, {@code service},
     * {@code version}, {@code flags}) fill the URL placeholders; the JSON field of a check must equal
     * {@code version}, and its flags field {@code flags} where that is not empty.
     */
    public List<SmokeCheck> run(List<Check> checks, Map<String, String> values) {
        return run(checks, values, () -> false);
    }

    /**
     * As {@link #run(List, Map)}, but a check that did not pass is not tried again once {@code overtaken} says the
     * release no longer matters (a newer one replaced it): its latest answer is its result, so a replaced release
     * does not keep its service's checks waiting until the deadline.
     */
    public List<SmokeCheck> run(List<Check> checks, Map<String, String> values, BooleanSupplier overtaken) {
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        List<SmokeCheck> results = new ArrayList<>();
        for (Check check : checks) {
            results.add(runOne(check, values, deadlineNanos, overtaken));
        }
        return results;
    }

    private SmokeCheck runOne(Check check, Map<String, String> values, long deadlineNanos,
            BooleanSupplier overtaken) {
        String expectedVersion = values.getOrDefault("version", "");
        String expectedFlags = values.getOrDefault("flags", "");
        URI uri;
        try {
            uri = resolve(check.url(), values);
        } catch (IllegalArgumentException e) {
            return new SmokeCheck(check.name(), INVALID_URL, check.expectedStatus(), null, SmokeCheck.Result.ERROR,
                    "bad URL '" + check.url() + "': " + e.getMessage(), 0);
        }
        long started = System.nanoTime();
        Attempts attempts = new Attempts();
        Verdict verdict;
        try {
            verdict = retry.executeCallable(() -> {
                int attempt = attempts.count.incrementAndGet();
                long left = deadlineNanos - System.nanoTime();
                Duration timeout = attempt == 1 || left >= check.timeout().toNanos() ? check.timeout()
                        : Duration.ofNanos(Math.max(left, 1_000_000));
                Verdict tried = attempt(uri, check, timeout, expectedVersion, expectedFlags);
                if (tried.result() == SmokeCheck.Result.PASSED) {
                    return tried;
                }
                attempts.notPassed(tried);
                // no time left means no further attempt
                throw new NotPassed(attempt, overtaken.getAsBoolean() ? 0 : deadlineNanos - System.nanoTime());
            });
        } catch (NotPassed e) {
            // the retry ends the pause it was in when interrupted, and rethrows the attempt before it
            verdict = Thread.currentThread().isInterrupted() ? new Verdict(SmokeCheck.Result.ERROR, null, "interrupted")
                    : attempts.latest();
        } catch (Exception e) {
            verdict = CheckEvaluation.failedToAsk(e, check.timeout());
        }
        return result(check, uri, verdict, attempts.count.get(), started);
    }

    /** What the attempts of one check found that did not pass. */
    private static final class Attempts {

        private final AtomicInteger count = new AtomicInteger();
        private volatile Verdict lastAnswer;
        private volatile Verdict lastError;

        void notPassed(Verdict verdict) {
            if (verdict.result() == SmokeCheck.Result.FAILED) {
                lastAnswer = verdict;
            } else {
                lastError = verdict;
            }
        }

        /** The latest wrong answer if the release ever answered, else the latest reason it could not be asked. */
        Verdict latest() {
            return lastAnswer != null ? lastAnswer : lastError;
        }
    }

    /** An attempt that did not pass: number {@code attempt}, with {@code timeLeftNanos} of the deadline left. */
    static final class NotPassed extends Exception {

        private final int attempt;
        private final long timeLeftNanos;

        NotPassed(int attempt, long timeLeftNanos) {
            super("attempt " + attempt + " did not pass", null, false, false);
            this.attempt = attempt;
            this.timeLeftNanos = timeLeftNanos;
        }

        int attempt() {
            return attempt;
        }

        long timeLeftNanos() {
            return timeLeftNanos;
        }
    }

    private Verdict attempt(URI uri, Check check, Duration timeout, String expectedVersion, String expectedFlags) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", "application/json, */*;q=0.5")
                .header("User-Agent", "stagecoach-smoke-test")
                .GET().build();
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            // the request timeout ends at the headers; this bounds reading the body too
            HttpResponse<String> response = answer.get(timeout.toMillis() + 100, TimeUnit.MILLISECONDS);
            Verdict verdict = CheckEvaluation.answered(check.expectedStatus(), check.jsonField(), expectedVersion,
                    response.statusCode(), response.body());
            if (verdict.result() != SmokeCheck.Result.PASSED || check.flagsField() == null
                    || expectedFlags.isEmpty()) {
                return verdict;
            }
            // the release carries flags: the service must serve exactly those
            Verdict flags = CheckEvaluation.answered(check.expectedStatus(), check.flagsField(), expectedFlags,
                    response.statusCode(), response.body());
            return flags.result() != SmokeCheck.Result.PASSED ? flags : new Verdict(SmokeCheck.Result.PASSED,
                    verdict.actualStatus(), verdict.detail() + ", " + check.flagsField() + " " + expectedFlags);
        } catch (ExecutionException e) {
            return CheckEvaluation.failedToAsk(e.getCause(), timeout);
        } catch (TimeoutException e) {
            answer.cancel(true);
            return CheckEvaluation.failedToAsk(new HttpTimeoutException("request timed out"), timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer.cancel(true);
            return new Verdict(SmokeCheck.Result.ERROR, null, "interrupted");
        }
    }

    private static SmokeCheck result(Check check, URI uri, Verdict verdict, int attempts, long startedNanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        String detail = attempts == 1 ? verdict.detail()
                : verdict.detail() + " (" + attempts + " attempts in " + millis + " ms)";
        return new SmokeCheck(check.name(), uri.toString(), check.expectedStatus(), verdict.actualStatus(),
                verdict.result(), detail, millis);
    }

    /** The check's URL with {@code {name}} placeholders filled in. */
    static URI resolve(String template, Map<String, String> values) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("no URL configured");
        }
        String url = template;
        for (Map.Entry<String, String> value : values.entrySet()) {
            url = url.replace("{" + value.getKey() + "}", value.getValue());
        }
        URI uri = URI.create(url);
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("only http and https URLs can be checked");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host");
        }
        return uri;
    }
}
