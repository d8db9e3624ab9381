package io.stagecoach.ledger;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DriftCleared;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.events.DriftDetected;
import io.stagecoach.events.EventData;
import io.stagecoach.events.HoldReleased;
import io.stagecoach.events.LedgerCheckpointed;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.events.Trigger;
import io.stagecoach.events.Verification;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.platform.topology.PublishingRights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvironmentLedgerTests {

    static final String SERVICE = "knative-lambda-builder";
    static final Provenance PROVENANCE = Provenance.of(Environments.loadDefault());
    EnvironmentLedger ledger = new EnvironmentLedger("staging", PROVENANCE);
    long offset;

    static Release release(String version) {
        return new Release(SERVICE, version, "ghcr.io/example/knative-lambda-builder",
                "sha256:" + String.valueOf(version.hashCode() & 0xf).repeat(64).substring(0, 64), "abc1234",
                "carol");
    }

    CloudEvent<?> event(EventData data, String environment) {
        return CloudEvent.of(data, "/test", environment, "run-1", "cause", UUID.randomUUID().toString());
    }

    /** Applies {@code data} as its producer in the ledger's environment publishes it. */
    void apply(EventData data) {
        apply(event(data, ledger.environment()));
    }

    Optional<Provenance.Refusal> apply(CloudEvent<?> event) {
        String producer = PROVENANCE.publishersOf(event.eventType(), event.environment()).iterator().next();
        return apply(event, producer);
    }

    Optional<Provenance.Refusal> apply(CloudEvent<?> event, String publisher) {
        return ledger.apply(new AuditRecord(event, event.eventType().routingKey(event.environment()), publisher,
                offset++));
    }

    /** {@code snapshot} written to a sealed file and read back, as a restarted service reads it. */
    static LedgerSnapshot throughAFile(LedgerSnapshot snapshot) {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempDirectory("ledger").resolve("staging.ledger");
            LedgerSnapshotFile snapshots = new LedgerSnapshotFile(file,
                    SnapshotSeal.derive("a secret of the tests", "staging", "staging-promotion"));
            snapshots.write(snapshot);
            return snapshots.read().orElseThrow();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
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
    void theOperatorsLiftEndsAHoldAndIsKeptWithWhoAndWhy() {
        apply(new SmokeTestPassed(release("1.0.0"), "staging", List.of()));
        apply(new RollbackCompleted("staging", SERVICE, release("1.1.0"), release("1.0.0"),
                new Trigger(Trigger.Type.SMOKETEST_FAILED, "f1"), "r3"));
        assertThat(ledger.held(SERVICE)).containsExactly(release("1.1.0"));

        CloudEvent<?> lift = event(new HoldReleased(release("1.1.0"), "staging", "sam", "the test database was down"),
                "staging");
        assertThat(apply(lift, "staging-chatops")).as("the chat bot's lift").isPresent();
        assertThat(apply(lift, "dev-operator")).as("another environment's operator's lift").isPresent();
        assertThat(ledger.isHeld(release("1.1.0"))).isTrue();

        assertThat(apply(lift, "staging-operator")).isEmpty();
        assertThat(ledger.isHeld(release("1.1.0"))).isFalse();
        assertThat(ledger.held(SERVICE)).isEmpty();
        assertThat(ledger.lastLift(release("1.1.0"))).get().satisfies(l -> {
            assertThat(l.publisher()).isEqualTo("staging-operator");
            assertThat(l.released().releasedBy()).isEqualTo("sam");
            assertThat(l.eventId()).isEqualTo(lift.id());
        });
        assertThat(ledger.checkpoint(SERVICE).held()).isEmpty();

        // failing again holds it again
        apply(new RollbackCompleted("staging", SERVICE, release("1.1.0"), release("1.0.0"),
                new Trigger(Trigger.Type.SMOKETEST_FAILED, "f2"), "r4"));
        assertThat(ledger.isHeld(release("1.1.0"))).isTrue();
    }

    @Test
    void aRequestParkedByTheFreezeWaitsUntilAnOutcomeOfItsAndOnlyThePromotionServiceParksOne() {
        String requestId = UUID.randomUUID().toString();
        var request = PromotionRequested.verified(release("1.1.0"), "staging",
                new io.stagecoach.events.Verification("dev", UUID.randomUUID().toString()));
        CloudEvent<?> frozen = event(new PromotionFrozen(release("1.1.0"), "staging",
                java.time.Instant.parse("2026-12-07T07:00:00Z"), List.of("weekly Fri 16:00 - Mon 08:00 (UTC)"),
                "staging is frozen", new PromotionFrozen.Parked(requestId, "/stagecoach/dev/promotion",
                java.time.Instant.parse("2026-12-04T17:00:00Z"), "run-1", "cause", "dev-promotion", request)),
                "staging");

        assertThat(apply(frozen, "staging-operator")).as("an operator's parking").isPresent();
        assertThat(apply(frozen, "dev-promotion")).as("the previous environment's promotion's").isPresent();
        assertThat(ledger.parked()).isEmpty();

        assertThat(apply(frozen, "staging-promotion")).isEmpty();
        assertThat(ledger.parked()).singleElement().satisfies(p -> {
            assertThat(p.requestId()).isEqualTo(requestId);
            assertThat(p.frozen().parked().publisher()).isEqualTo("dev-promotion");
            assertThat(p.frozen().parked().event().data()).isEqualTo(request);
        });
        apply(new io.stagecoach.events.SmokeTestPassed(release("1.0.9"), "staging", List.of()));
        apply(new io.stagecoach.events.AlertFiring("staging", SERVICE, "HighErrorRate", "f1",
                java.time.Instant.parse("2026-12-04T17:05:00Z"), "critical", "5xx", null));
        EnvironmentLedger restored = new EnvironmentLedger("staging", PROVENANCE);
        restored.restore(throughAFile(ledger.snapshot()));
        assertThat(restored.parked()).isEqualTo(ledger.parked());
        assertThat(restored.lastPass(SERVICE)).isPresent().isEqualTo(ledger.lastPass(SERVICE));
        assertThat(restored.lastAlert(SERVICE)).isPresent().isEqualTo(ledger.lastAlert(SERVICE));

        // another request's outcome leaves it parked; its own ends the wait
        apply(CloudEvent.of(new DeploymentCompleted(release("1.0.9"), "staging", "gitops", "r1", null, false), "/test",
                "staging", "run-0", UUID.randomUUID().toString(), UUID.randomUUID().toString()));
        assertThat(ledger.parked()).hasSize(1);
        apply(CloudEvent.of(new DeploymentCompleted(release("1.1.0"), "staging", "gitops", "r2", "1.0.9", false),
                "/test", "staging", "run-1", requestId, UUID.randomUUID().toString()));
        assertThat(ledger.parked()).isEmpty();
    }

    @Test
    void onlyTheOperatorStopsTheLineAndOnlyARestartOfThatStopEndsIt() {
        java.time.Instant until = java.time.Instant.parse("2026-12-04T19:30:00Z");
        CloudEvent<?> stop = event(new io.stagecoach.events.LineStopped("staging", "sam", "INC-512", until), "staging");
        assertThat(apply(stop, "staging-chatops")).as("the chat bot's stop").isPresent();
        assertThat(apply(stop, "dev-operator")).as("another environment's operator's").isPresent();
        assertThat(ledger.lineStop()).isEmpty();

        assertThat(apply(stop, "staging-operator")).isEmpty();
        assertThat(ledger.lineStop()).get().satisfies(s -> {
            assertThat(s.eventId()).isEqualTo(stop.id());
            assertThat(s.holdsAt(until.minusSeconds(1))).isTrue();
            assertThat(s.holdsAt(until)).isFalse();
        });
        assertThat(ledger.services()).as("a stop is about the environment, not a service").isEmpty();
        EnvironmentLedger restored = new EnvironmentLedger("staging", PROVENANCE);
        restored.restore(throughAFile(ledger.snapshot()));
        assertThat(restored.lineStop()).isEqualTo(ledger.lineStop());

        apply(event(new io.stagecoach.events.LineRestarted("staging", "sam", "wrong one", UUID.randomUUID().toString()),
                "staging"));
        assertThat(ledger.lineStop()).isPresent();
        apply(event(new io.stagecoach.events.LineRestarted("staging", "sam", "INC-512 resolved", stop.id()),
                "staging"));
        assertThat(ledger.lineStop()).isEmpty();
    }

    @Test
    void aDriftIsOpenFromItsDetectionUntilItsOwnClearingAndOnlyThePromotionServiceOpensOne() {
        DriftDetected.Side recorded = new DriftDetected.Side("1.0.0", release("1.0.0").digest(), "ledger");
        CloudEvent<?> detected = event(new DriftDetected(SERVICE, "staging", recorded,
                new DriftDetected.Side("1.0.1-hand", null, "GitOps overlay"), null,
                List.of("the GitOps overlay declares 1.0.1-hand")), "staging");
        assertThat(apply(detected, "staging-operator")).as("an operator's drift").isPresent();
        assertThat(ledger.drift(SERVICE)).isEmpty();

        assertThat(apply(detected, "staging-promotion")).isEmpty();
        assertThat(ledger.drift(SERVICE)).get().satisfies(d -> {
            assertThat(d.eventId()).isEqualTo(detected.id());
            assertThat(d.detected().desired().version()).isEqualTo("1.0.1-hand");
        });
        assertThat(ledger.drifts()).containsOnlyKeys(SERVICE);

        // a clearing of another detection leaves this one open
        apply(new DriftCleared(SERVICE, "staging", recorded, UUID.randomUUID().toString()));
        assertThat(ledger.drift(SERVICE)).isPresent();
        apply(new DriftCleared(SERVICE, "staging", recorded, detected.id()));
        assertThat(ledger.drift(SERVICE)).isEmpty();
        assertThat(ledger.drifts()).isEmpty();
    }

    @Test
    void aCheckpointTakenBeforeALiftDoesNotBringTheHoldBack() {
        apply(new RollbackCompleted("staging", SERVICE, release("1.1.0"), release("1.0.0"),
                new Trigger(Trigger.Type.SMOKETEST_FAILED, "f1"), "r3"));
        CloudEvent<?> before = event(ledger.checkpoint(SERVICE), "staging");
        apply(new HoldReleased(release("1.1.0"), "staging", "sam", "retry"));
        apply(before);

        assertThat(ledger.isHeld(release("1.1.0"))).isFalse();

        // a ledger that reads the same records from a snapshot taken after the lift agrees
        EnvironmentLedger restored = new EnvironmentLedger("staging", PROVENANCE);
        restored.restore(ledger.snapshot());
        restored.apply(new AuditRecord(before, "ledger.checkpointed.staging", "staging-promotion", offset++));
        assertThat(restored.isHeld(release("1.1.0"))).isFalse();
        assertThat(restored.lastLift(release("1.1.0"))).isPresent();
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
        ledger = new EnvironmentLedger("prod", PROVENANCE);
        Instant now = Instant.parse("2026-11-26T10:00:00Z");
        ApprovalRequested first = new ApprovalRequested("req-1", release("1.0.0"), "prod", List.of("sre-team"),
                1, now, now.plusSeconds(3600), new Verification("staging", "v1"));
        ApprovalRequested second = new ApprovalRequested("req-2", release("1.1.0"), "prod", List.of("sre-team"),
                1, now, now.plusSeconds(3600), new Verification("staging", "v2"));
        apply(first);
        apply(second);
        assertThat(ledger.pendingApprovals()).extracting(EnvironmentLedger.PendingApproval::requestId)
                .containsExactly("req-1", "req-2");

        apply(new ApprovalExpired("req-1", release("1.0.0"), "prod", ApprovalExpired.Reason.SUPERSEDED, "req-2"));
        apply(new ApprovalGranted("req-2", release("1.1.0"), "prod", List.of("alice"), 60, false, null));

        assertThat(ledger.pendingApprovals()).isEmpty();
        assertThat(ledger.decided("req-1")).get().extracting(EnvironmentLedger.Decided::outcome)
                .isEqualTo(EnvironmentLedger.Decided.Outcome.SUPERSEDED);
        assertThat(ledger.decided("req-2")).get().extracting(EnvironmentLedger.Decided::outcome)
                .isEqualTo(EnvironmentLedger.Decided.Outcome.GRANTED);
    }

    static ApprovalRequested request(String requestId, String version, Instant requestedAt) {
        return new ApprovalRequested(requestId, release(version), "prod", List.of("sre-team"), 1, requestedAt,
                requestedAt.plusSeconds(3600), new Verification("staging", "v-" + version));
    }

    @Test
    void anOpeningRecordsTheEnvironmentsOwnReceiptAndTheFirstOneCounts() {
        ledger = new EnvironmentLedger("prod", PROVENANCE);
        Instant openedAt = Instant.parse("2026-11-26T10:00:00Z");
        apply(request("req-1", "1.0.0", Instant.parse("2030-01-01T00:00:00Z")));
        CloudEvent<?> opening = event(new ApprovalOpened("req-1", release("1.0.0"), "prod",
                openedAt.plusSeconds(600)), "prod").withTime(openedAt);
        apply(opening, "prod-approval");
        apply(new ApprovalOpened("req-1", release("1.0.0"), "prod", openedAt.plusSeconds(999_999)));
        // an opening from anyone else does not count, however early
        assertThat(apply(event(new ApprovalOpened("req-2", release("1.0.0"), "prod", openedAt.plusSeconds(1)),
                "prod"), "staging-promotion")).isPresent();

        assertThat(ledger.opened("req-1")).get().satisfies(opened -> {
            assertThat(opened.eventId()).isEqualTo(opening.id());
            assertThat(opened.at()).isEqualTo(openedAt);
            assertThat(opened.expiresAt()).isEqualTo(openedAt.plusSeconds(600));
            assertThat(opened.expiredAt(openedAt.plusSeconds(599))).isFalse();
            assertThat(opened.expiredAt(openedAt.plusSeconds(600))).isTrue();
        });
        assertThat(ledger.opened("req-2")).isEmpty();
    }

    @Test
    void pendingRequestsOfAServiceAreNewestFirstByOpeningNeverByTheTimesTheyCarry() {
        ledger = new EnvironmentLedger("prod", PROVENANCE);
        // each request claims to be older than the one before it; the order of opening is what counts
        apply(request("req-1", "1.0.0", Instant.parse("2030-01-01T00:00:00Z")));
        apply(request("req-2", "1.1.0", Instant.parse("2026-01-01T00:00:00Z")));
        apply(request("req-3", "1.2.0", Instant.parse("2001-01-01T00:00:00Z")));
        Instant now = Instant.parse("2026-11-26T10:00:00Z");
        apply(new ApprovalOpened("req-2", release("1.1.0"), "prod", now.plusSeconds(60)));
        apply(new ApprovalOpened("req-1", release("1.0.0"), "prod", now.plusSeconds(60)));

        assertThat(ledger.pendingFor(SERVICE)).extracting(EnvironmentLedger.PendingApproval::requestId)
                .as("req-3 is not opened yet: it arrived last").containsExactly("req-3", "req-1", "req-2");
    }

    @Test
    void handOffsToTheNextEnvironmentAreSeenButChangeNothingAndOthersDoNotCount() {
        CloudEvent<?> handoff = event(new ApprovalRequested("req-9", release("1.0.0"), "prod", List.of("sre-team"), 1,
                Instant.now(), Instant.now().plusSeconds(60), new Verification("staging", "v1")), "prod");
        CloudEvent<?> elsewhere = event(new DeploymentCompleted(release("2.0.0"), "prod", "gitops", "r9", null,
                false), "prod");

        assertThat(apply(handoff, "staging-promotion")).isEmpty();
        assertThat(apply(elsewhere, "prod-promotion")).get().extracting(Provenance.Refusal::reason)
                .isEqualTo("unexpected-publisher");

        assertThat(ledger.seen(handoff.id())).isTrue();
        assertThat(ledger.seen(elsewhere.id())).isFalse();
        assertThat(ledger.running(SERVICE)).isEmpty();
        assertThat(ledger.pendingApprovals()).isEmpty();
    }

    @Test
    void applyingTheSameEventTwiceChangesNothing() {
        CloudEvent<?> passed = event(new SmokeTestPassed(release("1.0.0"), "staging", List.of()), "staging");
        apply(passed);
        apply(passed);

        assertThat(ledger.verified(SERVICE)).hasSize(1);
        assertThat(ledger.applied()).isEqualTo(1);
    }

    /**
     * Every body under every key of every user of prod that is not the body's own key from its own producer: the
     * chat bot's granted approval under its decision key (the review's finding), the operator's verification under
     * its rollback key, staging's promotion service's anything under the approval-request key it hands into prod.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void aBodyUnderAKeyThatIsNotItsOwnChangesNothing(String name, CloudEvent<?> event, String routingKey,
            String publisher) {
        ledger = new EnvironmentLedger("prod", PROVENANCE);
        Instant now = Instant.now();
        apply(event(new ApprovalRequested("req-1", release("1.0.0"), "prod", List.of("sre-team"), 1, now,
                now.plusSeconds(3600), new Verification("staging", "v1")), "prod"));
        apply(event(new DeploymentCompleted(release("0.9.0"), "prod", "gitops", "r0", null, false), "prod"));
        long applied = ledger.applied();

        Optional<Provenance.Refusal> refusal = ledger.apply(new AuditRecord(event, routingKey, publisher, offset++));

        assertThat(refusal).isPresent();
        assertThat(ledger.applied()).isEqualTo(applied);
        assertThat(ledger.seen(event.id())).isFalse();
        assertThat(ledger.pendingApprovals()).extracting(EnvironmentLedger.PendingApproval::requestId)
                .containsExactly("req-1");
        assertThat(ledger.decided("req-1")).isEmpty();
        assertThat(ledger.votes("req-1")).isEmpty();
        assertThat(ledger.running(SERVICE)).get().extracting(d -> d.release().version()).isEqualTo("0.9.0");
        assertThat(ledger.verified(SERVICE)).isEmpty();
        assertThat(ledger.isHeld(release("0.9.0"))).isFalse();
    }

    static Stream<Arguments> forgeries() {
        Environments environments = Environments.loadDefault();
        PublishingRights rights = PublishingRights.of(environments);
        Instant now = Instant.now();
        Release release = release("1.0.0");
        List<EventData> bodies = List.of(
                new ApprovalGranted("req-1", release, "prod", List.of("bob"), 60, false, null),
                new ApprovalExpired("req-1", release, "prod", ApprovalExpired.Reason.EXPIRED, null),
                new ApprovalRejected("req-1", release, "prod", "bob", "no"),
                new ApprovalDecided("req-1", SERVICE, "1.0.0", release.digest(), "prod",
                        ApprovalDecided.Decision.APPROVE, "bob", null, false),
                new ApprovalRequested("req-2", release("1.0.1"), "prod", List.of("sre-team"), 1, now,
                        now.plusSeconds(3600), new Verification("staging", "v2")),
                new SmokeTestPassed(release, "prod", List.of()),
                new DeploymentCompleted(release, "prod", "gitops", "r1", "0.9.0", false),
                new RollbackCompleted("prod", SERVICE, release("0.9.0"), release, new Trigger(Trigger.Type.ALERT_FIRING,
                        "a1"), "r2"));
        List<Arguments> rows = new ArrayList<>();
        // the users whose records land in prod's stream: prod's own, and staging's promotion through the shovel
        Map<String, List<String>> keysByUser = new LinkedHashMap<>();
        for (Principal principal : rights.principalsIn("prod")) {
            keysByUser.put(principal.userIn("prod"), rights.routingKeys(principal, "prod"));
        }
        keysByUser.put("staging-promotion", rights.routingKeys(Principal.PROMOTION, "staging").stream()
                .filter(key -> key.endsWith(".prod")).toList());
        keysByUser.forEach((user, keys) -> keys.forEach(key -> bodies.forEach(body -> {
            CloudEvent<?> event = CloudEvent.of(body, "/forged", "prod", "run-f", "cause-f", UUID.randomUUID().toString());
            boolean own = key.equals(event.eventType().routingKey("prod"))
                    && PROVENANCE.publishersOf(event.eventType(), "prod").contains(user);
            if (!own) {
                rows.add(Arguments.of(user + " puts a " + event.eventType().eventName() + " under " + key, event, key,
                        user));
            }
        })));
        return rows.stream();
    }

    /**
     * The stream drops its oldest records; a ledger folded from what is left plus the checkpoint written before
     * decides as the one that read everything: the held release stays held, the last verified release stays the
     * rollback target, a decided request stays decided.
     */
    @Test
    void aCheckpointKeepsWhatDecisionsNeedPastTheRecordsThatSaidIt() {
        ledger = new EnvironmentLedger("prod", PROVENANCE);
        Instant now = Instant.parse("2026-11-26T10:00:00Z");
        apply(new DeploymentCompleted(release("1.0.0"), "prod", "gitops", "r1", null, false));
        apply(new SmokeTestPassed(release("1.0.0"), "prod", List.of()));
        apply(new DeploymentCompleted(release("1.1.0"), "prod", "gitops", "r2", "1.0.0", false));
        apply(new RollbackCompleted("prod", SERVICE, release("1.1.0"), release("1.0.0"),
                new Trigger(Trigger.Type.ALERT_FIRING, "a1"), "r3"));
        apply(new ApprovalRequested("req-1", release("1.2.0"), "prod", List.of("sre-team"), 1, now,
                now.plusSeconds(3600), new Verification("staging", "v1")));
        apply(new ApprovalGranted("req-1", release("1.2.0"), "prod", List.of("bob"), 60, false, null));
        apply(new ReleaseWithdrawn(release("1.3.0"), "prod", "staging", new Trigger(Trigger.Type.ALERT_FIRING, "a2"),
                "1.3.0 was rolled back in staging"));
        CloudEvent<?> checkpoint = event(ledger.checkpoint(SERVICE), "prod");
        EnvironmentLedger full = ledger;

        // what a restart after retention folds: the checkpoint and what came after it
        ledger = new EnvironmentLedger("prod", PROVENANCE);
        assertThat(apply(checkpoint)).isEmpty();
        apply(new ApprovalRequested("req-1", release("1.2.0"), "prod", List.of("sre-team"), 1, now,
                now.plusSeconds(3600), new Verification("staging", "v1")));

        assertThat(ledger.isHeld(release("1.1.0"))).isTrue();
        assertThat(ledger.lastVerified(SERVICE, null)).get().extracting(v -> v.release().version()).isEqualTo("1.0.0");
        assertThat(ledger.running(SERVICE)).get().extracting(d -> d.release().version()).isEqualTo("1.0.0");
        assertThat(ledger.decided("req-1")).get().extracting(EnvironmentLedger.Decided::outcome)
                .isEqualTo(EnvironmentLedger.Decided.Outcome.GRANTED);
        assertThat(ledger.pendingApprovals()).isEmpty();
        assertThat(ledger.withdrawals(release("1.3.0"))).singleElement()
                .satisfies(w -> assertThat(w.publisher()).isEqualTo("staging-rollback"));
        assertThat(ledger.checkpoint(SERVICE)).usingRecursiveComparison().ignoringFields("position")
                .isEqualTo(full.checkpoint(SERVICE));
    }

    @Test
    void aCheckpointNeverOverridesWhatNewerRecordsSaid() {
        CloudEvent<?> old = event(new LedgerCheckpointed("staging", SERVICE, 10,
                new LedgerCheckpointed.Running(release("1.0.0"), "r1", "e1", Instant.EPOCH, false), List.of(),
                List.of(), List.of(), List.of()), "staging");
        apply(new DeploymentCompleted(release("1.3.0"), "staging", "gitops", "r9", "1.0.0", false));
        apply(old);

        assertThat(ledger.running(SERVICE)).get().extracting(d -> d.release().version()).isEqualTo("1.3.0");
    }

    @Test
    void aCheckpointFromAnyoneButTheEnvironmentsPromotionServiceCountsForNothing() {
        CloudEvent<?> forged = event(new LedgerCheckpointed("prod", SERVICE, 10, null, List.of(),
                List.of(), List.of(), List.of()), "prod");
        ledger = new EnvironmentLedger("prod", PROVENANCE);

        assertThat(apply(forged, "prod-operator")).isPresent();
        assertThat(apply(forged, "staging-promotion")).isPresent();
        assertThat(apply(forged, "prod-promotion")).isEmpty();
    }

    @Test
    void memoryIsBoundedHoweverLongTheStream() {
        for (int i = 0; i < EnvironmentLedger.MAX_SEEN + 1_000; i++) {
            apply(new SmokeTestPassed(release("1.0." + (i % 50)), "staging", List.of()));
        }
        assertThat(ledger.applied()).isEqualTo(EnvironmentLedger.MAX_SEEN + 1_000);
        assertThat(ledger.verified(SERVICE)).hasSize(EnvironmentLedger.MAX_VERIFIED);
        assertThat(ledger.seenCount()).isEqualTo(EnvironmentLedger.MAX_SEEN);
    }

    @Test
    void aWithdrawalIsKeptWithItsPublisherForExactlyThatBuild() {
        Release withdrawn = release("1.1.0");
        CloudEvent<?> withdrawal = event(new ReleaseWithdrawn(withdrawn, "staging", "dev",
                new Trigger(Trigger.Type.ALERT_FIRING, "a1"), "1.1.0 was rolled back in dev"), "staging");
        apply(withdrawal, "dev-rollback");

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
        ledger = new EnvironmentLedger("prod", PROVENANCE);
        Instant now = Instant.parse("2026-11-26T10:00:00Z");
        apply(new ApprovalRequested("req-1", release("1.0.0"), "prod", List.of("sre-team"), 1, now,
                now.plusSeconds(3600), new Verification("staging", "v1")));

        apply(new ApprovalExpired("req-1", release("1.0.0"), "prod", ApprovalExpired.Reason.WITHDRAWN, null,
                "rolled back in staging"));

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

    /** A prod history that touches every part of the fold: deployments, holds, approvals and their ends, withdrawals. */
    List<CloudEvent<?>> prodHistory(int from, int to) {
        List<CloudEvent<?>> events = new ArrayList<>();
        Instant at = Instant.parse("2026-11-26T10:00:00Z");
        for (int i = from; i < to; i++) {
            String version = "1." + i + ".0";
            String requestId = "req-" + i;
            events.add(event(request(requestId, version, at.plusSeconds(i)), "prod"));
            events.add(event(new ApprovalOpened(requestId, release(version), "prod", at.plusSeconds(3600 + i)), "prod"));
            events.add(event(new ApprovalDecided(requestId, SERVICE, version, release(version).digest(), "prod",
                    ApprovalDecided.Decision.APPROVE, "alice", null, false), "prod"));
            if (i % 3 == 0) {
                events.add(event(new ApprovalRejected(requestId, release(version), "prod", "bob", "not today"), "prod"));
                continue;
            }
            events.add(event(new ApprovalGranted(requestId, release(version), "prod", List.of("alice"), 60, false,
                    null), "prod"));
            events.add(event(new DeploymentCompleted(release(version), "prod", "gitops", "r" + i, null, false), "prod"));
            if (i % 4 == 0) {
                events.add(event(new RollbackCompleted("prod", SERVICE, release(version), release("1." + (i - 1) + ".0"),
                        new Trigger(Trigger.Type.ALERT_FIRING, "alert-" + i), "back-" + i), "prod"));
            } else {
                events.add(event(new SmokeTestPassed(release(version), "prod", List.of()), "prod"));
            }
            if (i % 5 == 0) {
                events.add(event(new ReleaseWithdrawn(release(version), "prod", "staging",
                        new Trigger(Trigger.Type.SMOKETEST_FAILED, "f-" + i), "failed in staging"), "prod"));
            }
        }
        return events;
    }

    @Test
    void aLedgerRestoredFromASnapshotFoldsOnExactlyAsOneThatReadEverything(@TempDir Path directory) throws Exception {
        EnvironmentLedger everything = new EnvironmentLedger("prod", PROVENANCE);
        ledger = new EnvironmentLedger("prod", PROVENANCE);
        List<CloudEvent<?>> before = prodHistory(1, 20);
        List<CloudEvent<?>> after = prodHistory(20, 40);
        before.forEach(this::apply);
        // a forged grant changes nothing, in either ledger, before or after the snapshot
        apply(event(new ApprovalGranted("req-39", release("1.39.0"), "prod", List.of("mallory"), 60, false, null),
                "prod"), "prod-chatops");
        LedgerSnapshotFile file = new LedgerSnapshotFile(directory.resolve("ledger.snapshot"),
                SnapshotSeal.random("prod's promotion service"));
        file.write(ledger.snapshot());
        EnvironmentLedger restored = new EnvironmentLedger("prod", PROVENANCE);
        restored.restore(file.read().orElseThrow());
        long snapshotAt = offset;

        EnvironmentLedger first = ledger;
        offset = 0;
        ledger = everything;
        before.forEach(this::apply);
        apply(event(new ApprovalGranted("req-39", release("1.39.0"), "prod", List.of("mallory"), 60, false, null),
                "prod"), "prod-chatops");
        // a redelivery of an event from before the snapshot is seen by both: it changes nothing
        List<CloudEvent<?>> rest = new ArrayList<>(after);
        rest.add(3, before.get(before.size() - 2));
        for (EnvironmentLedger target : List.of(everything, restored)) {
            ledger = target;
            offset = snapshotAt;
            rest.forEach(this::apply);
        }

        assertThat(restored.snapshot()).isEqualTo(everything.snapshot());
        assertThat(first.position()).isLessThan(restored.position());
        assertThat(restored.refused()).isEqualTo(1);
        assertThat(restored.decided("req-10")).get().extracting(EnvironmentLedger.Decided::outcome)
                .isEqualTo(EnvironmentLedger.Decided.Outcome.GRANTED);
        assertThat(restored.isHeld(release("1.32.0"))).isTrue();
        assertThat(restored.pendingApprovals()).isEmpty();
    }

    @Test
    void onlyAFreshLedgerOfTheSameEnvironmentTakesASnapshot() {
        apply(new DeploymentCompleted(release("1.0.0"), "staging", "gitops", "r1", null, false));
        LedgerSnapshot snapshot = ledger.snapshot();

        assertThatThrownBy(() -> ledger.restore(snapshot)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only a fresh ledger");
        assertThatThrownBy(() -> new EnvironmentLedger("prod", PROVENANCE).restore(snapshot))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'staging'");
    }

    @Test
    void aCheckpointKeepsAnOldHoldHoweverManyHoldsOtherServicesHadSince() {
        apply(new RollbackCompleted("staging", SERVICE, release("1.1.0"), release("1.0.0"),
                new Trigger(Trigger.Type.ALERT_FIRING, "a0"), "r0"));
        for (int i = 0; i < 12_000; i++) {
            String service = "service-" + (i % 60);
            Release bad = new Release(service, "2.0." + i, "ghcr.io/example/" + service, "sha256:" + "c".repeat(64),
                    "abc1234", "carol");
            apply(new RollbackCompleted("staging", service, bad, null, new Trigger(Trigger.Type.ALERT_FIRING,
                    "a" + i), "r" + i));
        }

        assertThat(ledger.checkpoint(SERVICE).held()).containsExactly(release("1.1.0"));
        assertThat(ledger.checkpoint("service-0").held()).hasSize(EnvironmentLedger.MAX_HELD);
    }
    /**
     * A checkpoint lists every hold of its service again, in whatever order; folding it leaves the holds as they
     * were, so the oldest still goes first when a newer hold comes: as in a ledger that never read the checkpoint.
     */
    @Test
    void aCheckpointRepeatingTheHoldsOfItsServiceLeavesTheirOrderAlone() {
        holdReleases(0, EnvironmentLedger.MAX_HELD);
        LedgerCheckpointed c = ledger.checkpoint(SERVICE);
        List<Release> newestFirst = new java.util.ArrayList<>(c.held());
        java.util.Collections.reverse(newestFirst);
        apply(event(new LedgerCheckpointed(c.environment(), c.service(), c.position(), c.running(), c.verified(),
                newestFirst, c.decided(), c.withdrawn()), "staging"));
        holdReleases(EnvironmentLedger.MAX_HELD, 1);
        List<Release> withCheckpoint = ledger.checkpoint(SERVICE).held();

        ledger = new EnvironmentLedger("staging", PROVENANCE);
        holdReleases(0, EnvironmentLedger.MAX_HELD + 1);

        assertThat(withCheckpoint).hasSize(EnvironmentLedger.MAX_HELD).doesNotContain(release("3.0.0"))
                .startsWith(release("3.0.1")).endsWith(release("3.0." + EnvironmentLedger.MAX_HELD))
                .isEqualTo(ledger.checkpoint(SERVICE).held());
    }

    private void holdReleases(int first, int count) {
        for (int i = first; i < first + count; i++) {
            apply(new RollbackCompleted("staging", SERVICE, release("3.0." + i), release("1.0.0"),
                    new Trigger(Trigger.Type.ALERT_FIRING, "h" + i), "r" + i));
        }
    }
}
