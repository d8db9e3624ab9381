package io.stagecoach.buildcompleted.webhook;

import static io.stagecoach.buildcompleted.TestBuilds.COMMIT;
import static io.stagecoach.buildcompleted.TestBuilds.DIGEST_A;
import static io.stagecoach.buildcompleted.TestBuilds.DIGEST_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.stagecoach.buildcompleted.BuildCompletedApplication;
import io.stagecoach.buildcompleted.BuildPolicy;
import io.stagecoach.buildcompleted.TestBuilds;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.Principal;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.support.StagecoachMessagingAutoConfiguration;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@code POST /builds} on a real broker: what CI gets back, and what reaches dev's audit stream. */
@RealPipeline
@SpringBootTest(classes = BuildCompletedApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "stagecoach.webhook.secret=" + BuildWebhookIntegrationTests.SECRET)
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class BuildWebhookIntegrationTests {

    static final String SECRET = "It's a Secret to Everybody";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static TestBroker broker;
    static TestPipeline fixture;

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Autowired
    EnvironmentLedger ledger;

    @DynamicPropertySource
    static void runAsBuildCompletedInDev(DynamicPropertyRegistry registry) {
        TestPipeline.register(registry, () -> broker, "dev", "build-completed");
    }

    @Test
    void aSignedBuildIsPublishedAsTheServiceAndRegistered() throws Exception {
        String body = plain("4.0.0", DIGEST_A);
        String delivery = UUID.randomUUID().toString();

        HttpResponse<String> response = post(body, sign(body), delivery);

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode answer = JSON.readTree(response.body());
        String runId = BuildPolicy.runId(TestBuilds.release("4.0.0", DIGEST_A));
        assertThat(answer.path("runId").asString()).isEqualTo(runId);
        assertThat(response.headers().firstValue("Location")).contains("/builds/" + runId);
        String eventId = answer.path("eventId").asString();

        await().atMost(Duration.ofSeconds(30)).until(() -> promotionsOf(runId).size() == 1);
        AuditRecord build = auditRecord(eventId);
        assertThat(build.routingKey()).isEqualTo("build.completed.dev");
        assertThat(build.publisher()).isEqualTo(fixture.user("dev", Principal.BUILD_COMPLETED));
        assertThat(build.event().correlationid()).isEqualTo(runId);
        assertThat(promotionsOf(runId).get(0).event().causationid()).isEqualTo(eventId);
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/builds/" + runId).statusCode() == 200);
        assertThat(JSON.readTree(get("/builds/" + runId).body()).path("release").path("version").asString())
                .isEqualTo("4.0.0");
    }

    @Test
    void aWholeCloudEventMayBePostedToo() throws Exception {
        CloudEvent<BuildCompleted> event = TestBuilds.build(TestBuilds.release("4.1.0", DIGEST_A), "dev", "410");
        String body = new String(new EventCodec().encode(event), StandardCharsets.UTF_8);

        HttpResponse<String> response = post(body, sign(body), UUID.randomUUID().toString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String runId = BuildPolicy.runId(event.data().release());
        await().atMost(Duration.ofSeconds(30)).until(() -> promotionsOf(runId).size() == 1);
    }

    @Test
    void unsignedTamperedAndReplayedRequestsAreRefusedAndPublishNothing() throws Exception {
        String unsignedBody = plain("5.0.0", DIGEST_A);
        String signedBody = plain("5.0.1", DIGEST_A);
        String tamperedBody = signedBody.replace("5.0.1", "5.0.2");
        String goodBody = plain("5.0.3", DIGEST_A);
        String delivery = UUID.randomUUID().toString();

        HttpResponse<String> unsigned = post(unsignedBody, null, UUID.randomUUID().toString());
        HttpResponse<String> tampered = post(tamperedBody, sign(signedBody), UUID.randomUUID().toString());
        HttpResponse<String> accepted = post(goodBody, sign(goodBody), delivery);
        HttpResponse<String> replayed = post(goodBody, sign(goodBody), delivery);

        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(tampered.statusCode()).isEqualTo(401);
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(replayed.statusCode()).isEqualTo(409);
        assertThat(replayed.body()).contains(delivery);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> promotionsOf(BuildPolicy.runId(TestBuilds.release("5.0.3", DIGEST_A))).size() == 1);
        assertThat(buildsOfVersions("5.0.0", "5.0.1", "5.0.2", "5.0.3")).extracting(AuditRecord::event)
                .extracting(CloudEvent::id)
                .containsExactly(JSON.readTree(accepted.body()).path("eventId").asString());
    }

    @Test
    void aDeliveryAnEarlierProcessAcceptedIsRefusedFromTheAuditStream() throws Exception {
        String delivery = UUID.randomUUID().toString();
        String eventId = EventIds.derive("io.stagecoach.build.completed.v1", "dev", "webhook-delivery", delivery);
        CloudEvent<BuildCompleted> earlier = CloudEvent.of(new BuildCompleted(TestBuilds.release("6.0.0", DIGEST_A)),
                "/stagecoach/dev/build-completed/webhook", "dev", eventId, null, eventId);
        // what the previous process published before it stopped
        fixture.as("dev", Principal.BUILD_COMPLETED).publish("build.completed.dev", eventId,
                new EventCodec().encode(earlier));
        // as a process started after it would have it: replayed into its ledger
        await().atMost(Duration.ofSeconds(30)).until(() -> ledger.seen(eventId));
        String body = plain("6.0.0", DIGEST_A);

        HttpResponse<String> replayed = post(body, sign(body), delivery);

        assertThat(replayed.statusCode()).isEqualTo(409);
    }

    @Test
    void acceptingBuildsOpensNoConnection() throws Exception {
        String first = plain("11.0.0", DIGEST_A);
        assertThat(post(first, sign(first), UUID.randomUUID().toString()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> promotionsOf(BuildPolicy.runId(TestBuilds.release("11.0.0", DIGEST_A))).size() == 1);
        double opened = connectionsOpened();

        List<String> versions = List.of("11.0.1", "11.0.2", "11.0.3", "11.0.4", "11.0.5");
        for (String version : versions) {
            String body = plain(version, DIGEST_A);
            assertThat(post(body, sign(body), UUID.randomUUID().toString()).statusCode()).isEqualTo(202);
        }
        String conflicting = plain("11.0.0", DIGEST_B);
        assertThat(post(conflicting, sign(conflicting), UUID.randomUUID().toString()).statusCode()).isEqualTo(409);
        for (String version : versions) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> promotionsOf(BuildPolicy.runId(TestBuilds.release(version, DIGEST_A))).size() == 1);
        }

        assertThat(opened).as("the inboxes' and the ledger's connections, counted").isGreaterThanOrEqualTo(2);
        assertThat(connectionsOpened()).isEqualTo(opened);
    }

    private double connectionsOpened() {
        return meters.find(StagecoachMessagingAutoConfiguration.CONNECTIONS_OPENED_METER).tag("environment", "dev")
                .meters().stream().mapToDouble(meter -> meter.measure().iterator().next().getValue()).sum();
    }

    @Test
    void anInvalidBuildGetsItsProblems() throws Exception {
        String body = """
                {"service":"knative-lambda-builder","version":"v7","image":"ghcr.io/acme/knative-lambda-builder",
                 "digest":"md5:abc","commit":"%s","author":"jane"}""".formatted(COMMIT);

        HttpResponse<String> response = post(body, sign(body), UUID.randomUUID().toString());

        assertThat(response.statusCode()).isEqualTo(400);
        List<String> problems = JSON.readTree(response.body()).path("problems").valueStream()
                .map(JsonNode::asString).toList();
        assertThat(problems).anySatisfy(problem -> assertThat(problem).startsWith("version:"))
                .anySatisfy(problem -> assertThat(problem).startsWith("digest:"));
    }

    @Test
    void aSignedRequestWithoutDeliveryIdIsInvalid() throws Exception {
        String body = plain("7.1.0", DIGEST_A);

        HttpResponse<String> response = post(body, sign(body), null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("X-Stagecoach-Delivery");
    }

    @Test
    void aVersionAlreadyBuiltWithAnotherDigestIsAConflict() throws Exception {
        String first = plain("8.0.0", DIGEST_A);
        String other = plain("8.0.0", DIGEST_B);
        assertThat(post(first, sign(first), UUID.randomUUID().toString()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> promotionsOf(BuildPolicy.runId(TestBuilds.release("8.0.0", DIGEST_A))).size() == 1);

        HttpResponse<String> response = post(other, sign(other), UUID.randomUUID().toString());

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.body()).contains("already built as digest " + DIGEST_A);
    }

    @Test
    void whenTheBrokerRefusesTheBuildCiIsToldToRetryAndMayRetryTheSameDelivery() throws Exception {
        String body = plain("9.0.0", DIGEST_A);
        String delivery = UUID.randomUUID().toString();
        List<TestPipeline.Binding> removed = fixture.unbind("dev", BrokerNames.EVENTS_EXCHANGE, "build.completed.dev");
        HttpResponse<String> refused;
        try {
            refused = post(body, sign(body), delivery);
        } finally {
            fixture.bind("dev", BrokerNames.EVENTS_EXCHANGE, removed);
        }

        HttpResponse<String> retried = post(body, sign(body), delivery);

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
    }

    @Test
    void neverLogsTheSecret(CapturedOutput output) throws Exception {
        String body = plain("10.0.0", DIGEST_A);
        post(body, sign(body), UUID.randomUUID().toString());
        post(body, "sha256=" + "0".repeat(64), UUID.randomUUID().toString());

        assertThat(output.getAll()).contains("POST /builds").doesNotContain(SECRET);
    }

    private static String plain(String version, String digest) {
        return """
                {"service":"knative-lambda-builder","version":"%s","image":"ghcr.io/acme/knative-lambda-builder",\
                "digest":"%s","commit":"%s","author":"jane","buildUrl":"https://ci.example.com/builds/1"}"""
                .formatted(version, digest, COMMIT);
    }

    private static String sign(String body) {
        return Signatures.sign(SECRET.getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> post(String body, String signature, String delivery) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/builds"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (signature != null) {
            request.header(Signatures.HEADER, signature);
        }
        if (delivery != null) {
            request.header("X-GitHub-Delivery", delivery);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<AuditRecord> promotionsOf(String runId) throws Exception {
        return fixture.audit("dev").caughtUp().records().stream()
                .filter(record -> record.event().data() instanceof PromotionRequested)
                .filter(record -> runId.equals(record.event().correlationid()))
                .toList();
    }

    private List<AuditRecord> buildsOfVersions(String... versions) throws Exception {
        List<String> wanted = List.of(versions);
        return fixture.audit("dev").caughtUp().records().stream()
                .filter(record -> record.event().data() instanceof BuildCompleted build
                        && wanted.contains(build.release().version()))
                .toList();
    }

    private AuditRecord auditRecord(String eventId) throws Exception {
        return fixture.audit("dev").caughtUp().records().stream()
                .filter(record -> record.event().id().equals(eventId)).findFirst().orElseThrow();
    }

    private boolean auditHas(String eventId) throws Exception {
        return fixture.audit("dev").caughtUp().records().stream()
                .anyMatch(record -> record.event().id().equals(eventId));
    }
}
