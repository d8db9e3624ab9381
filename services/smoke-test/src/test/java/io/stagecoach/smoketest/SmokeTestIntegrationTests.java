package io.stagecoach.smoketest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.demoworkload.DemoWorkload;
import io.stagecoach.events.Principal;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The smoke-test service in dev on a real broker, checking a demo workload whose version is whatever dev's overlay
 * pins (the test writes it, as the GitOps target would).
 */
@RealPipeline
@SpringBootTest(classes = SmokeTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
                "stagecoach.smoke-test.deadline=2s",
                "stagecoach.smoke-test.initial-backoff=100ms",
                "stagecoach.smoke-test.max-backoff=400ms",
                "spring.rabbitmq.listener.simple.retry.initial-interval=50ms",
                "spring.rabbitmq.listener.simple.retry.multiplier=1",
        })
@DirtiesContext
class SmokeTestIntegrationTests {

    private static final String SERVICE = "knative-lambda-builder";

    static TestBroker broker;
    static TestPipeline fixture;
    static DemoWorkload workload;

    @TempDir
    static Path directory;

    private final EventCodec codec = new EventCodec();

    @Autowired
    RabbitListenerEndpointRegistry listeners;

    @Autowired
    MeterRegistry meterRegistry;

    @Autowired
    io.stagecoach.ledger.EnvironmentLedger ledger;

    @BeforeAll
    static void startTheWorkload() throws Exception {
        pin("0.1.0");
        workload = DemoWorkload.start("--port", "0", "--environment", "dev", "--service", SERVICE, "--overlay",
                overlay().toString());
    }

    @AfterAll
    static void stopTheWorkload() {
        if (workload != null) {
            workload.close();
        }
    }

    @DynamicPropertySource
    static void runAsSmokeTestInDev(DynamicPropertyRegistry registry) {
        TestPipeline.register(registry, () -> broker, "dev", "smoke-test");
        // a list is bound from one property source: the whole check is given here, next to its URL
        String check = "stagecoach.smoke-test.services.knative-lambda-builder.checks[0].";
        registry.add(check + "name", () -> "health");
        registry.add(check + "url", () -> "http://127.0.0.1:" + workload.port() + "/health?service={service}");
        registry.add(check + "expected-status", () -> 200);
        registry.add(check + "json-field", () -> "version");
        registry.add(check + "timeout", () -> "1s");
    }

    @Test
    void inboxIsTheOneTheBrokerNamesGive() {
        assertThat(SmokeTestListener.INBOX)
                .isEqualTo(BrokerNames.inboxQueue("smoke-test", EventType.DEPLOYMENT_COMPLETED));
    }

    @Test
    void aDeploymentThatReportsItsVersionPasses() throws Exception {
        pin("1.4.2");
        CloudEvent<DeploymentCompleted> deployment = deployment(SERVICE, "1.4.2");

        publish(deployment);
        AuditRecord outcome = awaitOutcomeOf(deployment);

        assertThat(outcome.routingKey()).isEqualTo("smoketest.passed.dev");
        assertThat(outcome.publisher()).isEqualTo(fixture.user("dev", Principal.SMOKE_TEST));
        SmokeTestPassed passed = (SmokeTestPassed) outcome.event().data();
        assertThat(passed.release()).isEqualTo(deployment.data().release());
        assertThat(passed.checks()).singleElement().satisfies(check -> {
            assertThat(check.name()).isEqualTo("health");
            assertThat(check.result()).isEqualTo(SmokeCheck.Result.PASSED);
            assertThat(check.url()).endsWith("/health?service=knative-lambda-builder");
        });
        assertThat(outcome.event().correlationid()).isEqualTo(deployment.correlationid());
    }

    @Test
    void aBadVersionFailsNamingTheFailingCheck() throws Exception {
        pin("1.5.0-bad.1");
        CloudEvent<DeploymentCompleted> deployment = deployment(SERVICE, "1.5.0-bad.1");

        publish(deployment);
        AuditRecord outcome = awaitOutcomeOf(deployment);

        assertThat(outcome.routingKey()).isEqualTo("smoketest.failed.dev");
        SmokeTestFailed failed = (SmokeTestFailed) outcome.event().data();
        assertThat(failed.status()).isEqualTo(SmokeTestFailed.Status.FAILED);
        assertThat(failed.summary()).startsWith("1 of 1 checks failed: health: answered 503, expected 200");
        assertThat(failed.checks()).singleElement().satisfies(check -> {
            assertThat(check.name()).isEqualTo("health");
            assertThat(check.result()).isEqualTo(SmokeCheck.Result.FAILED);
            assertThat(check.actualStatus()).isEqualTo(503);
            assertThat(check.detail()).as("retried until the deadline").contains(" attempts in ");
        });
        assertThat(meterRegistry.get("resilience4j.retry.calls").tag("name", SmokeTestRunner.RETRY)
                .tag("kind", "failed_without_retry").functionCounter().count()).isPositive();
        assertThat(meterRegistry.get(SmokeTestHandler.SMOKE_TESTS_METER).tag("result", "failed").counter().count())
                .isPositive();
    }

    @Test
    void aDeploymentDeliveredTwiceIsCheckedOnce() throws Exception {
        pin("1.6.0");
        CloudEvent<DeploymentCompleted> deployment = deployment(SERVICE, "1.6.0");

        publish(deployment);
        awaitOutcomeOf(deployment);
        publish(deployment);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> fixture.messagesIn("dev", SmokeTestListener.INBOX) == 0);

        assertThat(outcomesOf(deployment)).hasSize(1);
    }

    @Test
    void aServiceWithoutChecksIsAnErrorNotAResult() throws Exception {
        CloudEvent<DeploymentCompleted> deployment = deployment("payments", "2.0.0");

        publish(deployment);
        AuditRecord outcome = awaitOutcomeOf(deployment);

        SmokeTestFailed failed = (SmokeTestFailed) outcome.event().data();
        assertThat(failed.status()).isEqualTo(SmokeTestFailed.Status.ERROR);
        assertThat(failed.checks()).isEmpty();
        assertThat(failed.summary()).startsWith("no smoke checks are configured for payments in dev");
    }

    @Test
    void aDeploymentReplacedBeforeItWasCheckedEndsItsRunAsSuperseded() throws Exception {
        CloudEvent<DeploymentCompleted> replaced = deployment("payments-replaced", "3.0.0");
        CloudEvent<DeploymentCompleted> newer = deployment("payments-replaced", "3.1.0");

        // both deployments land before the first is taken from the inbox, as when releases come in quick succession
        listeners.stop();
        try {
            publish(replaced);
            publish(newer);
            // and the service's ledger read both: the first is judged on a state that already holds the second
            await().atMost(Duration.ofSeconds(30)).until(() -> ledger.seen(newer.id()));
        } finally {
            listeners.start();
        }
        awaitOutcomeOf(newer);

        CloudEvent<?> blocked = fixture.audit("dev").caughtUp().records().stream()
                .filter(record -> replaced.id().equals(record.event().causationid())).map(AuditRecord::event)
                .findFirst().orElseThrow();
        assertThat(blocked.routingKey()).isEqualTo("promotion.blocked.dev");
        PromotionBlocked data = (PromotionBlocked) blocked.data();
        assertThat(data.reason()).isEqualTo(PromotionBlocked.Reason.SUPERSEDED);
        assertThat(data.supersededBy()).isEqualTo("3.1.0");
        assertThat(blocked.correlationid()).isEqualTo(replaced.correlationid());
        assertThat(outcomesOf(replaced)).as("its checks would have judged 3.1.0").isEmpty();
    }

    private static Path overlay() {
        return directory.resolve("kustomization.yaml");
    }

    /** What the GitOps target does when it promotes a version into dev. */
    private static void pin(String version) throws Exception {
        Files.writeString(overlay(), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                images:
                  - name: ghcr.io/acme/knative-lambda-builder
                    newTag: %s
                """.formatted(version));
    }

    private static CloudEvent<DeploymentCompleted> deployment(String service, String version) {
        Release release = new Release(service, version, "ghcr.io/acme/" + service, "sha256:" + "c".repeat(64),
                "096a8cbc4bf9cc786c545235c3b4d54204b8c1c3", "jane");
        String unique = UUID.randomUUID().toString();
        return CloudEvent.of(new DeploymentCompleted(release, "dev", "gitops", "3f9c2d7a", null, false),
                "/stagecoach/dev/promotion", "dev", EventIds.derive("run", unique), EventIds.derive("request", unique),
                EventIds.derive("deployment", unique));
    }

    private void publish(CloudEvent<DeploymentCompleted> deployment) throws Exception {
        fixture.as("dev", Principal.PROMOTION).publish(deployment.routingKey(), deployment.id(),
                codec.encode(deployment));
    }

    private AuditRecord awaitOutcomeOf(CloudEvent<DeploymentCompleted> deployment) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !outcomesOf(deployment).isEmpty());
        try {
            return outcomesOf(deployment).get(0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<AuditRecord> outcomesOf(CloudEvent<DeploymentCompleted> deployment) throws Exception {
        return fixture.audit("dev").caughtUp().records().stream()
                .filter(record -> deployment.id().equals(record.event().causationid()))
                .filter(record -> record.event().data() instanceof SmokeTestPassed
                        || record.event().data() instanceof SmokeTestFailed)
                .toList();
    }
}
