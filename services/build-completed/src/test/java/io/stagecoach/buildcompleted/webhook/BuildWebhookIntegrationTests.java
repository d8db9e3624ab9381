package io.stagecoach.buildcompleted.webhook;

import static io.stagecoach.buildcompleted.TestBuilds.COMMIT;
import static io.stagecoach.buildcompleted.TestBuilds.DIGEST_A;
import static io.stagecoach.buildcompleted.TestBuilds.DIGEST_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
    void aCdEventsArtifactPublishedInBinaryModeIsABuildThatTravels() throws Exception {
        // the specification's own example of artifact.published, about this release's image
        tools.jackson.databind.node.ObjectNode cdevent = (tools.jackson.databind.node.ObjectNode)
                io.stagecoach.testing.cdevents.CdEventSchemas.example("artifact_published");
        String digest = "sha256:" + "c".repeat(64);
        ((tools.jackson.databind.node.ObjectNode) cdevent.path("subject")).put("id", "pkg:oci/"
                + TestBuilds.SERVICE + "@" + digest.replace(":", "%3A") + "?repository_url=ghcr.io/acme/"
                + TestBuilds.SERVICE + "&tag=4.2.0");
        cdevent.putObject("customData").put("commit", TestBuilds.COMMIT).put("author", "jane");
        cdevent.remove("customDataContentType");
        assertThat(io.stagecoach.testing.cdevents.CdEventSchemas.problems(cdevent)).isEmpty();
        String body = JSON.writeValueAsString(cdevent);
        String delivery = UUID.randomUUID().toString();
        String timestamp = now();
        Map<String, String> headers = new HashMap<>();
        headers.put(Signatures.HEADER, sign(body, timestamp, delivery));
        headers.put(Signatures.TIMESTAMP_HEADER, timestamp);
        headers.put(BuildWebhookController.DELIVERY_HEADER, delivery);
        headers.put("ce-specversion", "1.0");
        headers.put("ce-type", cdevent.path("context").path("type").asString());
        headers.put("ce-id", cdevent.path("context").path("id").asString());
        headers.put("ce-source", cdevent.path("context").path("source").asString());

        HttpResponse<String> response = postWith(body, headers);
        headers.put("ce-type", "dev.cdevents.build.started.0.3.0");
        headers.put(BuildWebhookController.DELIVERY_HEADER, UUID.randomUUID().toString());
        headers.put(Signatures.HEADER, sign(body, timestamp, headers.get(BuildWebhookController.DELIVERY_HEADER)));
        HttpResponse<String> mismatched = postWith(body, headers);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String runId = BuildPolicy.runId(new io.stagecoach.events.Release(TestBuilds.SERVICE, "4.2.0", "ghcr.io/acme/" + TestBuilds.SERVICE,
                digest, TestBuilds.COMMIT, "jane"));
        assertThat(JSON.readTree(response.body()).path("runId").asString()).isEqualTo(runId);
        await().atMost(Duration.ofSeconds(30)).until(() -> promotionsOf(runId).size() == 1);
        assertThat(mismatched.statusCode()).isEqualTo(400);
        assertThat(mismatched.body()).contains("ce-type: 'dev.cdevents.build.started.0.3.0' is not the type");
    }

    @Test
    void aSignedBuildIsPublishedAsTheServiceAndRegistered() throws Exception {
        String body = plain("4.0.0", DIGEST_A);
        String delivery = UUID.randomUUID().toString();

        HttpResponse<String> response = post(body, delivery);

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

    /** The shipped CI example (examples/ci/announce-build.sh) as a GitHub Actions job runs it, with bash. */
    private ProcessResult announceWithTheExample(String secret, String version) throws Exception {
        Path script = Path.of("../../examples/ci/announce-build.sh").toAbsolutePath().normalize();
        assertThat(script).isRegularFile();
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("STAGECOACH_WEBHOOK_URL", "http://127.0.0.1:" + port + "/builds");
        env.put("STAGECOACH_WEBHOOK_SECRET", secret);
        env.put("SERVICE", "knative-lambda-builder");
        env.put("VERSION", version);
        env.put("IMAGE", "ghcr.io/acme/knative-lambda-builder");
        env.put("DIGEST", DIGEST_B);
        env.put("COMMIT", COMMIT);
        env.put("AUTHOR", "jane");
        env.put("BUILD_URL", "https://github.com/acme/knative-lambda-builder/actions/runs/42");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new ProcessResult(process.exitValue(), output);
    }

    record ProcessResult(int status, String output) {
    }

    @Test
    void theShippedCiExampleAnnouncesABuildWithTheWebhookSecretAloneAndAWrongSecretIsRefused() throws Exception {
        ProcessResult announced = announceWithTheExample(SECRET, "4.7.0");

        assertThat(announced.status()).as(announced.output()).isZero();
        String runId = BuildPolicy.runId(TestBuilds.release("4.7.0", DIGEST_B));
        assertThat(announced.output()).startsWith("announced knative-lambda-builder 4.7.0 (delivery ")
                .contains(runId);
        await().atMost(Duration.ofSeconds(30)).until(() -> promotionsOf(runId).size() == 1);

        ProcessResult refused = announceWithTheExample("not the secret", "4.7.1");

        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.output()).startsWith("refused (401): the signature is wrong");
        assertThat(promotionsOf(BuildPolicy.runId(TestBuilds.release("4.7.1", DIGEST_B)))).isEmpty();
    }

    @Test
    void aWholeCloudEventMayBePostedToo() throws Exception {
        CloudEvent<BuildCompleted> event = TestBuilds.build(TestBuilds.release("4.1.0", DIGEST_A), "dev", "410");
        String body = new String(new EventCodec().encode(event), StandardCharsets.UTF_8);

        HttpResponse<String> response = post(body, UUID.randomUUID().toString());

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

        HttpResponse<String> unsigned = post(unsignedBody, null, now(), UUID.randomUUID().toString());
        String tamperedDelivery = UUID.randomUUID().toString();
        String at = now();
        HttpResponse<String> tampered = post(tamperedBody, sign(signedBody, at, tamperedDelivery), at,
                tamperedDelivery);
        HttpResponse<String> accepted = post(goodBody, delivery);
        HttpResponse<String> replayed = post(goodBody, delivery);

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
    void aSignatureMovedToAnotherDeliveryOrTimeIsRefused(CapturedOutput output) throws Exception {
        String body = plain("5.1.0", DIGEST_A);
        String delivery = UUID.randomUUID().toString();
        String at = now();
        String signature = sign(body, at, delivery);
        String otherDelivery = UUID.randomUUID().toString();
        String otherTime = Long.toString(Long.parseLong(at) - 1);

        HttpResponse<String> movedToAnotherDelivery = post(body, signature, at, otherDelivery);
        HttpResponse<String> movedToAnotherTime = post(body, signature, otherTime, delivery);
        HttpResponse<String> withoutTimestamp = post(body, signature, null, delivery);

        assertThat(movedToAnotherDelivery.statusCode()).isEqualTo(401);
        assertThat(movedToAnotherDelivery.body()).contains("does not match").contains("X-Stagecoach-Timestamp");
        assertThat(movedToAnotherTime.statusCode()).isEqualTo(401);
        assertThat(withoutTimestamp.statusCode()).isEqualTo(401);
        assertThat(withoutTimestamp.body()).contains("X-Stagecoach-Timestamp must be");
        assertThat(output.getAll()).contains("Refused POST /builds (delivery " + otherDelivery
                + "): signature mismatch");
        // the signature is still good for its own delivery and time
        assertThat(post(body, signature, at, delivery).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> promotionsOf(BuildPolicy.runId(TestBuilds.release("5.1.0", DIGEST_A))).size() == 1);
        assertThat(buildsOfVersions("5.1.0")).hasSize(1);
    }

    @Test
    void aSignatureOlderOrNewerThanTheWindowIsRefusedAndRecorded(CapturedOutput output) throws Exception {
        String body = plain("5.2.0", DIGEST_A);
        long now = Instant.now().getEpochSecond();
        String old = Long.toString(now - 360);
        String ahead = Long.toString(now + 360);
        String oldDelivery = UUID.randomUUID().toString();
        String aheadDelivery = UUID.randomUUID().toString();
        double refusedBefore = requests("expired");

        HttpResponse<String> stale = post(body, sign(body, old, oldDelivery), old, oldDelivery);
        HttpResponse<String> early = post(body, sign(body, ahead, aheadDelivery), ahead, aheadDelivery);

        assertThat(stale.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(stale.body()).path("error").asString()).contains("X-Stagecoach-Timestamp " + old)
                .contains("s old").contains("300 s either side");
        assertThat(early.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(early.body()).path("error").asString()).contains("s ahead");
        assertThat(requests("expired") - refusedBefore).isEqualTo(2);
        assertThat(output.getAll())
                .contains("Refused POST /builds (delivery " + oldDelivery + "): timestamp outside the window")
                .contains("Refused POST /builds (delivery " + aheadDelivery + "): timestamp outside the window");
        // a good build after them shows the stream got nothing from them
        String good = plain("5.2.1", DIGEST_A);
        assertThat(post(good, UUID.randomUUID().toString()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> promotionsOf(BuildPolicy.runId(TestBuilds.release("5.2.1", DIGEST_A))).size() == 1);
        assertThat(buildsOfVersions("5.2.0")).isEmpty();
    }

    @Test
    void aSignatureOfTheBodyAloneIsRefusedWithTheWayToSign() throws Exception {
        String body = plain("5.3.0", DIGEST_A);
        String bodyOnly = "sha256=" + Signatures.hmacHex(SECRET.getBytes(StandardCharsets.UTF_8),
                body.getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> response = postWith(body, Map.of(Signatures.BODY_ONLY_HEADER, bodyOnly,
                BuildWebhookController.DELIVERY_HEADER, UUID.randomUUID().toString()));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).path("error").asString())
                .contains("X-Hub-Signature-256 (a signature of the body alone) is no longer accepted")
                .contains("v1\\n<X-Stagecoach-Timestamp>\\n<X-Stagecoach-Delivery>\\n<raw body>");
    }

    @Test
    void anEndlessBodySentInChunksIsCutAtTheLimitWith413() throws Exception {
        long cap = 64L * 1024 * 1024;
        AtomicLong sent = new AtomicLong();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /builds HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n" + Signatures.HEADER + ": v1=" + "0".repeat(64) + "\r\n"
                    + Signatures.TIMESTAMP_HEADER + ": " + now() + "\r\n"
                    + BuildWebhookController.DELIVERY_HEADER + ": " + UUID.randomUUID() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<Throwable> sender = CompletableFuture.supplyAsync(() -> {
                byte[] chunk = ("10000\r\n" + " ".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                try {
                    while (sent.get() < cap) {
                        out.write(chunk);
                        sent.addAndGet(0x10000);
                    }
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });

            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            long sentWhenAnswered = sent.get();
            Throwable cut = sender.get(60, TimeUnit.SECONDS);

            assertThat(status).isEqualTo("HTTP/1.1 413 ");
            assertThat(sentWhenAnswered).as("bytes sent when the answer came").isLessThan(cap);
            assertThat(cut).as("the service closed the connection instead of reading on").isNotNull();
            System.out.println("[webhook] 413 after " + sentWhenAnswered + " bytes sent; the sender was cut off after "
                    + sent.get() + " bytes (" + cut + ")");
        }
    }

    @Test
    void theSenderExampleOfTheReadmeIsAccepted() throws Exception {
        String readme = Files.readString(Path.of("../../README.md"));
        String section = readme.substring(readme.indexOf("call the signed webhook of the build-completed service"));
        int start = section.indexOf("```sh\n") + "```sh\n".length();
        String example = section.substring(start, section.indexOf("\n```", start));
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", "set -e\n" + example).redirectErrorStream(true);
        builder.environment().put("STAGECOACH_WEBHOOK_SECRET", SECRET);
        builder.environment().put("STAGECOACH_WEBHOOK_URL", "http://127.0.0.1:" + port + "/builds");
        Process process = builder.start();
        process.getOutputStream().close();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(printed).isZero();
        JsonNode answer = JSON.readTree(printed);
        assertThat(answer.path("status").asString()).isEqualTo("accepted");
        String runId = answer.path("runId").asString();
        await().atMost(Duration.ofSeconds(30)).until(() -> promotionsOf(runId).size() == 1);
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

        HttpResponse<String> replayed = post(body, delivery);

        assertThat(replayed.statusCode()).isEqualTo(409);
    }

    @Test
    void acceptingBuildsOpensNoConnection() throws Exception {
        String first = plain("11.0.0", DIGEST_A);
        assertThat(post(first, UUID.randomUUID().toString()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> promotionsOf(BuildPolicy.runId(TestBuilds.release("11.0.0", DIGEST_A))).size() == 1);
        double opened = connectionsOpened();

        List<String> versions = List.of("11.0.1", "11.0.2", "11.0.3", "11.0.4", "11.0.5");
        for (String version : versions) {
            String body = plain(version, DIGEST_A);
            assertThat(post(body, UUID.randomUUID().toString()).statusCode()).isEqualTo(202);
        }
        String conflicting = plain("11.0.0", DIGEST_B);
        assertThat(post(conflicting, UUID.randomUUID().toString()).statusCode()).isEqualTo(409);
        for (String version : versions) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> promotionsOf(BuildPolicy.runId(TestBuilds.release(version, DIGEST_A))).size() == 1);
        }

        assertThat(opened).as("the inboxes' and the ledger's connections, counted").isGreaterThanOrEqualTo(2);
        assertThat(connectionsOpened()).isEqualTo(opened);
    }

    private double requests(String outcome) {
        return meters.find(BuildWebhookController.REQUESTS_METER).tag("outcome", outcome).counters().stream()
                .mapToDouble(counter -> counter.count()).sum();
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

        HttpResponse<String> response = post(body, UUID.randomUUID().toString());

        assertThat(response.statusCode()).isEqualTo(400);
        List<String> problems = JSON.readTree(response.body()).path("problems").valueStream()
                .map(JsonNode::asString).toList();
        assertThat(problems).anySatisfy(problem -> assertThat(problem).startsWith("version:"))
                .anySatisfy(problem -> assertThat(problem).startsWith("digest:"));
    }

    @Test
    void aSignedRequestWithoutDeliveryIdIsInvalid() throws Exception {
        String body = plain("7.1.0", DIGEST_A);

        HttpResponse<String> response = post(body, null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("X-Stagecoach-Delivery");
    }

    @Test
    void aVersionAlreadyBuiltWithAnotherDigestIsAConflict() throws Exception {
        String first = plain("8.0.0", DIGEST_A);
        String other = plain("8.0.0", DIGEST_B);
        assertThat(post(first, UUID.randomUUID().toString()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> promotionsOf(BuildPolicy.runId(TestBuilds.release("8.0.0", DIGEST_A))).size() == 1);

        HttpResponse<String> response = post(other, UUID.randomUUID().toString());

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
            refused = post(body, delivery);
        } finally {
            fixture.bind("dev", BrokerNames.EVENTS_EXCHANGE, removed);
        }

        HttpResponse<String> retried = post(body, delivery);

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
    }

    @Test
    void neverLogsTheSecret(CapturedOutput output) throws Exception {
        String body = plain("10.0.0", DIGEST_A);
        post(body, UUID.randomUUID().toString());
        post(body, "v1=" + "0".repeat(64), now(), UUID.randomUUID().toString());

        assertThat(output.getAll()).contains("POST /builds").doesNotContain(SECRET);
    }

    private static String plain(String version, String digest) {
        return """
                {"service":"knative-lambda-builder","version":"%s","image":"ghcr.io/acme/knative-lambda-builder",\
                "digest":"%s","commit":"%s","author":"jane","buildUrl":"https://ci.example.com/builds/1"}"""
                .formatted(version, digest, COMMIT);
    }

    static String now() {
        return Long.toString(Instant.now().getEpochSecond());
    }

    static String sign(String body, String timestamp, String delivery) {
        return Signatures.sign(SECRET.getBytes(StandardCharsets.UTF_8), timestamp, delivery,
                body.getBytes(StandardCharsets.UTF_8));
    }

    /** Signed now, as a sender following the README does. */
    private HttpResponse<String> post(String body, String delivery) throws Exception {
        String timestamp = now();
        return post(body, sign(body, timestamp, delivery == null ? "" : delivery), timestamp, delivery);
    }

    private HttpResponse<String> post(String body, String signature, String timestamp, String delivery)
            throws Exception {
        Map<String, String> headers = new HashMap<>();
        headers.put(Signatures.HEADER, signature);
        headers.put(Signatures.TIMESTAMP_HEADER, timestamp);
        headers.put(BuildWebhookController.DELIVERY_HEADER, delivery);
        return postWith(body, headers);
    }

    /** {@code headers} with null values are left out. */
    private HttpResponse<String> postWith(String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/builds"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach((name, value) -> {
            if (value != null) {
                request.header(name, value);
            }
        });
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
