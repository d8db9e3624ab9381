package io.stagecoach.rollback;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.RollbackFailed;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.events.Trigger;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.promotion.PromotionApplication;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.AuditTrail;
import io.stagecoach.testing.pipeline.GitOpsRepository;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestEvents;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.stagecoach.rollback.AlertmanagerPayloads.alert;
import static io.stagecoach.rollback.AlertmanagerPayloads.payload;
import static io.stagecoach.testing.pipeline.GitOpsRepository.overlay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The rollback service in dev, next to dev's promotion service, on a real broker and one real GitOps repository:
 * releases are deployed and verified through the promotion service, failures roll them back here.
 */
@RealPipeline
@SpringBootTest(classes = RollbackApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RollbackIntegrationTests {

    static TestBroker broker;
    static TestPipeline fixture;
    static ConfigurableApplicationContext promotion;

    @TempDir
    static Path temp;

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @BeforeAll
    static void startPromotion() {
        promotion = new SpringApplicationBuilder(PromotionApplication.class)
                .run(fixture.serviceArguments("dev", "promotion", repository().targetProperties()));
    }

    @AfterAll
    static void stopPromotion() {
        if (promotion != null) {
            promotion.close();
        }
    }

    @DynamicPropertySource
    static void runAsRollbackInDev(DynamicPropertyRegistry registry) {
        TestPipeline.register(registry, () -> broker, "dev", "rollback");
        GitOpsRepository.register(registry, RollbackIntegrationTests::gitops);
    }

    private static Path gitops() {
        return temp.resolve("gitops");
    }

    private static GitOpsRepository repository() {
        return new GitOpsRepository(gitops());
    }

    @Test
    void putsTheLastVerifiedReleaseBackWhenANewOneFailsItsSmokeTestsAndHoldsTheBadOne() throws Exception {
        AuditTrail dev = fixture.audit("dev");
        verify(TestEvents.release("svc-rollback", "1.0.0"));
        Release good = TestEvents.release("svc-rollback", "1.1.0");
        verify(good);
        Release bad = TestEvents.release("svc-rollback", "1.2.0");
        CloudEvent<DeploymentCompleted> deployed = deploy(bad);

        CloudEvent<SmokeTestFailed> failed = TestEvents.failed(deployed);
        fixture.publish("dev", Principal.SMOKE_TEST, failed);
        CloudEvent<RollbackCompleted> rolledBack = dev.awaitCausedBy(RollbackCompleted.class, failed);

        assertThat(rolledBack.routingKey()).isEqualTo("rollback.completed.dev");
        assertThat(rolledBack.data().from()).isEqualTo(bad);
        assertThat(rolledBack.data().to()).isEqualTo(good);
        assertThat(rolledBack.data().trigger()).isEqualTo(new Trigger(Trigger.Type.SMOKETEST_FAILED, failed.id()));
        RevCommit commit = repository().commitsMentioning("Stagecoach-Event-Id: " + failed.id()).get(0);
        assertThat(rolledBack.data().revision()).isEqualTo(commit.name());
        assertThat(repository().changedPaths(commit)).containsExactly(overlay("dev"));
        assertThat(repository().file(overlay("dev"))).contains(good.digest()).doesNotContain(bad.digest());
        assertThat(dev.events(ReleaseWithdrawn.class, d -> d.release().sameBuildAs(bad)))
                .as("never verified here, so never handed on: nothing to withdraw").isEmpty();

        // the failure arrives again; a failure of another service queues up behind it in the same inbox
        fixture.publish("dev", Principal.SMOKE_TEST, failed);
        CloudEvent<SmokeTestFailed> next = TestEvents.failed(deploy(TestEvents.release("svc-rollback-next", "1.0.0")));
        fixture.publish("dev", Principal.SMOKE_TEST, next);
        dev.awaitCausedBy(RollbackFailed.class, next);

        assertThat(dev.causedBy(RollbackCompleted.class, failed)).hasSize(1);
        assertThat(repository().commitsMentioning(failed.id())).hasSize(1);

        // the bad release asks to come back: the promotion service refuses it
        CloudEvent<PromotionRequested> again = TestEvents.build(bad, "again");
        fixture.publish("dev", Principal.BUILD_COMPLETED, again);
        CloudEvent<PromotionBlocked> blocked = dev.awaitCausedBy(PromotionBlocked.class, again);

        assertThat(blocked.data().reason()).isEqualTo(PromotionBlocked.Reason.HELD);
        assertThat(repository().commitsMentioning(again.id())).isEmpty();
        assertThat(repository().file(overlay("dev"))).contains(good.digest()).doesNotContain(bad.digest());
    }

    @Test
    void refusesTheRollbackWhenTheOverlayNoLongerHoldsTheReleaseItsDecisionSaw() throws Exception {
        AuditTrail dev = fixture.audit("dev");
        Release good = TestEvents.release("svc-rollback-raced", "1.1.0");
        verify(good);
        Release bad = TestEvents.release("svc-rollback-raced", "1.2.0");
        CloudEvent<DeploymentCompleted> deployed = deploy(bad);
        // another writer pins 1.3.0 before the ledger has read anything of it: the rollback must not revert it
        Release fresh = TestEvents.release("svc-rollback-raced", "1.3.0");
        pinByHand(bad, fresh);
        String pinned = repository().file(overlay("dev"));

        CloudEvent<SmokeTestFailed> failed = TestEvents.failed(deployed);
        fixture.publish("dev", Principal.SMOKE_TEST, failed);
        CloudEvent<RollbackFailed> refused = dev.awaitCausedBy(RollbackFailed.class, failed);

        assertThat(refused.data().from()).isEqualTo(bad);
        assertThat(refused.data().to()).isEqualTo(good);
        assertThat(refused.data().reason()).contains("putting back 1.1.0 failed", "saw 1.2.0@" + bad.digest(),
                "now holds 1.3.0@" + fresh.digest(), "nothing was changed", "roll back again");
        assertThat(dev.causedBy(RollbackCompleted.class, failed)).isEmpty();
        assertThat(repository().commitsMentioning(failed.id())).isEmpty();
        assertThat(repository().file(overlay("dev"))).isEqualTo(pinned).contains(fresh.digest());
    }

    /** Commits {@code to} over {@code from} in dev's overlay, as a person or another writer would. */
    private static void pinByHand(Release from, Release to) throws Exception {
        Path file = gitops().resolve(overlay("dev"));
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        int entry = lines.indexOf("  - name: " + from.image());
        for (int i = entry + 1; i < lines.size() && !lines.get(i).startsWith("  - "); i++) {
            lines.set(i, lines.get(i).replace("newTag: " + from.version(), "newTag: " + to.version())
                    .replace(from.digest(), to.digest()));
        }
        Files.write(file, lines);
        try (Git git = Git.open(gitops().toFile())) {
            git.add().addFilepattern(overlay("dev")).call();
            git.commit().setMessage("Pin " + to.version() + " by hand").setAuthor("Pat Person", "pat@example.com")
                    .setCommitter("Pat Person", "pat@example.com").setSign(false).call();
        }
        assertThat(new GitOpsRepository(gitops()).file(overlay("dev"))).contains(to.digest());
    }

    @Test
    void failsTheRollbackAndChangesNothingWhenNothingWasVerified() throws Exception {
        AuditTrail dev = fixture.audit("dev");
        Release only = TestEvents.release("svc-nothing-verified", "1.0.0");
        CloudEvent<DeploymentCompleted> deployed = deploy(only);
        String overlayBefore = repository().file(overlay("dev"));

        CloudEvent<SmokeTestFailed> failed = TestEvents.failed(deployed);
        fixture.publish("dev", Principal.SMOKE_TEST, failed);
        CloudEvent<RollbackFailed> rollbackFailed = dev.awaitCausedBy(RollbackFailed.class, failed);

        assertThat(rollbackFailed.routingKey()).isEqualTo("rollback.failed.dev");
        assertThat(rollbackFailed.data().from()).isEqualTo(only);
        assertThat(rollbackFailed.data().to()).isNull();
        assertThat(rollbackFailed.data().reason()).contains("no verified release of svc-nothing-verified");
        assertThat(dev.causedBy(RollbackCompleted.class, failed)).isEmpty();
        assertThat(repository().commitsMentioning(failed.id())).isEmpty();
        assertThat(repository().file(overlay("dev"))).contains(only.digest());
        assertThat(repository().file(overlay("dev"))).isEqualTo(overlayBefore);
    }

    @Test
    void rollsBackOnceForAFiringAlertThatAlertmanagerSendsTwice() throws Exception {
        AuditTrail dev = fixture.audit("dev");
        Release previous = TestEvents.release("svc-alert", "2.0.0");
        verify(previous);
        Release current = TestEvents.release("svc-alert", "2.1.0");
        verify(current);
        Instant startsAt = now();
        String body = payload(alert("firing", "dev", "svc-alert", "a1b2c3d4e5f60718", startsAt),
                alert("resolved", "dev", "svc-alert", "b1b2c3d4e5f60718", startsAt),
                alert("firing", "prod", "svc-alert", "c1b2c3d4e5f60718", startsAt));

        HttpResponse<String> first = post(body);
        HttpResponse<String> second = post(body);
        // an alert for a service with nothing running queues up behind them: once it is handled, so are they
        HttpResponse<String> marker = post(payload(alert("firing", "dev", "svc-alert-marker", "d1b2c3d4e5f60718",
                startsAt)));
        dev.await(RollbackFailed.class, d -> d.service().equals("svc-alert-marker"));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"ignored\":2");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(marker.statusCode()).isEqualTo(200);
        CloudEvent<AlertFiring> alert = dev.await(AlertFiring.class, d -> d.service().equals("svc-alert"));
        assertThat(dev.events(RollbackCompleted.class, d -> d.service().equals("svc-alert")))
                .singleElement().satisfies(rollback -> {
                    assertThat(rollback.data().from()).isEqualTo(current);
                    assertThat(rollback.data().to()).isEqualTo(previous);
                    assertThat(rollback.data().trigger()).isEqualTo(new Trigger(Trigger.Type.ALERT_FIRING,
                            alert.id()));
                });
        assertThat(repository().commitsMentioning(alert.id())).hasSize(1);
        assertThat(repository().file(overlay("dev"))).contains(previous.digest()).doesNotContain(current.digest());
        AuditRecord published = dev.awaitRecord(alert);
        assertThat(published.routingKey()).isEqualTo("alert.firing.dev");
        assertThat(published.publisher()).isEqualTo(fixture.user("dev", Principal.ROLLBACK));

        // 2.1.0 was verified here and handed to staging: staging may no longer take it
        CloudEvent<ReleaseWithdrawn> withdrawal = fixture.audit("staging").awaitCausedBy(ReleaseWithdrawn.class,
                alert);
        assertThat(withdrawal.data().release()).isEqualTo(current);
        assertThat(withdrawal.data().withdrawnIn()).isEqualTo("dev");
        assertThat(withdrawal.data().message()).contains("rolled back to 2.0.0", "alert HighErrorRate",
                "may not enter staging");
        AuditRecord arrived = fixture.audit("staging").awaitRecord(withdrawal);
        assertThat(arrived.routingKey()).isEqualTo("release.withdrawn.staging");
        assertThat(arrived.publisher()).as("kept by the shovel").isEqualTo(fixture.user("dev", Principal.ROLLBACK));
        assertThat(dev.awaitRecord(withdrawal).offset()).as("withdrawn before the rollback is announced")
                .isLessThan(dev.records(RollbackCompleted.class, d -> d.service().equals("svc-alert")).get(0)
                        .offset());
        assertThat(fixture.audit("staging").events(ReleaseWithdrawn.class,
                d -> d.release().sameBuildAs(current))).as("once, though the alert came twice").hasSize(1);
    }

    @Test
    void ignoresAnAlertThatStartedBeforeTheRunningReleaseWasDeployedAndSaysWhy() throws Exception {
        AuditTrail dev = fixture.audit("dev");
        Release previous = TestEvents.release("svc-stale-alert", "3.0.0");
        verify(previous);
        // the alert started while 3.0.0 ran: it is about 3.0.0, whatever it says now that 3.1.0 runs
        Instant whilePreviousRan = now();
        Release current = TestEvents.release("svc-stale-alert", "3.1.0");
        verify(current);
        double staleBefore = staleAlerts();

        HttpResponse<String> answer = post(payload(alert("firing", "dev", "svc-stale-alert", "f1b2c3d4e5f60718",
                whilePreviousRan)));
        // an alert for a service with nothing running queues up behind it: once it is handled, so is the stale one
        post(payload(alert("firing", "dev", "svc-stale-marker", "f2b2c3d4e5f60718", now())));
        dev.await(RollbackFailed.class, d -> d.service().equals("svc-stale-marker"));

        assertThat(answer.statusCode()).isEqualTo(200);
        CloudEvent<AlertFiring> alert = dev.await(AlertFiring.class,
                d -> d.service().equals("svc-stale-alert"));
        assertThat(alert.data().startsAt()).isEqualTo(whilePreviousRan);
        assertThat(dev.events(RollbackCompleted.class, d -> d.service().equals("svc-stale-alert"))).isEmpty();
        assertThat(dev.events(RollbackFailed.class, d -> d.service().equals("svc-stale-alert"))).isEmpty();
        assertThat(repository().commitsMentioning(alert.id())).isEmpty();
        assertThat(repository().file(overlay("dev"))).contains(current.digest());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(staleAlerts()).isEqualTo(staleBefore + 1));

        // the same alert starting again after the deployment is about what runs now: that one rolls back
        Instant afterDeployment = now();
        post(payload(alert("firing", "dev", "svc-stale-alert", "f1b2c3d4e5f60718", afterDeployment)));
        CloudEvent<RollbackCompleted> rolledBack = dev.await(RollbackCompleted.class,
                d -> d.service().equals("svc-stale-alert"));
        assertThat(rolledBack.data().from()).isEqualTo(current);
        assertThat(rolledBack.data().to()).isEqualTo(previous);
    }

    @Test
    void answersAMalformedAlertmanagerPayloadWithA400AndPublishesNothing() throws Exception {
        HttpResponse<String> notJson = post("{\"alerts\": ");
        HttpResponse<String> noService = post(payload(alert("firing", "dev", "svc-alert", "e1b2c3d4e5f60718", now())
                .replace("\"service\": \"svc-alert\",", "")));

        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(noService.statusCode()).isEqualTo(400);
        assertThat(noService.body()).contains("alerts[0].labels.service");
        assertThat(fixture.audit("dev").events(AlertFiring.class, d -> d.fingerprint()
                .equals("e1b2c3d4e5f60718"))).isEmpty();
    }

    /** Deploys {@code release} in dev through the promotion service, as a new build. */
    private static CloudEvent<DeploymentCompleted> deploy(Release release) throws Exception {
        CloudEvent<PromotionRequested> request = TestEvents.build(release);
        fixture.publish("dev", Principal.BUILD_COMPLETED, request);
        return fixture.audit("dev").awaitCausedBy(DeploymentCompleted.class, request);
    }

    /** Deploys {@code release} and lets it pass its smoke tests in dev. */
    private static void verify(Release release) throws Exception {
        CloudEvent<SmokeTestPassed> passed = TestEvents.passed(deploy(release));
        fixture.publish("dev", Principal.SMOKE_TEST, passed);
        fixture.audit("dev").awaitRecord(passed);
    }

    private HttpResponse<String> post(String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/alerts")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private double staleAlerts() {
        var counter = meters.find("stagecoach.alerts").tag("result", "stale").counter();
        return counter == null ? 0 : counter.count();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
