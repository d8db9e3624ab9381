package io.stagecoach.smoketest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeCheck.Result;
import io.stagecoach.smoketest.SmokeTestDecision.Outcome;
import io.stagecoach.smoketest.SmokeTestProperties.Check;
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
                check("health", "http://127.0.0.1:" + port + "/health", 200, "version", Duration.ofSeconds(2)),
                check("ready", "http://127.0.0.1:" + port + "/ready", 204, null, Duration.ofSeconds(2))), RELEASE);

        assertThat(checks).extracting(SmokeCheck::result).containsExactly(Result.PASSED, Result.PASSED);
        assertThat(checks.get(0).actualStatus()).isEqualTo(200);
        assertThat(checks.get(0).url()).isEqualTo("http://127.0.0.1:" + port + "/health");
        assertThat(SmokeTestDecision.decide(checks)).isEqualTo(Outcome.PASSED);
    }

    @Test
    void aWrongStatusFailsAfterRetryingWithinTheDeadline() throws Exception {
        int port = serve(0);
        answers.put("/health", new Answer(503, "{\"status\":\"DOWN\"}", false));

        List<SmokeCheck> checks = runner(Duration.ofMillis(800)).run(List.of(
                check("health", "http://127.0.0.1:" + port + "/health", 200, "version", Duration.ofSeconds(1))),
                RELEASE);

        SmokeCheck health = checks.get(0);
        assertThat(health.result()).isEqualTo(Result.FAILED);
        assertThat(health.actualStatus()).isEqualTo(503);
        assertThat(health.detail()).startsWith("answered 503, expected 200").contains("attempts");
        assertThat(requested).hasSizeGreaterThan(1);
        assertThat(SmokeTestDecision.decide(checks)).isEqualTo(Outcome.FAILED);
    }

    @Test
    void aWrongVersionFieldFails() throws Exception {
        int port = serve(0);
        answers.put("/health", new Answer(200, "{\"version\":\"1.4.1\",\"status\":\"UP\"}", false));

        List<SmokeCheck> checks = runner(Duration.ofMillis(300)).run(List.of(
                check("health", "http://127.0.0.1:" + port + "/health", 200, "version", Duration.ofSeconds(1))),
                RELEASE);

        assertThat(checks.get(0).result()).isEqualTo(Result.FAILED);
        assertThat(checks.get(0).detail()).startsWith("version is '1.4.1', expected '1.4.2'");
        assertThat(SmokeTestDecision.decide(checks)).isEqualTo(Outcome.FAILED);
    }

    @Test
    void noAnswerWithinTheTimeoutIsAnError() throws Exception {
        int port = serve(0);
        answers.put("/health", new Answer(200, "{}", true));

        long started = System.nanoTime();
        List<SmokeCheck> checks = runner(Duration.ofMillis(600)).run(List.of(
                check("health", "http://127.0.0.1:" + port + "/health", 200, "version", Duration.ofMillis(200))),
                RELEASE);

        assertThat(checks.get(0).result()).isEqualTo(Result.ERROR);
        assertThat(checks.get(0).actualStatus()).isNull();
        assertThat(checks.get(0).detail()).startsWith("no answer within");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(SmokeTestDecision.decide(checks)).isEqualTo(Outcome.ERROR);
    }

    @Test
    void aReleaseThatRefusesConnectionsAtFirstPassesOnceItIsUpWithinTheDeadline() throws Exception {
        int port = freePort();
        answers.put("/health", new Answer(200, "{\"version\":\"1.4.2\"}", false));
        scheduler.schedule(() -> serve(port), 700, TimeUnit.MILLISECONDS);

        List<SmokeCheck> checks = runner(Duration.ofSeconds(10)).run(List.of(
                check("health", "http://127.0.0.1:" + port + "/health", 200, "version", Duration.ofSeconds(1))),
                RELEASE);

        assertThat(checks.get(0).result()).isEqualTo(Result.PASSED);
        assertThat(checks.get(0).detail()).contains("attempts");
        assertThat(SmokeTestDecision.decide(checks)).isEqualTo(Outcome.PASSED);
    }

    @Test
    void aReleaseThatNeverAcceptsAConnectionIsAnError() throws Exception {
        int port = freePort();

        List<SmokeCheck> checks = runner(Duration.ofMillis(400)).run(List.of(
                check("health", "http://127.0.0.1:" + port + "/health", 200, "version", Duration.ofMillis(200))),
                RELEASE);

        assertThat(checks.get(0).result()).isEqualTo(Result.ERROR);
        assertThat(checks.get(0).detail()).startsWith("connection refused");
        assertThat(SmokeTestDecision.decide(checks)).isEqualTo(Outcome.ERROR);
    }

    @Test
    void noChecksConfiguredIsAnError() {
        List<SmokeCheck> checks = runner(Duration.ofSeconds(1)).run(List.of(), RELEASE);

        assertThat(checks).isEmpty();
        assertThat(SmokeTestDecision.decide(checks)).isEqualTo(Outcome.ERROR);
    }

    @Test
    void aBadUrlIsAnErrorWithoutACall() {
        List<SmokeCheck> checks = runner(Duration.ofSeconds(1)).run(List.of(
                check("health", "ftp://{service}/health", 200, null, Duration.ofSeconds(1)),
                check("typo", "http://app/{sevrice}", 200, null, Duration.ofSeconds(1))), RELEASE);

        assertThat(checks).extracting(SmokeCheck::result).containsExactly(Result.ERROR, Result.ERROR);
        assertThat(checks).extracting(SmokeCheck::url).containsOnly(SmokeTestRunner.INVALID_URL);
        assertThat(checks.get(0).detail()).startsWith("bad URL 'ftp://{service}/health'");
        assertThat(SmokeTestDecision.decide(checks)).isEqualTo(Outcome.ERROR);
    }

    @Test
    void fillsThePlaceholdersOfTheUrl() throws Exception {
        int port = serve(0);
        answers.put("/dev/knative-lambda-dev/knative-lambda-builder/1.4.2", new Answer(200, "", false));

        List<SmokeCheck> checks = runner(Duration.ofSeconds(2)).run(List.of(check("paths",
                "http://127.0.0.1:" + port + "/{environment}/{namespace}/{service}/{version}", 200, null,
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
                check("slow", "http://127.0.0.1:" + port + "/slow", 200, null, Duration.ofSeconds(1)),
                check("health", "http://127.0.0.1:" + port + "/health", 200, "version", Duration.ofSeconds(1))),
                RELEASE);

        assertThat(checks).extracting(SmokeCheck::result).containsExactly(Result.FAILED, Result.PASSED);
    }

    private SmokeTestRunner runner(Duration deadline) {
        return new SmokeTestRunner(deadline, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(2));
    }

    private static Check check(String name, String url, int status, String jsonField, Duration timeout) {
        return new Check(name, url, status, jsonField, timeout);
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
