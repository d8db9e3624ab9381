package io.stagecoach.promotion;

import static io.stagecoach.promotion.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventData;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerView;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decision table of the soak (ADR 39): dev asks for 30 minutes; a release deployed at 10:00 and verified at 10:01,
 * with or without an alert for its service, at a given time -> soaking until when, or handed off.
 */
class SoakTests {

    static final Environments SOAKING = Environments.parse(FreezePolicyTests.defaults()
            .replace("    namespace: knative-lambda-dev\n", "    namespace: knative-lambda-dev\n    soak: 30m\n"),
            "environments.yaml");
    static final Instant DEPLOYED = Instant.parse("2026-12-09T10:00:00Z");

    static Stream<Arguments> table() {
        return Stream.of(
                row("just verified", null, "10:01:00", "10:30:00"),
                row("a second before it soaked", null, "10:29:59", "10:30:00"),
                row("soaked", null, "10:30:00", null),
                row("an alert before the deployment counts for nothing", "09:50:00", "10:30:00", null),
                row("an alert during the soak starts it again", "10:20:00", "10:45:00", "10:50:00"),
                row("soaked after the alert", "10:20:00", "10:50:00", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String row, String alertAt, String at, String soakingUntil) {
        EnvironmentLedger ledger = new EnvironmentLedger("dev", Provenance.of(SOAKING));
        Release release = release("1.5.0");
        fold(ledger, new DeploymentCompleted(release, "dev", "gitops", "r1", null, false), DEPLOYED, "dev-promotion");
        CloudEvent<SmokeTestPassed> passed = fold(ledger, new SmokeTestPassed(release, "dev", List.of()),
                DEPLOYED.plusSeconds(60), "dev-smoke-test");
        if (alertAt != null) {
            fold(ledger, new AlertFiring("dev", release.service(), "HighErrorRate", "f1", time(alertAt), "critical",
                    "5xx", null), time(alertAt), "dev-rollback");
        }

        HandoffDecision decision = new HandoffPolicy(SOAKING, SOAKING.get("dev")).decide(passed, LedgerView.of(ledger),
                time(at));

        if (soakingUntil == null) {
            assertThat(decision).as(row).isInstanceOf(HandoffDecision.Promote.class);
        } else {
            assertThat(decision).as(row).isInstanceOfSatisfying(HandoffDecision.Soaking.class, s -> {
                assertThat(s.until()).isEqualTo(time(soakingUntil));
                assertThat(s.why()).contains("soaks there until " + time(soakingUntil), "before it moves on to staging");
            });
        }
    }

    @Test
    void anEnvironmentWithoutSoakHandsOffAtOnceAndTheLastOneHasNothingToSoakFor() {
        EnvironmentLedger ledger = new EnvironmentLedger("staging", Provenance.of(SOAKING));
        Release release = release("1.5.0");
        fold(ledger, new DeploymentCompleted(release, "staging", "gitops", "r1", null, false), DEPLOYED,
                "staging-promotion");
        CloudEvent<SmokeTestPassed> passed = fold(ledger, new SmokeTestPassed(release, "staging", List.of()),
                DEPLOYED.plusSeconds(60), "staging-smoke-test");

        assertThat(new HandoffPolicy(SOAKING, SOAKING.get("staging")).decide(passed, LedgerView.of(ledger),
                DEPLOYED.plusSeconds(61))).isInstanceOf(HandoffDecision.RequestApproval.class);
    }

    @Test
    void theLeaderHandsOffTheKeptPassOfWhatRunsOnceItSoakedAndThenLeavesIt() {
        EnvironmentLedger ledger = new EnvironmentLedger("dev", Provenance.of(SOAKING));
        Release release = release("1.5.0");
        fold(ledger, new DeploymentCompleted(release, "dev", "gitops", "r1", null, false), DEPLOYED, "dev-promotion");
        CloudEvent<SmokeTestPassed> passed = fold(ledger, new SmokeTestPassed(release, "dev", List.of()),
                DEPLOYED.plusSeconds(60), "dev-smoke-test");
        assertThat(ledger.lastPass(release.service())).get().satisfies(p -> assertThat(p.event()).isEqualTo(passed));
        List<String> decided = new ArrayList<>();
        List<Boolean> soaked = new ArrayList<>(List.of(false, true));
        SoakWatch watch = new SoakWatch(ledger, SOAKING.get("dev"), pass -> {
            decided.add(pass.id());
            return Optional.of(soaked.remove(0) ? new HandoffDecision.End("handed off")
                    : new HandoffDecision.Soaking(DEPLOYED.plus(Duration.ofMinutes(30)), "soaking"));
        }, Duration.ofSeconds(5), () -> true);

        assertThat(watch.enabled()).isTrue();
        assertThat(watch.check()).isZero();
        assertThat(watch.check()).isEqualTo(1);
        assertThat(watch.check()).as("settled").isZero();
        assertThat(decided).containsExactly(passed.id(), passed.id());
        assertThat(new SoakWatch(ledger, SOAKING.get("staging"), p -> Optional.empty(), Duration.ofSeconds(5),
                () -> true).enabled()).as("staging asks for no soak").isFalse();
    }

    private static long offset;

    private static <T extends EventData> CloudEvent<T> fold(EnvironmentLedger ledger, T data, Instant at,
                                                            String publisher) {
        String id = EventIds.derive("soak test", String.valueOf(offset));
        CloudEvent<T> event = CloudEvent.of(data, "/stagecoach/test", "dev".equals(ledger.environment()) ? "dev"
                : ledger.environment(), "c0ffee00-0000-5000-8000-000000000000", id, id).withTime(at);
        assertThat(ledger.apply(new AuditRecord(event, event.routingKey(), publisher, offset++))).isEmpty();
        return event;
    }

    private static Instant time(String hhmmss) {
        return Instant.parse("2026-12-09T" + hhmmss + "Z");
    }

    private static Arguments row(String row, String alertAt, String at, String soakingUntil) {
        return Arguments.of(row, alertAt, at, soakingUntil);
    }
}
