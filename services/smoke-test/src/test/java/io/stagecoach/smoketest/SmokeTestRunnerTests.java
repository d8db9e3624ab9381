package io.stagecoach.smoketest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeCheck.Result;
import io.stagecoach.smoketest.SmokeTestPolicy.Outcome;
import io.stagecoach.smoketest.SmokeTestProperties.Check;
import io.stagecoach.support.resilience.Resilience;
import io.stagecoach.support.resilience.ResilienceProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runner against real HTTP servers: what each check finds and what the deployment's outcome is. */
class SmokeTestRunnerTests {

    private static final Map<String, String> RELEASE = Map.of("environment", "dev", "namespace", "knative-lambda-dev",
            "service", "knative-lambda-builder", "version", "1.4.2");

    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<String> requested = new CopyOnWriteArrayList<>();
    private final MeterRegistry meterRegistry = new SimpleMeterRegistry();

    record Answer(int status, String body, boolean hang) {
    }

    @AfterEach
    void stop() {
        release.countDown();
        servers.forEach(server -> server.stop(0));
        scheduler.shutdownNow();
    }

    @Test
    void allChecksPass() throws Exception {
        int port = serve(0);
        answers.put("/health", new Answer(200, "{\"version\":\"1.4.2\",\"status\":\"UP\"}", false));
        answers.put("/ready", new Answer(204, "", false));

        List<SmokeCheck> checks = runner(Duration.ofSeconds(5)).run(List.of(
                health(port, Duration.ofSeconds(2)),
                check("ready", url(port, "/ready"), 204, null, Duration.ofSeconds(2))), RELEASE);

        assertThat(checks).extracting(SmokeCheck::result).containsExactly(Result.PASSED, Result.PASSED);
        assertThat(checks.get(0).actualStatus()).isEqualTo(200);
        assertThat(checks.get(0).detail()).doesNotContain("attempts");
        assertThat(retryCalls("successful_without_retry")).isEqualTo(2);
        assertThat(checks.get(0).url()).isEqualTo(url(port, "/health"));
        assertThat(SmokeTestPolicy.outcome(checks)).isEqualTo(Outcome.PASSED);
    }

    @Test
    void aReleaseWithFlagsPassesOnlyWhileTheServiceServesExactlyThoseFlags() throws Exception {
        int port = serve(0);
        String digest = "sha256:" + "f".repeat(64);
        Map<String, String> withFlags = new java.util.HashMap<>(RELEASE);
        withFlags.put("flags", digest);
        Check health = new Check("health", url(port, "/health"), 200, "version", Duration.ofSeconds(2), "flags");

        answers.put("/health", new Answer(200, "{\"version\":\"1.4.2\",\"flags\":\"" + digest + "\"}", false));
        SmokeCheck served = runner(Duration.ofSeconds(2)).run(List.of(health), withFlags).get(0);
        answers.put("/health", new Answer(200, "{\"version\":\"1.4.2\",\"flags\":\"sha256:" + "e".repeat(64)
                + "\"}", false));
        SmokeCheck stale = runner(Duration.ofMillis(300)).run(List.of(health), withFlags).get(0);
        answers.put("/health", new Answer(200, "{\"version\":\"1.4.2\"}", false));
        SmokeCheck none = runner(Duration.ofMillis(300)).run(List.of(health), withFlags).get(0);
        SmokeCheck releaseWithoutFlags = runner(Duration.ofSeconds(2)).run(List.of(health), RELEASE).get(0);

        assertThat(served.result()).isEqualTo(Result.PASSED);
        assertThat(served.detail()).isEqualTo("200 with version 1.4.2, flags " + digest);
        assertThat(stale.result()).isEqualTo(Result.FAILED);
        assertThat(stale.detail()).startsWith("flags is 'sha256:eeee").contains("expected '" + digest + "'");
        assertThat(none.result()).isEqualTo(Result.FAILED);
        assertThat(none.detail()).startsWith("the answer has no field flags");
        assertThat(releaseWithoutFlags.result()).as("a release without flags is not asked about them")
                .isEqualTo(Result.PASSED);
    }

    @Test
    void aWrongStatusFailsAfterRetryingWithinTheDeadline() throws Exception {
        int port = serve(0);
        answers.put("/health", new Answer(503, "{\"status\":\"DOWN\"}", false));

        List<SmokeCheck> checks = runner(Duration.ofMillis(800))
                .run(List.of(health(port, Duration.ofSeconds(1))), RELEASE);

        SmokeCheck health = checks.get(0);
        assertThat(health.result()).isEqualTo(Result.FAILED);
        assertThat(health.actualStatus()).isEqualTo(503);
        assertThat(health.detail()).startsWith("answered 503, expected 200").contains("attempts");
        assertThat(requested).hasSizeGreaterThan(1);
        assertThat(retryCalls("failed_without_retry")).as("the deadline ended the retries").isEqualTo(1);
        assertThat(SmokeTestPolicy.outcome(checks)).isEqualTo(Outcome.FAILED);
    }

    @Test
    void aReleaseOvertakenByANewerOneIsNotCheckedAgain() throws Exception {
        int port = serve(0);
        // the workload already runs the newer release
        answers.put("/health", new Answer(200, "{\"version\":\"1.4.3\",\"status\":\"UP\"}", false));
        AtomicInteger asked = new AtomicInteger();

        List<SmokeCheck> checks = runner(Duration.ofSeconds(30)).run(List.of(health(port, Duration.ofSeconds(1))),
                RELEASE, () -> asked.incrementAndGet() >= 2);

        assertThat(checks.get(0).result()).isEqualTo(Result.FAILED);
        assertThat(requested).as("no attempt after the release was overtaken, long before the deadline").hasSize(2);
    }

    @Test
    void aWrongVersionFieldFails() throws Exception {
        int port = serve(0);
        answers.put("/health", new Answer(200, "{\"version\":\"1.4.1\",\"status\":\"UP\"}", false));

        List<SmokeCheck> checks = runner(Duration.ofMillis(300))
                .run(List.of(health(port, Duration.ofSeconds(1))), RELEASE);

        assertThat(checks.get(0).result()).isEqualTo(Result.FAILED);
        assertThat(checks.get(0).detail()).startsWith("version is '1.4.1', expected '1.4.2'");
        assertThat(SmokeTestPolicy.outcome(checks)).isEqualTo(Outcome.FAILED);
    }

    @Test
    void noAnswerWithinTheTimeoutIsAnError() throws Exception {
        int port = serve(0);
        answers.put("/health", new Answer(200, "{}", true));

        long started = System.nanoTime();
        List<SmokeCheck> checks = runner(Duration.ofMillis(600))
                .run(List.of(health(port, Duration.ofMillis(200))), RELEASE);

        assertThat(checks.get(0).result()).isEqualTo(Result.ERROR);
        assertThat(checks.get(0).actualStatus()).isNull();
        assertThat(checks.get(0).detail()).startsWith("no answer within");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(SmokeTestPolicy.outcome(checks)).isEqualTo(Outcome.ERROR);
    }

    @Test
    void aReleaseThatRefusesConnectionsAtFirstPassesOnceItIsUpWithinTheDeadline() throws Exception {
        int port = freePort();
        answers.put("/health", new Answer(200, "{\"version\":\"1.4.2\"}", false));
        scheduler.schedule(() -> serve(port), 700, TimeUnit.MILLISECONDS);

        List<SmokeCheck> checks = runner(Duration.ofSeconds(10))
                .run(List.of(health(port, Duration.ofSeconds(1))), RELEASE);

        assertThat(checks.get(0).result()).isEqualTo(Result.PASSED);
        assertThat(checks.get(0).detail()).contains("attempts");
        assertThat(retryCalls("successful_with_retry")).isEqualTo(1);
        assertThat(SmokeTestPolicy.outcome(checks)).isEqualTo(Outcome.PASSED);
    }

    @Test
    void aReleaseThatNeverAcceptsAConnectionIsAnError() throws Exception {
        int port = freePort();

        List<SmokeCheck> checks = runner(Duration.ofMillis(400))
                .run(List.of(health(port, Duration.ofMillis(200))), RELEASE);

        assertThat(checks.get(0).result()).isEqualTo(Result.ERROR);
        assertThat(checks.get(0).detail()).startsWith("connection refused");
        assertThat(SmokeTestPolicy.outcome(checks)).isEqualTo(Outcome.ERROR);
    }

    @Test
    void noChecksConfiguredIsAnError() {
        List<SmokeCheck> checks = runner(Duration.ofSeconds(1)).run(List.of(), RELEASE);

        assertThat(checks).isEmpty();
        assertThat(SmokeTestPolicy.outcome(checks)).isEqualTo(Outcome.ERROR);
    }

    @Test
    void aBadUrlIsAnErrorWithoutACall() {
        List<SmokeCheck> checks = runner(Duration.ofSeconds(1)).run(List.of(
                check("health", "ftp://{service}/health", 200, null, Duration.ofSeconds(1)),
                check("typo", "http://app/{sevrice}", 200, null, Duration.ofSeconds(1))), RELEASE);

        assertThat(checks).extracting(SmokeCheck::result).containsExactly(Result.ERROR, Result.ERROR);
        assertThat(checks).extracting(SmokeCheck::url).containsOnly(SmokeTestRunner.INVALID_URL);
        assertThat(checks.get(0).detail()).startsWith("bad URL 'ftp://{service}/health'");
        assertThat(SmokeTestPolicy.outcome(checks)).isEqualTo(Outcome.ERROR);
    }

    @Test
    void fillsThePlaceholdersOfTheUrl() throws Exception {
        int port = serve(0);
        answers.put("/dev/knative-lambda-dev/knative-lambda-builder/1.4.2", new Answer(200, "", false));

        List<SmokeCheck> checks = runner(Duration.ofSeconds(2)).run(List.of(check("paths",
                url(port, "/{environment}/{namespace}/{service}/{version}"), 200, null,
                Duration.ofSeconds(1))), RELEASE);

        assertThat(checks.get(0).result()).isEqualTo(Result.PASSED);
        assertThat(requested).containsExactly("/dev/knative-lambda-dev/knative-lambda-builder/1.4.2");
    }

    @Test
    void aCheckAfterTheDeadlinePassedStillGetsOneAttempt() throws Exception {
        int port = serve(0);
        answers.put("/slow", new Answer(503, "", false));
        answers.put("/health", new Answer(200, "{\"version\":\"1.4.2\"}", false));

        List<SmokeCheck> checks = runner(Duration.ofMillis(300)).run(List.of(
                check("slow", url(port, "/slow"), 200, null, Duration.ofSeconds(1)),
                health(port, Duration.ofSeconds(1))),
                RELEASE);

        assertThat(checks).extracting(SmokeCheck::result).containsExactly(Result.FAILED, Result.PASSED);
    }

    @Test
    void pausesDoubleUpToTheMaximumAndStopWhenTheNextPauseWouldPassTheDeadline() throws Exception {
        int port = serve(0);
        answers.put("/health", new Answer(503, "", false));

        // pauses of 100, 200, 400, 400 ms: after the fifth attempt (at 1.1 s and a little) a pause of 400 ms would
        // end after the deadline of 1.5 s
        long started = System.nanoTime();
        List<SmokeCheck> checks = runner(Duration.ofMillis(1500), Duration.ofMillis(100), Duration.ofMillis(400))
                .run(List.of(check("health", url(port, "/health"), 200, null,
                        Duration.ofSeconds(1))), RELEASE);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(checks.get(0).result()).isEqualTo(Result.FAILED);
        assertThat(requested).hasSize(5);
        assertThat(checks.get(0).detail()).contains("(5 attempts in ");
        assertThat(took).isBetween(Duration.ofMillis(1100), Duration.ofMillis(3000));
        assertThat(retryCalls("failed_without_retry")).isEqualTo(1);
    }

    @Test
    void aDeadlineShorterThanTheFirstPauseMeansOneAttempt() throws Exception {
        int port = serve(0);
        answers.put("/health", new Answer(503, "", false));

        List<SmokeCheck> checks = runner(Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1))
                .run(List.of(check("health", url(port, "/health"), 200, null,
                        Duration.ofSeconds(1))), RELEASE);

        assertThat(checks.get(0).result()).isEqualTo(Result.FAILED);
        assertThat(checks.get(0).detail()).isEqualTo("answered 503, expected 200");
        assertThat(requested).hasSize(1);
    }

    @Test
    void theRetryPausesAsConfigured() {
        var backoff = SmokeTestRunner.retryConfig(Duration.ofSeconds(1), Duration.ofSeconds(10)).getIntervalFunction();

        assertThat(IntStream.rangeClosed(1, 6).mapToObj(backoff::apply))
                .containsExactly(1000L, 2000L, 4000L, 8000L, 10000L, 10000L);
    }

    private SmokeTestRunner runner(Duration deadline) {
        return runner(deadline, Duration.ofMillis(50), Duration.ofMillis(200));
    }

    private SmokeTestRunner runner(Duration deadline, Duration initialBackoff, Duration maxBackoff) {
        // the shared retry settings are not the smoke checks' (those come from stagecoach.smoke-test)
        Resilience resilience = new Resilience(new ResilienceProperties(
                new ResilienceProperties.Retry(3, Duration.ofSeconds(5), 2.0, Duration.ofSeconds(5)),
                new ResilienceProperties.CircuitBreaker(50, 20, 10, Duration.ofSeconds(30), 3)), meterRegistry);
        return new SmokeTestRunner(deadline, initialBackoff, maxBackoff, Duration.ofSeconds(2), resilience);
    }

    /** The checks the retry counted as {@code kind} (resilience4j.retry.calls). */
    private double retryCalls(String kind) {
        var counter = meterRegistry.find("resilience4j.retry.calls").tag("name", SmokeTestRunner.RETRY)
                .tag("kind", kind).functionCounter();
        return counter == null ? 0 : counter.count();
    }

    private static Check check(String name, String url, int status, String jsonField, Duration timeout) {
        return new Check(name, url, status, jsonField, timeout, null);
    }

    /** The check most tests make: {@code /health} answers 200 and names the release's version. */
    private static Check health(int port, Duration timeout) {
        return check("health", url(port, "/health"), 200, "version", timeout);
    }

    private static String url(int port, String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private int serve(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/", this::answer);
            server.start();
            servers.add(server);
            return server.getAddress().getPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            requested.add(path);
            Answer answer = answers.getOrDefault(path, new Answer(404, "not found", false));
            if (answer.hang()) {
                // hold the answer back until the test ends
                release.await(10, TimeUnit.SECONDS);
            }
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
