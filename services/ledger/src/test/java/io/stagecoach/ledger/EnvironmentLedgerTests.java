package io.stagecoach.ledger;

import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventData;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.events.Trigger;
import io.stagecoach.events.Verification;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class EnvironmentLedgerTests {

    static final String SERVICE = "knative-lambda-builder";
    final EnvironmentLedger ledger = new EnvironmentLedger("staging");
    long offset;

    static Release release(String version) {
        return new Release(SERVICE, version, "ghcr.io/example/knative-lambda-builder",
                "sha256:" + String.valueOf(version.hashCode() & 0xf).repeat(64).substring(0, 64), "abc1234",
                "carol");
    }

    CloudEvent<?> event(EventData data, String environment) {
        return CloudEvent.of(data, "/test", environment, "run-1", "cause", UUID.randomUUID().toString());
    }

    void apply(EventData data) {
        ledger.apply(event(data, "staging"), "staging-test", offset++);
    }

    @Test
    void tracksWhatRunsAndWhatWasVerified() {
        apply(new DeploymentCompleted(release("1.0.0"), "staging", "gitops", "r1", null, false));
        apply(new SmokeTestPassed(release("1.0.0"), "staging", List.of()));
        apply(new DeploymentCompleted(release("1.1.0"), "staging", "gitops", "r2", "1.0.0", false));

        assertThat(ledger.running(SERVICE)).get().extracting(d -> d.release().version()).isEqualTo("1.1.0");
        assertThat(ledger.isVerified(release("1.0.0"))).isTrue();
        assertThat(ledger.isVerified(release("1.1.0"))).isFalse();
        assertThat(ledger.position()).isEqualTo(2);
    }

    @Test
    void rollbackHoldsTheBadReleaseAndRunsTheTarget() {
        apply(new SmokeTestPassed(release("1.0.0"), "staging", List.of()));
        apply(new SmokeTestPassed(release("1.1.0"), "staging", List.of()));
        apply(new RollbackCompleted("staging", SERVICE, release("1.1.0"), release("1.0.0"),
                new Trigger(Trigger.Type.ALERT_FIRING, "a1"), "r3"));

        assertThat(ledger.isHeld(release("1.1.0"))).isTrue();
        assertThat(ledger.running(SERVICE)).get().extracting(d -> d.release().version()).isEqualTo("1.0.0");
        assertThat(ledger.lastVerified(SERVICE, null)).get()
                .extracting(v -> v.release().version()).isEqualTo("1.0.0");
    }

    @Test
    void lastVerifiedSkipsTheExcludedRelease() {
        apply(new SmokeTestPassed(release("1.0.0"), "staging", List.of()));
        apply(new SmokeTestPassed(release("1.1.0"), "staging", List.of()));

        assertThat(ledger.lastVerified(SERVICE, release("1.1.0"))).get()
                .extracting(v -> v.release().version()).isEqualTo("1.0.0");
        assertThat(ledger.lastVerified("other-service", null)).isEmpty();
    }

    @Test
    void approvalsArePendingUntilDecided() {
        Instant now = Instant.parse("2026-11-26T10:00:00Z");
        ApprovalRequested first = new ApprovalRequested("req-1", release("1.0.0"), "staging", List.of("sre-team"),
                1, now, now.plusSeconds(3600), new Verification("dev", "v1"));
        ApprovalRequested second = new ApprovalRequested("req-2", release("1.1.0"), "staging", List.of("sre-team"),
                1, now, now.plusSeconds(3600), new Verification("dev", "v2"));
        apply(first);
        apply(second);
        assertThat(ledger.pendingApprovals()).extracting(EnvironmentLedger.PendingApproval::requestId)
                .containsExactly("req-1", "req-2");

        apply(new ApprovalExpired("req-1", release("1.0.0"), "staging", ApprovalExpired.Reason.SUPERSEDED, "req-2"));
        apply(new ApprovalGranted("req-2", release("1.1.0"), "staging", List.of("alice"), 60, false, null));

        assertThat(ledger.pendingApprovals()).isEmpty();
        assertThat(ledger.decided("req-1")).get().extracting(EnvironmentLedger.Decided::outcome)
                .isEqualTo(EnvironmentLedger.Decided.Outcome.SUPERSEDED);
        assertThat(ledger.decided("req-2")).get().extracting(EnvironmentLedger.Decided::outcome)
                .isEqualTo(EnvironmentLedger.Decided.Outcome.GRANTED);
    }

    @Test
    void eventsOfAnotherEnvironmentAreSeenButChangeNothing() {
        CloudEvent<?> handoff = event(PromotionRequested.verified(release("1.0.0"), "prod",
                new Verification("staging", "v1")), "prod");
        CloudEvent<?> elsewhere = event(new DeploymentCompleted(release("2.0.0"), "prod", "gitops", "r9", null,
                false), "prod");
        ledger.apply(handoff, "staging-promotion", 0);
        ledger.apply(elsewhere, "prod-promotion", 1);

        assertThat(ledger.seen(handoff.id())).isTrue();
        assertThat(ledger.running(SERVICE)).isEmpty();
    }

    @Test
    void applyingTheSameEventTwiceChangesNothing() {
        CloudEvent<?> passed = event(new SmokeTestPassed(release("1.0.0"), "staging", List.of()), "staging");
        ledger.apply(passed, "staging-smoke-test", 0);
        ledger.apply(passed, "staging-smoke-test", 1);

        assertThat(ledger.verified(SERVICE)).hasSize(1);
        assertThat(ledger.applied()).isEqualTo(1);
    }

    @Test
    void aWithdrawalIsKeptWithItsPublisherForExactlyThatBuild() {
        Release withdrawn = release("1.1.0");
        CloudEvent<?> withdrawal = event(new ReleaseWithdrawn(withdrawn, "staging", "dev",
                new Trigger(Trigger.Type.ALERT_FIRING, "a1"), "1.1.0 was rolled back in dev"), "staging");
        ledger.apply(withdrawal, "dev-rollback", offset++);

        assertThat(ledger.withdrawals(withdrawn)).singleElement().satisfies(w -> {
            assertThat(w.publisher()).isEqualTo("dev-rollback");
            assertThat(w.eventId()).isEqualTo(withdrawal.id());
            assertThat(w.withdrawal().withdrawnIn()).isEqualTo("dev");
        });
        assertThat(ledger.withdrawals(release("1.0.0"))).isEmpty();
        Release sameVersionOtherDigest = new Release(SERVICE, "1.1.0", withdrawn.image(), "sha256:" + "e".repeat(64),
                withdrawn.commit(), withdrawn.author());
        assertThat(ledger.withdrawals(sameVersionOtherDigest)).isEmpty();
    }

    @Test
    void aWithdrawnApprovalRequestEndsAsWithdrawn() {
        Instant now = Instant.parse("2026-11-26T10:00:00Z");
        apply(new ApprovalRequested("req-1", release("1.0.0"), "staging", List.of("sre-team"), 1, now,
                now.plusSeconds(3600), new Verification("dev", "v1")));

        apply(new ApprovalExpired("req-1", release("1.0.0"), "staging", ApprovalExpired.Reason.WITHDRAWN, null,
                "rolled back in dev"));

        assertThat(ledger.pendingApprovals()).isEmpty();
        assertThat(ledger.decided("req-1")).get().extracting(EnvironmentLedger.Decided::outcome)
                .isEqualTo(EnvironmentLedger.Decided.Outcome.WITHDRAWN);
    }

    @Test
    void aSupersededOrWithdrawnReleaseStopsWithoutCountingAsAFailure() {
        apply(new PromotionBlocked(release("1.0.0"), "staging", PromotionBlocked.Reason.OLDER_THAN_RUNNING,
                "1.0.0 is older than 1.1.0", "1.1.0"));
        apply(new PromotionBlocked(release("1.0.1"), "staging", PromotionBlocked.Reason.SUPERSEDED,
                "1.1.0 replaced 1.0.1", "1.1.0", "1.1.0"));

        assertThat(ledger.lastFailure(SERVICE)).get().extracting(f -> f.release().version()).isEqualTo("1.0.0");
        assertThat(ledger.lastStopped(SERVICE)).get().satisfies(stopped -> {
            assertThat(stopped.blocked().release().version()).isEqualTo("1.0.1");
            assertThat(stopped.blocked().supersededBy()).isEqualTo("1.1.0");
        });

        apply(new PromotionBlocked(release("1.1.0"), "staging", PromotionBlocked.Reason.WITHDRAWN,
                "withdrawn by dev", "1.1.0"));

        assertThat(ledger.lastStopped(SERVICE)).get()
                .extracting(stopped -> stopped.blocked().reason()).isEqualTo(PromotionBlocked.Reason.WITHDRAWN);
        assertThat(ledger.lastFailure(SERVICE)).get().extracting(f -> f.release().version()).isEqualTo("1.0.0");
    }
}
