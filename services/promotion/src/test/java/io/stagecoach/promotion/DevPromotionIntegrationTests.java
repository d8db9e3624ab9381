package io.stagecoach.promotion;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.events.Verification;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.AuditTrail;
import io.stagecoach.testing.pipeline.GitOpsRepository;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestEvents;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.stagecoach.testing.pipeline.GitOpsRepository.overlay;
import static org.assertj.core.api.Assertions.assertThat;

/** The promotion service in dev, on a real broker, deploying into a real GitOps repository. */
@RealPipeline
@SpringBootTest(classes = PromotionApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class DevPromotionIntegrationTests {

    static TestBroker broker;
    static TestPipeline fixture;

    @TempDir
    static Path temp;

    @Autowired
    MeterRegistry meterRegistry;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void runAsPromotionInDev(DynamicPropertyRegistry registry) {
        TestPipeline.register(registry, () -> broker, "dev", "promotion");
        GitOpsRepository.register(registry, () -> temp.resolve("gitops"));
    }

    /** Publishes {@code request} as the build-completed service does and waits until dev deployed it. */
    private static CloudEvent<DeploymentCompleted> deploy(CloudEvent<PromotionRequested> request) throws Exception {
        fixture.publish("dev", Principal.BUILD_COMPLETED, request);
        return fixture.audit("dev").awaitCausedBy(DeploymentCompleted.class, request);
    }

    private static GitOpsRepository repository() {
        return new GitOpsRepository(temp.resolve("gitops"));
    }

    @Test
    void deploysABuildWithOneCommitInTheOverlayAndAnnouncesItOnceHoweverOftenItArrives() throws Exception {
        Release release = TestEvents.release("svc-once", "1.0.0");
        CloudEvent<PromotionRequested> request = TestEvents.build(release);
        AuditTrail dev = fixture.audit("dev");

        CloudEvent<DeploymentCompleted> completed = deploy(request);

        assertThat(completed.routingKey()).isEqualTo("deployment.completed.dev");
        assertThat(completed.data().release()).isEqualTo(release);
        assertThat(completed.data().target()).isEqualTo("gitops");
        assertThat(completed.correlationid()).isEqualTo(request.correlationid());
        RevCommit commit = repository().commitsMentioning("Stagecoach-Event-Id: " + request.id()).get(0);
        assertThat(completed.data().revision()).isEqualTo(commit.name());
        assertThat(commit.getFullMessage()).contains("Stagecoach-Run-Id: " + request.correlationid());
        assertThat(repository().changedPaths(commit)).containsExactly(overlay("dev"));
        assertThat(repository().file(overlay("dev"))).contains(release.digest());

        // the same request twice more (a redelivery, a duplicate publish), then another one behind them
        fixture.publish("dev", Principal.BUILD_COMPLETED, request);
        fixture.publish("dev", Principal.BUILD_COMPLETED, request);
        CloudEvent<PromotionRequested> next = TestEvents.build(TestEvents.release("svc-once-next", "1.0.0"));
        deploy(next);

        assertThat(dev.causedBy(DeploymentCompleted.class, request)).hasSize(1);
        assertThat(dev.causedBy(DeploymentFailed.class, request)).isEmpty();
        assertThat(dev.causedBy(PromotionBlocked.class, request)).isEmpty();
        assertThat(repository().commitsMentioning(request.id())).hasSize(1);
    }

    @Test
    void decidesOnManyEventsWithoutOpeningAConnection() throws Exception {
        AuditTrail dev = fixture.audit("dev");
        CloudEvent<PromotionRequested> first = TestEvents.build(TestEvents.release("svc-connections", "1.0.0"));
        fixture.publish("dev", Principal.BUILD_COMPLETED, first);
        dev.awaitCausedBy(DeploymentCompleted.class, first);
        double opened = connectionsOpened();

        List<CloudEvent<PromotionRequested>> requests = new java.util.ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            CloudEvent<PromotionRequested> request = TestEvents.build(
                    TestEvents.release(i % 2 == 0 ? "svc-connections" : "svc-connections-other", "1.0." + i));
            requests.add(request);
            fixture.publish("dev", Principal.BUILD_COMPLETED, request);
        }
        for (CloudEvent<PromotionRequested> request : requests) {
            dev.awaitCausedBy(DeploymentCompleted.class, request);
        }

        assertThat(opened).as("the inboxes' and the ledger's connections, counted").isGreaterThanOrEqualTo(2);
        assertThat(connectionsOpened()).isEqualTo(opened);
    }

    private double connectionsOpened() {
        return meterRegistry.find(io.stagecoach.support.StagecoachMessagingAutoConfiguration.CONNECTIONS_OPENED_METER)
                .tag("environment", "dev").meters().stream()
                .mapToDouble(meter -> meter.measure().iterator().next().getValue()).sum();
    }

    @Test
    void blocksAnOlderBuildAfterANewerOneAndLeavesTheNewerInPlace() throws Exception {
        Release newer = TestEvents.release("svc-order", "1.2.0");
        Release older = TestEvents.release("svc-order", "1.2.0-rc.1");
        CloudEvent<PromotionRequested> newerRequest = TestEvents.build(newer);
        CloudEvent<PromotionRequested> olderRequest = TestEvents.build(older);
        AuditTrail dev = fixture.audit("dev");

        deploy(newerRequest);
        fixture.publish("dev", Principal.BUILD_COMPLETED, olderRequest);
        CloudEvent<PromotionBlocked> blocked = dev.awaitCausedBy(PromotionBlocked.class, olderRequest);

        assertThat(blocked.routingKey()).isEqualTo("promotion.blocked.dev");
        assertThat(blocked.data().reason()).isEqualTo(PromotionBlocked.Reason.OLDER_THAN_RUNNING);
        assertThat(blocked.data().runningVersion()).isEqualTo("1.2.0");
        assertThat(dev.causedBy(DeploymentCompleted.class, olderRequest)).isEmpty();
        assertThat(repository().commitsMentioning(olderRequest.id())).isEmpty();
        assertThat(repository().file(overlay("dev"))).contains(newer.digest()).doesNotContain(older.digest());
    }

    @Test
    void handsAReleaseVerifiedInDevToStagingThroughTheShovel() throws Exception {
        Release release = TestEvents.release("svc-handoff", "2.0.0");
        CloudEvent<PromotionRequested> request = TestEvents.build(release);
        AuditTrail dev = fixture.audit("dev");
        CloudEvent<DeploymentCompleted> deployed = deploy(request);

        CloudEvent<SmokeTestPassed> passed = TestEvents.passed(deployed);
        fixture.publish("dev", Principal.SMOKE_TEST, passed);
        CloudEvent<PromotionRequested> handoff = dev.awaitCausedBy(PromotionRequested.class, passed);

        assertThat(handoff.routingKey()).isEqualTo("promotion.requested.staging");
        assertThat(handoff.data().reason()).isEqualTo(PromotionRequested.Reason.VERIFIED);
        assertThat(handoff.data().verifiedIn()).isEqualTo(new Verification("dev", passed.id()));
        assertThat(handoff.correlationid()).isEqualTo(request.correlationid());
        AuditRecord arrived = fixture.audit("staging").awaitRecord(handoff);
        assertThat(arrived.routingKey()).isEqualTo("promotion.requested.staging");
        assertThat(arrived.publisher()).isEqualTo(fixture.user("dev", Principal.PROMOTION));
        assertThat(meterRegistry.get("stagecoach.lead.time").tag("hop", "dev->staging").timer().count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void handsNothingOnForAPassOfAReleaseThatNoLongerRunsAndEndsItsRunAsSuperseded() throws Exception {
        AuditTrail dev = fixture.audit("dev");
        CloudEvent<PromotionRequested> first = TestEvents.build(TestEvents.release("svc-stale", "3.0.0"));
        CloudEvent<PromotionRequested> second = TestEvents.build(TestEvents.release("svc-stale", "3.1.0"));
        CloudEvent<DeploymentCompleted> firstDeployed = deploy(first);
        CloudEvent<DeploymentCompleted> secondDeployed = deploy(second);

        CloudEvent<SmokeTestPassed> stale = TestEvents.passed(firstDeployed);
        CloudEvent<SmokeTestPassed> current = TestEvents.passed(secondDeployed);
        fixture.publish("dev", Principal.SMOKE_TEST, stale);
        fixture.publish("dev", Principal.SMOKE_TEST, current);
        dev.awaitCausedBy(PromotionRequested.class, current);
        CloudEvent<PromotionBlocked> superseded = dev.awaitCausedBy(PromotionBlocked.class, stale);

        assertThat(dev.causedBy(PromotionRequested.class, stale)).isEmpty();
        assertThat(superseded.data().reason()).isEqualTo(PromotionBlocked.Reason.SUPERSEDED);
        assertThat(superseded.data().supersededBy()).isEqualTo("3.1.0");
        assertThat(superseded.data().release().version()).isEqualTo("3.0.0");
        assertThat(superseded.correlationid()).as("in the run of 3.0.0").isEqualTo(first.correlationid());
    }

    @Test
    void servesItsPipelineMetricsToPrometheusWithTheEnvironment() throws Exception {
        CloudEvent<PromotionRequested> request = TestEvents.build(TestEvents.release("svc-metrics", "1.0.0"));
        deploy(request);

        HttpResponse<String> prometheus = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/actuator/prometheus")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body())
                .containsPattern("stagecoach_promotions_total\\{[^}]*environment=\"dev\"[^}]*result=\"deployed\""
                        + "[^}]*service=\"svc-metrics\"")
                .containsPattern("stagecoach_deployments_total\\{[^}]*result=\"completed\"");
    }
}
