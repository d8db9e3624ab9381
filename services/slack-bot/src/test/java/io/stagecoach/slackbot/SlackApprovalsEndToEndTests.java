package io.stagecoach.slackbot;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.stagecoach.approval.ApprovalApplication;
import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Principal;
import io.stagecoach.events.Release;
import io.stagecoach.events.Verification;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.slack.SlackAction;
import io.stagecoach.platform.slack.SlackSignature;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.AuditTrail;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Slack bot of prod with prod's real approval service, on a real broker, Slack's API stood in for: a request
 * is posted with its buttons, a person's signed click becomes a decision the approval service verifies and grants,
 * and the outcome replaces the message. The bot's own credential cannot decide for anyone.
 */
@RealPipeline
class SlackApprovalsEndToEndTests {

    static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String TOKEN = "xoxb-stagecoach-test";
    static final String CHANNEL = "C0PRODAPPROVALS";
    static final Duration WAIT = Duration.ofSeconds(30);

    static TestBroker broker;
    static TestPipeline pipeline;

    private static final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    private static SlackStandIn slack;
    private static String interactions;
    private static AuditTrail prod;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startTheApprovalServiceAndTheBot() throws Exception {
        slack = SlackStandIn.start(TOKEN);
        Map<String, Object> people = Map.of("[T1/UALICE]", "alice", "[T1/UBOB]", "bob");
        Map<String, Object> approval = new java.util.LinkedHashMap<>();
        approval.put("stagecoach.approval.slack.signing-secret", SECRET);
        people.forEach((person, name) -> approval.put("stagecoach.approval.slack.people" + person, name));
        contexts.add(SpringApplication.run(ApprovalApplication.class,
                pipeline.serviceArguments("prod", "approval", approval)));
        String chatops = pipeline.user("prod", Principal.CHATOPS);
        List<String> bot = new ArrayList<>(List.of("--server.port=0", "--spring.application.name=stagecoach-slack-bot",
                "--stagecoach.slack-bot.environment=prod", "--stagecoach.slack-bot.vhost-prefix=" + pipeline.prefix(),
                "--stagecoach.slack-bot.amqp-addresses=" + broker.host() + ":" + broker.amqpPort(),
                "--stagecoach.slack-bot.password=" + Credentials.passwordFor(chatops),
                "--stagecoach.slack-bot.signing-secret=" + SECRET, "--stagecoach.slack-bot.bot-token=" + TOKEN,
                "--stagecoach.slack-bot.channel=" + CHANNEL, "--stagecoach.slack-bot.api-url=" + slack.apiUrl(),
                // the approval service is on this class path for the test; the bot is no Stagecoach service
                "--spring.autoconfigure.exclude=" + String.join(",", "io.stagecoach.support.StagecoachAutoConfiguration",
                        "io.stagecoach.support.StagecoachMessagingAutoConfiguration",
                        "io.stagecoach.support.StagecoachResilienceAutoConfiguration",
                        "io.stagecoach.support.StagecoachLedgerAutoConfiguration")));
        people.forEach((person, name) -> bot.add("--stagecoach.slack-bot.people" + person + "=" + name));
        ConfigurableApplicationContext botContext = SpringApplication.run(SlackBotApplication.class,
                bot.toArray(String[]::new));
        contexts.add(botContext);
        interactions = "http://127.0.0.1:" + ((WebServerApplicationContext) botContext).getWebServer().getPort()
                + "/slack/interactions";
        prod = pipeline.audit("prod");
    }

    @AfterAll
    static void stop() {
        contexts.forEach(ConfigurableApplicationContext::close);
        if (slack != null) {
            slack.close();
        }
    }

    @Test
    void aRequestIsPostedWithItsButtonsAndAPersonsSignedClickGrantsItAndReplacesTheMessage() throws Exception {
        CloudEvent<ApprovalRequested> request = requestIntoProd(release("slack-grant-svc"));
        SlackStandIn.Call posted = awaitPosted(request);
        JsonNode approve = button(posted.body(), SlackAction.APPROVE);
        assertThat(approve.path("value").asString()).startsWith(request.data().requestId() + " slack-grant-svc 1.4.2 ");
        assertThat(posted.body().path("text").asString()).isEqualTo("slack-grant-svc 1.4.2 waits for approval into prod");
        assertThat(posted.body().path("channel").asString()).isEqualTo(CHANNEL);
        assertThat(slack.calls("/api/chat.postMessage").get(0).authorization()).isEqualTo("Bearer " + TOKEN);

        String body = click("T1", "UALICE", SlackAction.APPROVE, approve.path("value").asString(), "t-grant-1");
        long started = System.nanoTime();
        HttpResponse<String> answer = post(body, Instant.now(), SECRET);
        Duration answered = Duration.ofNanos(System.nanoTime() - started);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answered).as("Slack waits 3 s").isLessThan(Duration.ofSeconds(3));
        System.out.println("[slack] the click was answered " + answered.toMillis() + " ms after it was sent, its "
                + "decision confirmed by the broker");
        ApprovalGranted granted = prod.awaitData(ApprovalGranted.class,
                g -> g.requestId().equals(request.data().requestId()));
        System.out.println("[slack] approval.granted was in prod's audit stream "
                + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms after the click");
        assertThat(granted.approvers()).containsExactly("alice");
        AuditRecord decided = prod.awaitRecord(ApprovalDecided.class,
                d -> d.requestId().equals(request.data().requestId()));
        assertThat(decided.publisher()).isEqualTo(pipeline.user("prod", Principal.CHATOPS));
        assertThat(((ApprovalDecided) decided.event().data()).signed().body()).isEqualTo(body);
        await().atMost(WAIT).until(() -> slack.calls("/api/chat.update").stream()
                .anyMatch(call -> call.body().toString().contains("approved into prod by alice")
                        && call.body().path("ts").asString().equals(posted.ts())
                        && !call.body().toString().contains(SlackAction.APPROVE)));
        await().atMost(WAIT).until(() -> slack.calls("/response/t-grant-1").stream()
                .anyMatch(call -> call.body().path("text").asString().startsWith("Recorded your approval of "
                        + "slack-grant-svc 1.4.2")));
        // Slack sending the same click again records nothing more
        assertThat(post(body, Instant.now(), SECRET).statusCode()).isEqualTo(200);
        assertThat(prod.caughtUp().records(ApprovalDecided.class,
                d -> d.requestId().equals(request.data().requestId()))).hasSize(1);
    }

    @Test
    void theBotsCredentialAloneDecidesNothingAndAnUnsignedClickIsNotRelayed() throws Exception {
        CloudEvent<ApprovalRequested> request = requestIntoProd(release("slack-forged-svc"));
        SlackStandIn.Call posted = awaitPosted(request);
        String value = button(posted.body(), SlackAction.APPROVE).path("value").asString();
        int decisionsBefore = prod.caughtUp().records(ApprovalDecided.class, d -> true).size();

        // a click signed with another secret, and one signed seven minutes ago, never reach the broker
        assertThat(post(click("T1", "UALICE", SlackAction.APPROVE, value, "t-forged-1"), Instant.now(),
                "not-the-apps-secret").statusCode()).isEqualTo(401);
        assertThat(post(click("T1", "UALICE", SlackAction.APPROVE, value, "t-forged-2"),
                Instant.now().minus(Duration.ofMinutes(7)), SECRET).statusCode()).isEqualTo(401);
        assertThat(prod.caughtUp().records(ApprovalDecided.class, d -> true)).hasSize(decisionsBefore);

        // the bot's credential, naming alice without her click: refused, and shown under the request's message
        ApprovalDecided named = new ApprovalDecided(request.data().requestId(), "slack-forged-svc", "1.4.2",
                request.data().release().digest(), "prod", ApprovalDecided.Decision.APPROVE, "alice", null, false);
        CloudEvent<ApprovalDecided> forged = CloudEvent.of(named, "/chatops", "prod", request.correlationid(),
                request.id(), UUID.randomUUID().toString());
        pipeline.publish("prod", Principal.CHATOPS, forged);
        CloudEvent<ApprovalRefused> refused = prod.awaitCausedBy(ApprovalRefused.class, forged);
        assertThat(refused.data().reason()).isEqualTo(ApprovalRefused.Reason.UNVERIFIED);
        await().atMost(WAIT).until(() -> slack.calls("/api/chat.postMessage").stream()
                .anyMatch(call -> call.body().path("thread_ts").asString().equals(posted.ts())
                        && call.body().path("text").asString().contains("UNVERIFIED")));
        assertThat(prod.caughtUp().events(ApprovalGranted.class,
                g -> g.requestId().equals(request.data().requestId()))).isEmpty();

        // a person Stagecoach does not know is told so, and nothing is recorded
        assertThat(post(click("T1", "UMALLORY", SlackAction.APPROVE, value, "t-mallory"), Instant.now(), SECRET)
                .statusCode()).isEqualTo(200);
        await().atMost(WAIT).until(() -> slack.calls("/response/t-mallory").stream()
                .anyMatch(call -> call.body().path("text").asString().startsWith("You are not an approver")));
        assertThat(prod.caughtUp().records(ApprovalDecided.class, d -> true)).hasSize(decisionsBefore + 1);
    }

    private static Release release(String service) {
        String hex = HexFormat.of().formatHex(service.getBytes(StandardCharsets.UTF_8));
        String digest = "sha256:" + (hex + "0".repeat(64)).substring(0, 64);
        return new Release(service, "1.4.2", "ghcr.io/acme/" + service, digest, (hex + "0".repeat(40)).substring(0, 40),
                "jane");
    }

    /** As staging's promotion service sends it: published into staging, it reaches prod through the hand-off. */
    private static CloudEvent<ApprovalRequested> requestIntoProd(Release release) throws Exception {
        String smokeEvent = UUID.randomUUID().toString();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ApprovalRequested requested = new ApprovalRequested(EventIds.derive(smokeEvent, "approval"), release, "prod",
                List.of("sre-team"), 1, now, now.plus(Duration.ofHours(1)), new Verification("staging", smokeEvent));
        CloudEvent<ApprovalRequested> request = CloudEvent.of(requested, "/stagecoach/staging/promotion", "prod",
                UUID.randomUUID().toString(), smokeEvent, EventIds.derive(smokeEvent, "approval.requested"));
        pipeline.publish("staging", Principal.PROMOTION, request);
        return request;
    }

    /** The message the bot posted for {@code request}: the call, with the ts Slack answered. */
    private static SlackStandIn.Call awaitPosted(CloudEvent<ApprovalRequested> request) {
        return await().atMost(WAIT).until(() -> slack.calls("/api/chat.postMessage").stream()
                .filter(call -> call.body().toString().contains(request.data().requestId())
                        && call.body().has("blocks") && !call.body().has("thread_ts"))
                .findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    private static JsonNode button(JsonNode message, String actionId) {
        for (JsonNode block : message.path("blocks")) {
            for (JsonNode element : block.path("elements")) {
                if (element.path("action_id").asString().equals(actionId)) {
                    return element;
                }
            }
        }
        throw new AssertionError("no " + actionId + " button in " + message);
    }

    /** The form body Slack posts for a click on a button, shaped as Slack's block_actions payload. */
    private static String click(String team, String user, String actionId, String value, String trigger) {
        String payload = """
                {"type":"block_actions","user":{"id":"%s","username":"%s","team_id":"%s"},"api_app_id":"A0STAGE",\
                "container":{"type":"message","message_ts":"1700000000.000001","channel_id":"%s"},\
                "trigger_id":"%s","team":{"id":"%s","domain":"acme"},"channel":{"id":"%s","name":"prod-approvals"},\
                "response_url":"%s","actions":[{"action_id":"%s","block_id":"decide","value":"%s","type":"button",\
                "action_ts":"1700000001.000002"}]}""".formatted(user, user.toLowerCase(), team, CHANNEL, trigger, team,
                CHANNEL, slack.responseUrl(trigger), actionId, value);
        return "payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> post(String body, Instant signedAt, String secret) throws Exception {
        String timestamp = String.valueOf(signedAt.getEpochSecond());
        return HTTP.send(HttpRequest.newBuilder(URI.create(interactions)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", timestamp)
                .header("X-Slack-Signature", SlackSignature.sign(secret, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
