package io.stagecoach.buildcompleted.webhook;

import static io.stagecoach.buildcompleted.TestBuilds.DIGEST_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.buildcompleted.BuildCompletedApplication;
import io.stagecoach.buildcompleted.BuildHandler;
import io.stagecoach.buildcompleted.BuildPolicy;
import io.stagecoach.buildcompleted.TestBuilds;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The replay memory of {@code POST /builds} lives on the broker: two replicas of dev's build-completed service, and
 * a replica restarted, refuse a delivery one of them accepted; the same delivery given to both at once registers
 * one build.
 */
@RealPipeline
class WebhookReplayMemoryTests {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static TestBroker broker;
    static TestPipeline pipeline;

    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    @AfterEach
    void stopReplicas() {
        replicas.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void aDeliveryOneReplicaAcceptedIsRefusedByTheOtherAndByTheFirstAfterItsRestart() throws Exception {
        ConfigurableApplicationContext first = start("build-completed-1");
        ConfigurableApplicationContext second = start("build-completed-2");
        String body = plain("20.0.0");
        String delivery = UUID.randomUUID().toString();
        String timestamp = BuildWebhookIntegrationTests.now();
        String signature = BuildWebhookIntegrationTests.sign(body, timestamp, delivery);
        String eventId = eventId(delivery);

        assertThat(post(first, body, signature, timestamp, delivery).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> seen(second, eventId));
        HttpResponse<String> atTheOther = post(second, body, signature, timestamp, delivery);

        first.close();
        ConfigurableApplicationContext restarted = start("build-completed-1");
        // the start replays the audit stream before the service answers: nothing to wait for
        assertThat(seen(restarted, eventId)).as("the restarted replica's ledger has the delivery's event").isTrue();
        HttpResponse<String> afterTheRestart = post(restarted, body, signature, timestamp, delivery);

        assertThat(atTheOther.statusCode()).as(atTheOther.body()).isEqualTo(409);
        assertThat(afterTheRestart.statusCode()).as(afterTheRestart.body()).isEqualTo(409);
        assertThat(afterTheRestart.body()).contains(delivery + " was accepted before");
        String runId = BuildPolicy.runId(TestBuilds.release("20.0.0", DIGEST_A));
        await().atMost(Duration.ofSeconds(30)).until(() -> promotionsOf(runId).size() == 1);
        assertThat(buildsWithId(eventId)).hasSize(1);
    }

    @Test
    void theSameDeliveryGivenToBothReplicasAtOnceRegistersOneBuild() throws Exception {
        ConfigurableApplicationContext first = start("build-completed-1");
        ConfigurableApplicationContext second = start("build-completed-2");
        String body = plain("21.0.0");
        String delivery = UUID.randomUUID().toString();
        String timestamp = BuildWebhookIntegrationTests.now();
        String signature = BuildWebhookIntegrationTests.sign(body, timestamp, delivery);
        String eventId = eventId(delivery);

        CompletableFuture<HttpResponse<String>> toFirst = CompletableFuture.supplyAsync(
                () -> postQuietly(first, body, signature, timestamp, delivery));
        CompletableFuture<HttpResponse<String>> toSecond = CompletableFuture.supplyAsync(
                () -> postQuietly(second, body, signature, timestamp, delivery));
        List<Integer> answers = List.of(toFirst.get().statusCode(), toSecond.get().statusCode());

        assertThat(answers).as("the answers").contains(202).allMatch(status -> status == 202 || status == 409);
        String runId = BuildPolicy.runId(TestBuilds.release("21.0.0", DIGEST_A));
        await().atMost(Duration.ofSeconds(30)).until(() -> promotionsOf(runId).size() == 1);
        int copies = buildsWithId(eventId).size();
        // every copy published was handled by the inbox (on either replica): once registered, the rest duplicates
        await().atMost(Duration.ofSeconds(30)).until(() -> builds(first, "registered") + builds(second, "registered")
                + builds(first, "duplicate") + builds(second, "duplicate") >= copies);
        assertThat(builds(first, "registered") + builds(second, "registered")).isEqualTo(1);
        assertThat(promotionsOf(runId)).hasSize(1);
        System.out.println("[webhook replicas] answers " + answers + ", copies of event " + eventId + " in the stream: "
                + copies);
    }

    @Test
    void aWindowLongerThanTheAuditStreamRemembersStopsTheServiceAtStart() {
        // dev keeps its audit stream 7 days: a 4-day window would let a replay outlive the record that refuses it
        assertThatThrownBy(() -> new SpringApplicationBuilder(BuildCompletedApplication.class)
                .run(pipeline.serviceArguments("dev", "build-completed", Map.of("stagecoach.instance", "too-long",
                        "stagecoach.webhook.secret", BuildWebhookIntegrationTests.SECRET,
                        "stagecoach.webhook.signature-window", "4d"))))
                .rootCause().hasMessageContaining("the audit retention of dev (PT168H) must be longer than twice "
                        + "stagecoach.webhook.signature-window (PT96H)");
    }

    private ConfigurableApplicationContext start(String instance) {
        ConfigurableApplicationContext replica = new SpringApplicationBuilder(BuildCompletedApplication.class)
                .run(pipeline.serviceArguments("dev", "build-completed", Map.of("stagecoach.instance", instance,
                        "stagecoach.webhook.secret", BuildWebhookIntegrationTests.SECRET)));
        replicas.add(replica);
        return replica;
    }

    private static boolean seen(ConfigurableApplicationContext replica, String eventId) {
        return replica.getBean(EnvironmentLedger.class).seen(eventId);
    }

    private static double builds(ConfigurableApplicationContext replica, String result) {
        return replica.getBean(MeterRegistry.class).find(BuildHandler.BUILDS_METER).tag("result", result).counters()
                .stream().mapToDouble(counter -> counter.count()).sum();
    }

    private static String eventId(String delivery) {
        return EventIds.derive(EventType.BUILD_COMPLETED.type(), "dev", "webhook-delivery", delivery);
    }

    private static HttpResponse<String> postQuietly(ConfigurableApplicationContext replica, String body,
            String signature, String timestamp, String delivery) {
        try {
            return post(replica, body, signature, timestamp, delivery);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> post(ConfigurableApplicationContext replica, String body, String signature,
            String timestamp, String delivery) throws Exception {
        String port = replica.getEnvironment().getProperty("local.server.port");
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/builds"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header(Signatures.HEADER, signature)
                .header(Signatures.TIMESTAMP_HEADER, timestamp)
                .header(BuildWebhookController.DELIVERY_HEADER, delivery)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String plain(String version) {
        return """
                {"service":"knative-lambda-builder","version":"%s","image":"ghcr.io/acme/knative-lambda-builder",\
                "digest":"%s","commit":"%s","author":"jane"}""".formatted(version, DIGEST_A, TestBuilds.COMMIT);
    }

    private static List<AuditRecord> promotionsOf(String runId) throws Exception {
        return pipeline.audit("dev").caughtUp().records().stream()
                .filter(record -> record.event().data() instanceof PromotionRequested)
                .filter(record -> runId.equals(record.event().correlationid()))
                .toList();
    }

    private static List<AuditRecord> buildsWithId(String eventId) throws Exception {
        return pipeline.audit("dev").caughtUp().records().stream()
                .filter(record -> record.event().data() instanceof BuildCompleted)
                .filter(record -> record.event().id().equals(eventId))
                .toList();
    }
}
