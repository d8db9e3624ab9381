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
import java.util.concurrent.TimeoutException;

import io.stagecoach.events.SmokeCheck;
import io.stagecoach.smoketest.CheckEvaluation.Verdict;
import io.stagecoach.smoketest.SmokeTestProperties.Check;

/**
 * Runs a release's checks over HTTP, one after the other. Each attempt waits at most the check's timeout; a check
 * that does not pass is tried again after a pause (doubling up to a maximum) while the overall deadline allows, since
 * a release that was just deployed may still be starting. Every check gets at least one attempt.
 *
 * <p>A check's result: PASSED as soon as an attempt passed; otherwise FAILED with the latest wrong answer if the
 * release ever answered; otherwise ERROR with the latest reason it could not be asked.
 */
public final class SmokeTestRunner {

    /** Waits between attempts; replaced in tests that must not wait. */
    @FunctionalInterface
    interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    /** The URL given to a check whose configured URL is not one (the schema wants a URI). */
    static final String INVALID_URL = "about:invalid";

    private final HttpClient http;
    private final Duration deadline;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Pause pause;

    public SmokeTestRunner(Duration deadline, Duration initialBackoff, Duration maxBackoff, Duration connectTimeout) {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build(), deadline, initialBackoff, maxBackoff,
                duration -> Thread.sleep(duration.toMillis()));
    }

    SmokeTestRunner(HttpClient http, Duration deadline, Duration initialBackoff, Duration maxBackoff, Pause pause) {
        this.http = http;
        this.deadline = deadline;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.pause = pause;
    }

    /**
     * Runs {@code checks} for the release whose values ({@code environment}, {@code namespace}, {@code service},
     * {@code version}) fill the URL placeholders; the JSON field of a check must equal {@code version}.
     */
    public List<SmokeCheck> run(List<Check> checks, Map<String, String> values) {
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        List<SmokeCheck> results = new ArrayList<>();
        for (Check check : checks) {
            results.add(runOne(check, values, deadlineNanos));
        }
        return results;
    }

    private SmokeCheck runOne(Check check, Map<String, String> values, long deadlineNanos) {
        String expectedVersion = values.getOrDefault("version", "");
        URI uri;
        try {
            uri = resolve(check.url(), values);
        } catch (IllegalArgumentException e) {
            return new SmokeCheck(check.name(), INVALID_URL, check.expectedStatus(), null, SmokeCheck.Result.ERROR,
                    "bad URL '" + check.url() + "': " + e.getMessage(), 0);
        }
        long started = System.nanoTime();
        Verdict lastAnswer = null;
        Verdict lastError = null;
        int attempts = 0;
        Duration backoff = initialBackoff;
        while (true) {
            attempts++;
            long left = deadlineNanos - System.nanoTime();
            Duration timeout = attempts == 1 || left >= check.timeout().toNanos() ? check.timeout()
                    : Duration.ofNanos(Math.max(left, 1_000_000));
            Verdict verdict = attempt(uri, check, timeout, expectedVersion);
            if (verdict.result() == SmokeCheck.Result.PASSED) {
                return result(check, uri, verdict, attempts, started);
            }
            if (verdict.result() == SmokeCheck.Result.FAILED) {
                lastAnswer = verdict;
            } else {
                lastError = verdict;
            }
            if (deadlineNanos - System.nanoTime() <= backoff.toNanos()) {
                break;
            }
            try {
                pause.pause(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                lastError = new Verdict(SmokeCheck.Result.ERROR, null, "interrupted");
                lastAnswer = null;
                break;
            }
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
        return result(check, uri, lastAnswer != null ? lastAnswer : lastError, attempts, started);
    }

    private Verdict attempt(URI uri, Check check, Duration timeout, String expectedVersion) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", "application/json, */*;q=0.5")
                .header("User-Agent", "stagecoach-smoke-test")
                .GET().build();
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            // the request timeout ends at the headers; this bounds reading the body too
            HttpResponse<String> response = answer.get(timeout.toMillis() + 100, TimeUnit.MILLISECONDS);
            return CheckEvaluation.answered(check.expectedStatus(), check.jsonField(), expectedVersion,
                    response.statusCode(), response.body());
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
