package io.stagecoach.buildcompleted;

import static io.stagecoach.buildcompleted.TestBuilds.DIGEST_A;
import static io.stagecoach.buildcompleted.TestBuilds.DIGEST_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.rabbitmq.client.GetResponse;
import io.stagecoach.events.Principal;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventType;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The inbox in dev on a real broker: builds from CI become exactly one promotion request per release. */
@RealPipeline
@SpringBootTest(classes = BuildCompletedApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
                "spring.rabbitmq.listener.simple.retry.initial-interval=50ms",
                "spring.rabbitmq.listener.simple.retry.multiplier=1",
        })
@DirtiesContext
class BuildCompletedIntegrationTests {

    private static final String INBOX = BuildCompletedListener.INBOX;
    private static final String ROUTING_KEY = "build.completed.dev";

    static TestBroker broker;
    static TestPipeline fixture;

    private final EventCodec codec = new EventCodec();

    @DynamicPropertySource
    static void runAsBuildCompletedInDev(DynamicPropertyRegistry registry) {
        TestPipeline.register(registry, () -> broker, "dev", "build-completed");
    }

    @Test
    void inboxIsTheOneTheBrokerNamesGive() {
        assertThat(INBOX).isEqualTo(BrokerNames.inboxQueue("build-completed", EventType.BUILD_COMPLETED));
    }

    @Test
    void aBuildPublishedTwiceByCiYieldsExactlyOnePromotionRequest() throws Exception {
        Release release = TestBuilds.release("1.0.0", DIGEST_A);
        CloudEvent<BuildCompleted> build = TestBuilds.build(release, "dev", "100");
        CloudEvent<BuildCompleted> rebuilt = TestBuilds.build(release, "dev", "101");
        String ci = fixture.user("dev", Principal.CI);

        // amqp-publish cannot set user_id; a client that can sets it: both are CI
        fixture.as("dev", ci).withoutUserId().publish(ROUTING_KEY, build.id(), codec.encode(build));
        fixture.as("dev", ci).withoutUserId().publish(ROUTING_KEY, build.id(), codec.encode(build));
        fixture.as("dev", ci).publish(ROUTING_KEY, rebuilt.id(), codec.encode(rebuilt));

        String runId = BuildPolicy.runId(release);
        await().atMost(Duration.ofSeconds(30)).until(() -> !promotionsOf(runId).isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.messagesIn("dev", INBOX) == 0);

        List<AuditRecord> promotions = promotionsOf(runId);
        assertThat(promotions).hasSize(1);
        AuditRecord promotion = promotions.get(0);
        assertThat(promotion.routingKey()).isEqualTo("promotion.requested.dev");
        assertThat(promotion.publisher()).isEqualTo(fixture.user("dev", Principal.BUILD_COMPLETED));
        assertThat(promotion.event().id()).isEqualTo(BuildPolicy.promotionId(runId, "dev"));
        assertThat(promotion.event().causationid()).isEqualTo(build.id());
        PromotionRequested request = (PromotionRequested) promotion.event().data();
        assertThat(request.reason()).isEqualTo(PromotionRequested.Reason.BUILD);
        assertThat(request.release()).isEqualTo(release);
        assertThat(fixture.drain("dev", BrokerNames.deadLetterQueue(INBOX)))
                .noneMatch(message -> List.of(build.id(), rebuilt.id()).contains(message.getProps().getMessageId()));
    }

    @Test
    void aSameVersionBuiltWithAnotherDigestIsDeadLetteredWithTheReasonAndItsRunEndsVisibly() throws Exception {
        Release first = TestBuilds.release("2.0.0", DIGEST_A);
        Release other = TestBuilds.release("2.0.0", DIGEST_B);
        CloudEvent<BuildCompleted> firstBuild = TestBuilds.build(first, "dev", "200");
        CloudEvent<BuildCompleted> otherBuild = TestBuilds.build(other, "dev", "201");
        String ci = fixture.user("dev", Principal.CI);

        fixture.as("dev", ci).withoutUserId().publish(ROUTING_KEY, firstBuild.id(), codec.encode(firstBuild));
        await().atMost(Duration.ofSeconds(30)).until(() -> !promotionsOf(BuildPolicy.runId(first)).isEmpty());
        fixture.as("dev", ci).withoutUserId().publish(ROUTING_KEY, otherBuild.id(), codec.encode(otherBuild));
        GetResponse deadLetter = fixture.awaitMessage("dev", BrokerNames.deadLetterQueue(INBOX), otherBuild.id());

        assertThat(deadLetter.getProps().getHeaders().get(BrokerNames.REASON_HEADER)).hasToString(
                "version 2.0.0 of knative-lambda-builder was already built as digest " + DIGEST_A);
        assertThat(new String(deadLetter.getBody(), StandardCharsets.UTF_8))
                .isEqualTo(new String(codec.encode(otherBuild), StandardCharsets.UTF_8));
        assertThat(promotionsOf(BuildPolicy.runId(other))).isEmpty();
        // the run of the refused build ends with an event CI can follow (stagecoach build --wait)
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.audit("dev").caughtUp().records().stream()
                .anyMatch(record -> record.event().data() instanceof PromotionBlocked blocked
                        && blocked.reason() == PromotionBlocked.Reason.BUILD_REFUSED
                        && BuildPolicy.runId(other).equals(record.event().correlationid())
                        && record.publisher().equals(fixture.user("dev", Principal.BUILD_COMPLETED))
                        && blocked.message().contains("already built as digest " + DIGEST_A)));
    }

    @Test
    void aCdEventsArtifactPublishedFromCiOverAmqpIsRelayedAsABuildOnceAndOneLackingACommitIsDeadLettered()
            throws Exception {
        String ci = fixture.user("dev", Principal.CI);
        tools.jackson.databind.node.ObjectNode cdevent = (tools.jackson.databind.node.ObjectNode)
                io.stagecoach.testing.cdevents.CdEventSchemas.example("artifact_published");
        ((tools.jackson.databind.node.ObjectNode) cdevent.path("subject")).put("id", "pkg:oci/" + TestBuilds.SERVICE
                + "@" + DIGEST_B.replace(":", "%3A") + "?repository_url=ghcr.io/acme/" + TestBuilds.SERVICE
                + "&tag=3.3.0");
        cdevent.putObject("customData").put("commit", TestBuilds.COMMIT).put("author", "jane");
        cdevent.remove("customDataContentType");
        // a structured CloudEvent carrying it, as CloudEvents' AMQP binding has it
        String structured = "{\"specversion\":\"1.0\",\"id\":\"" + cdevent.path("context").path("id").asString()
                + "\",\"source\":\"https://ci.example.com\",\"type\":\"dev.cdevents.artifact.published.0.3.0\","
                + "\"data\":" + cdevent + "}";
        tools.jackson.databind.node.ObjectNode lacking = cdevent.deepCopy();
        ((tools.jackson.databind.node.ObjectNode) lacking.path("context")).put("id", "no-commit-1");
        ((tools.jackson.databind.node.ObjectNode) lacking.path("customData")).remove("commit");

        fixture.as("dev", ci).withoutUserId().publish(ROUTING_KEY, "cd-1", structured.getBytes(StandardCharsets.UTF_8));
        fixture.as("dev", ci).withoutUserId().publish(ROUTING_KEY, "cd-1", structured.getBytes(StandardCharsets.UTF_8));
        fixture.as("dev", ci).withoutUserId().publish(ROUTING_KEY, "cd-2",
                lacking.toString().getBytes(StandardCharsets.UTF_8));

        String runId = BuildPolicy.runId(TestBuilds.release("3.3.0", DIGEST_B));
        await().atMost(Duration.ofSeconds(30)).until(() -> !promotionsOf(runId).isEmpty());
        GetResponse deadLetter = fixture.awaitMessage("dev", BrokerNames.deadLetterQueue(INBOX), "cd-2");
        assertThat(deadLetter.getProps().getHeaders().get(BrokerNames.REASON_HEADER).toString())
                .contains("customData.commit: required");
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.messagesIn("dev", INBOX) == 0);
        assertThat(promotionsOf(runId)).hasSize(1);
        assertThat(fixture.audit("dev").caughtUp().records().stream()
                .filter(record -> record.event().data() instanceof BuildCompleted built
                        && built.release().version().equals("3.3.0"))
                .map(AuditRecord::publisher).toList()).containsExactly(fixture.user("dev", Principal.BUILD_COMPLETED));
    }

    private List<AuditRecord> promotionsOf(String runId) throws Exception {
        return fixture.audit("dev").caughtUp().records().stream()
                .filter(record -> record.event().data() instanceof PromotionRequested)
                .filter(record -> runId.equals(record.event().correlationid()))
                .toList();
    }
}
