package io.stagecoach.promotion;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.events.Trigger;
import io.stagecoach.events.Verification;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.AuditTrail;
import io.stagecoach.testing.pipeline.GitOpsRepository;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestEvents;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.stagecoach.testing.pipeline.GitOpsRepository.overlay;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promotion service in staging, on a real broker: releases arrive from dev through the shovel, and a smoke
 * pass asks prod (a manual gate) for approval.
 */
@RealPipeline
@SpringBootTest(classes = PromotionApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext
class StagingPromotionIntegrationTests {

    static TestBroker broker;
    static TestPipeline fixture;

    @TempDir
    static Path temp;

    @DynamicPropertySource
    static void runAsPromotionInStaging(DynamicPropertyRegistry registry) {
        TestPipeline.register(registry, () -> broker, "staging", "promotion");
        GitOpsRepository.register(registry, () -> temp.resolve("gitops"));
    }

    private static GitOpsRepository repository() {
        return new GitOpsRepository(temp.resolve("gitops"));
    }

    @Test
    void asksProdForApprovalOnceStagingVerifiedAReleaseFromDev() throws Exception {
        Release release = TestEvents.release("svc-staging", "1.4.0");
        CloudEvent<PromotionRequested> request = handoffFromDev(release, "dev");
        AuditTrail staging = fixture.audit("staging");

        // dev's promotion service publishes into dev; the shovel carries it to staging
        fixture.publish("dev", Principal.PROMOTION, request);
        CloudEvent<DeploymentCompleted> deployed = staging.awaitCausedBy(DeploymentCompleted.class, request);

        assertThat(deployed.routingKey()).isEqualTo("deployment.completed.staging");
        GitOpsRepository repository = repository();
        assertThat(repository.changedPaths(repository.commitsMentioning(request.id()).get(0)))
                .containsExactly(overlay("staging"));

        CloudEvent<SmokeTestPassed> passed = TestEvents.passed(deployed);
        fixture.publish("staging", Principal.SMOKE_TEST, passed);
        Instant passedAt = Instant.now();
        CloudEvent<ApprovalRequested> approval = staging.awaitCausedBy(ApprovalRequested.class, passed);

        assertThat(approval.routingKey()).isEqualTo("approval.requested.prod");
        assertThat(approval.data().release()).isEqualTo(release);
        assertThat(approval.data().approvers()).isEqualTo(List.of("sre-team"));
        assertThat(approval.data().minApprovals()).isEqualTo(1);
        assertThat(approval.data().verifiedIn()).isEqualTo(new Verification("staging", passed.id()));
        assertThat(Duration.between(approval.data().requestedAt(), approval.data().expiresAt()))
                .isEqualTo(Duration.ofHours(24));
        assertThat(approval.data().requestedAt()).isBetween(passedAt.minusSeconds(60), passedAt.plusSeconds(60));
        assertThat(staging.causedBy(PromotionRequested.class, passed)).isEmpty();

        AuditRecord inProd = fixture.audit("prod").awaitRecord(approval);
        assertThat(inProd.routingKey()).isEqualTo("approval.requested.prod");
        assertThat(inProd.publisher()).isEqualTo(fixture.user("staging", Principal.PROMOTION));
    }

    @Test
    void blocksAReleaseThatDevDidNotVerify() throws Exception {
        Release release = TestEvents.release("svc-unverified", "1.0.0");
        CloudEvent<PromotionRequested> request = handoffFromDev(release, "staging");
        AuditTrail staging = fixture.audit("staging");

        fixture.publish("dev", Principal.PROMOTION, request);
        CloudEvent<PromotionBlocked> blocked = staging.awaitCausedBy(PromotionBlocked.class, request);

        assertThat(blocked.data().reason()).isEqualTo(PromotionBlocked.Reason.NOT_VERIFIED);
        assertThat(blocked.data().message()).contains("verified in staging, not in dev");
        assertThat(repository().commitsMentioning(request.id())).isEmpty();
    }

    @Test
    void aReleaseDevWithdrewIsBlockedWhenItsPromotionArrivesAfterTheWithdrawal() throws Exception {
        Release release = TestEvents.release("svc-withdrawn", "2.0.0");
        CloudEvent<ReleaseWithdrawn> withdrawal = withdrawalFromDev(release);
        CloudEvent<PromotionRequested> request = handoffFromDev(release, "dev");
        AuditTrail staging = fixture.audit("staging");

        fixture.publish("dev", Principal.ROLLBACK, withdrawal);
        CloudEvent<PromotionBlocked> onArrival = staging.awaitCausedBy(PromotionBlocked.class, withdrawal);
        fixture.publish("dev", Principal.PROMOTION, request);
        CloudEvent<PromotionBlocked> blocked = staging.awaitCausedBy(PromotionBlocked.class, request);

        assertThat(onArrival.data().reason()).isEqualTo(PromotionBlocked.Reason.WITHDRAWN);
        assertThat(onArrival.data().message()).contains("may no longer enter staging", "dev withdrew it");
        assertThat(blocked.data().reason()).isEqualTo(PromotionBlocked.Reason.WITHDRAWN);
        assertThat(blocked.data().message()).contains("rolled back in dev");
        assertThat(staging.causedBy(DeploymentCompleted.class, request)).isEmpty();
        assertThat(repository().commitsMentioning(request.id())).isEmpty();
        assertThat(fixture.audit("staging").awaitRecord(withdrawal).publisher())
                .isEqualTo(fixture.user("dev", Principal.ROLLBACK));
    }

    @Test
    void aWithdrawalPublishedByAnyoneButDevsRollbackServiceWithdrawsNothing() throws Exception {
        Release release = TestEvents.release("svc-forged-withdrawal", "2.0.0");
        // dev's promotion user may publish promotion.requested.staging only: it tries a withdrawal's body there
        CloudEvent<ReleaseWithdrawn> forged = withdrawalFromDev(release);
        String forgedId = EventIds.derive(forged.id(), "forged");
        CloudEvent<ReleaseWithdrawn> asRequest = new CloudEvent<>(forged.specversion(), forgedId, forged.source(),
                forged.type(), forged.subject(), forged.time(), forged.environment(), forged.correlationid(),
                forged.causationid(), forged.data());
        AuditTrail staging = fixture.audit("staging");
        fixture.as("dev", Principal.PROMOTION).publish("promotion.requested.staging", asRequest);
        staging.awaitRecord(asRequest);

        CloudEvent<PromotionRequested> request = handoffFromDev(release, "dev");
        fixture.publish("dev", Principal.PROMOTION, request);

        staging.awaitCausedBy(DeploymentCompleted.class, request);
        assertThat(staging.events(PromotionBlocked.class, d -> d.release().sameBuildAs(release))).isEmpty();
    }

    /** {@code release.withdrawn.staging} as dev's rollback service publishes it after rolling {@code release} back. */
    private static CloudEvent<ReleaseWithdrawn> withdrawalFromDev(Release release) {
        String run = EventIds.derive(release.service(), release.version(), release.digest());
        String alert = EventIds.derive(run, "alert.firing", "dev");
        return CloudEvent.of(new ReleaseWithdrawn(release, "staging", "dev", new Trigger(Trigger.Type.ALERT_FIRING,
                        alert), release.version() + " was rolled back in dev after HighErrorRate"),
                "/stagecoach/dev/rollback", "staging", run, alert,
                EventIds.derive(alert, "release.withdrawn", "staging"));
    }

    /** A promotion into staging as dev's promotion service hands it over, resting on a pass in {@code verifiedIn}. */
    private static CloudEvent<PromotionRequested> handoffFromDev(Release release, String verifiedIn) {
        String run = EventIds.derive(release.service(), release.version(), release.digest());
        String pass = EventIds.derive(run, "smoketest.passed", verifiedIn);
        return CloudEvent.of(PromotionRequested.verified(release, "staging", new Verification(verifiedIn, pass)),
                "/stagecoach/dev/promotion", "staging", run, pass, EventIds.derive(pass, "promotion.requested"));
    }
}
