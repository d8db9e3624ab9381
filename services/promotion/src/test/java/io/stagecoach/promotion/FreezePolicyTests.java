package io.stagecoach.promotion;

import static io.stagecoach.promotion.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import io.stagecoach.events.Approval;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.Verification;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.promotion.Releases.FakeLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decision table of the freeze (ADR 38): staging and prod frozen over the weekend (Europe/Berlin) -> what a request
 * becomes on a Saturday, and on the Wednesday after. A rollback is not among them: the rollback service puts a release
 * back itself, frozen or not, and the promotion service takes no rollback requests at all.
 */
class FreezePolicyTests {

    static final Environments FROZEN = frozenEnvironments();
    /** Saturday 2026-12-05, 12:00 in Berlin. */
    static final Instant SATURDAY = Instant.parse("2026-12-05T11:00:00Z");
    static final Instant WEDNESDAY = Instant.parse("2026-12-09T11:00:00Z");
    static final Instant MONDAY_0800_BERLIN = Instant.parse("2026-12-07T07:00:00Z");
    static final String V = "1.5.0";

    /** The default environments file, as shipped. */
    static String defaults() {
        try {
            return Files.readString(Path.of("../../deploy/environments.yaml"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Environments frozenEnvironments() {
        String yaml = defaults();
        String freeze = "\n    freeze:\n      time-zone: Europe/Berlin\n      weekly: [\"Fri 16:00 - Mon 08:00\"]\n";
        yaml = yaml.replace("    namespace: knative-lambda-staging", "    namespace: knative-lambda-staging" + freeze)
                .replace("    namespace: knative-lambda-prod", "    namespace: knative-lambda-prod" + freeze);
        return Environments.parse(yaml, "environments.yaml");
    }

    enum Expect { PARKED, DEPLOY, BLOCKED_HELD, BLOCKED_NO_APPROVAL }

    static Stream<Arguments> table() {
        return Stream.of(
                row("a build into dev, which has no freeze", "dev", Reason.BUILD, SATURDAY, false, Expect.DEPLOY),
                row("a verified release into frozen staging", "staging", Reason.VERIFIED, SATURDAY, false,
                        Expect.PARKED),
                row("the same on Wednesday", "staging", Reason.VERIFIED, WEDNESDAY, false, Expect.DEPLOY),
                row("at the freeze's last second", "staging", Reason.VERIFIED, MONDAY_0800_BERLIN.minusSeconds(1),
                        false, Expect.PARKED),
                row("at its end", "staging", Reason.VERIFIED, MONDAY_0800_BERLIN, false, Expect.DEPLOY),
                row("an approved release into frozen prod", "prod", Reason.APPROVED, SATURDAY, false, Expect.PARKED),
                row("an override one person approved", "prod", Reason.OVERRIDE, SATURDAY, false, Expect.PARKED),
                row("an override two people approved", "prod", Reason.OVERRIDE_TWO, SATURDAY, false, Expect.DEPLOY),
                // the rules before the freeze still come first: nothing forged or held is ever parked
                row("a held release", "staging", Reason.VERIFIED, SATURDAY, true, Expect.BLOCKED_HELD),
                row("a verification where an approval is needed", "prod", Reason.VERIFIED, SATURDAY, false,
                        Expect.BLOCKED_NO_APPROVAL));
    }

    enum Reason { BUILD, VERIFIED, APPROVED, OVERRIDE, OVERRIDE_TWO, ROLLBACK }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String row, String environment, Reason reason, Instant now, boolean held, Expect expected) {
        Release release = release(V);
        CloudEvent<PromotionRequested> request = request(environment, reason, release);
        FakeLedger ledger = new FakeLedger(held ? Set.of(release) : Set.of(), Set.of(), null);

        PromotionDecision decision = policy(environment).decide(request, publisher(environment, reason), ledger,
                Optional.empty(), now);

        switch (expected) {
            case PARKED -> assertThat(decision).as(row).isInstanceOf(PromotionDecision.Parked.class);
            case DEPLOY -> assertThat(decision).as(row).isInstanceOf(PromotionDecision.Deploy.class);
            case BLOCKED_HELD -> assertThat(decision).as(row).isInstanceOfSatisfying(PromotionDecision.Blocked.class,
                    b -> assertThat(b.reason()).isEqualTo(PromotionBlocked.Reason.HELD));
            case BLOCKED_NO_APPROVAL -> assertThat(decision).as(row)
                    .isInstanceOfSatisfying(PromotionDecision.Blocked.class,
                            b -> assertThat(b.reason()).isEqualTo(PromotionBlocked.Reason.NO_APPROVAL));
        }
    }

    @Test
    void aParkedRequestIsKeptWholeWithItsPublisherTheWindowAndTheEnd() {
        CloudEvent<PromotionRequested> request = request("prod", Reason.APPROVED, release(V));

        var parked = (PromotionDecision.Parked) policy("prod").decide(request, "prod-approval", FakeLedger.empty(),
                Optional.empty(), SATURDAY);

        CloudEvent<PromotionFrozen> event = parked.event();
        assertThat(event.environment()).isEqualTo("prod");
        assertThat(event.causationid()).isEqualTo(request.id());
        assertThat(event.correlationid()).isEqualTo(request.correlationid());
        assertThat(event.data().until()).isEqualTo(MONDAY_0800_BERLIN);
        assertThat(event.data().windows()).containsExactly("weekly Fri 16:00 - Mon 08:00 (Europe/Berlin)");
        assertThat(event.data().message()).isEqualTo("prod is frozen (weekly Fri 16:00 - Mon 08:00 (Europe/Berlin))"
                + " until 2026-12-07T07:00:00Z: 1.5.0 of knative-lambda-builder waits and goes ahead by itself then");
        assertThat(event.data().parked().publisher()).isEqualTo("prod-approval");
        assertThat(event.data().parked().event()).isEqualTo(request);
        // the outcomes of the request stay open: the freeze is not its decision
        assertThat(PromotionPolicy.outcomeIds(request)).doesNotContain(event.id());
        // a redelivery parks it under the same id
        var again = (PromotionDecision.Parked) policy("prod").decide(request, "prod-approval", FakeLedger.empty(),
                Optional.empty(), SATURDAY.plusSeconds(3_600));
        assertThat(again.event().id()).isEqualTo(event.id());
    }

    @Test
    void anOperatorsStopOfTheLineParksUntilItsEndOrItsRestart() {
        var ledger = new io.stagecoach.ledger.EnvironmentLedger("dev",
                io.stagecoach.platform.topology.Provenance.of(FROZEN));
        var view = io.stagecoach.ledger.LedgerView.of(ledger);
        CloudEvent<PromotionRequested> request = request("dev", Reason.BUILD, release(V));
        var stop = CloudEvent.of(new io.stagecoach.events.LineStopped("dev", "sam", "INC-512", null), "/stagecoach/cli",
                "dev", uuid("stop"), uuid("stop"), uuid("stop"));
        ledger.apply(new io.stagecoach.ledger.AuditRecord(stop, "line.stopped.dev", "dev-operator", 0));

        var parked = (PromotionDecision.Parked) policy("dev").decide(request, "dev-build-completed", view,
                Optional.empty(), WEDNESDAY);
        assertThat(parked.event().data().until()).as("only a restart ends it").isNull();
        assertThat(parked.event().data().windows()).containsExactly("the line stopped by sam: INC-512");
        assertThat(parked.event().data().message()).isEqualTo("dev is frozen (the line stopped by sam: INC-512) until "
                + "an operator restarts the line: 1.5.0 of knative-lambda-builder waits and goes ahead by itself then");

        var restart = CloudEvent.of(new io.stagecoach.events.LineRestarted("dev", "sam", "resolved", stop.id()),
                "/stagecoach/cli", "dev", uuid("stop"), uuid("restart"), uuid("restart"));
        ledger.apply(new io.stagecoach.ledger.AuditRecord(restart, "line.restarted.dev", "dev-operator", 1));
        assertThat(policy("dev").decide(request, "dev-build-completed", view, Optional.empty(), WEDNESDAY))
                .isInstanceOf(PromotionDecision.Deploy.class);

        // a stop with an end, inside a window of the schedule that ends earlier: the later end counts
        var until = MONDAY_0800_BERLIN.plusSeconds(3_600);
        var timed = CloudEvent.of(new io.stagecoach.events.LineStopped("dev", "sam", "launch", until),
                "/stagecoach/cli", "dev", uuid("timed"), uuid("timed"), uuid("timed"));
        ledger.apply(new io.stagecoach.ledger.AuditRecord(timed, "line.stopped.dev", "dev-operator", 2));
        assertThat(io.stagecoach.ledger.Freeze.at(FROZEN.get("staging").freeze(), ledger.lineStop(), SATURDAY))
                .get().satisfies(f -> assertThat(f.until()).isEqualTo(until));
        assertThat(policy("dev").decide(request, "dev-build-completed", view, Optional.empty(), until))
                .isInstanceOf(PromotionDecision.Deploy.class);
    }

    @Test
    void aSinglePersonsOverrideIsToldItNeedsASecond() {
        var parked = (PromotionDecision.Parked) policy("prod").decide(request("prod", Reason.OVERRIDE, release(V)),
                "prod-approval", FakeLedger.empty(), Optional.empty(), SATURDAY);

        assertThat(parked.event().data().message()).endsWith("an override goes ahead during a freeze only when two "
                + "people approved it, this one has alice");
    }

    @Test
    void aTwoPersonOverrideSaysWhoInItsDeployment() {
        var deploy = (PromotionDecision.Deploy) policy("prod").decide(request("prod", Reason.OVERRIDE_TWO, release(V)),
                "prod-approval", FakeLedger.empty(), Optional.empty(), SATURDAY);

        assertThat(deploy.deployment().reason()).isEqualTo("override (request " + uuid("approval") + ") by alice and bob");
    }

    private static PromotionPolicy policy(String environment) {
        return new PromotionPolicy(FROZEN, FROZEN.get(environment), "gitops");
    }

    private static String publisher(String environment, Reason reason) {
        return switch (reason) {
            case BUILD -> environment + "-build-completed";
            case VERIFIED -> FROZEN.previous(environment).orElseThrow().name() + "-promotion";
            case ROLLBACK -> environment + "-rollback";
            default -> environment + "-approval";
        };
    }

    private static CloudEvent<PromotionRequested> request(String environment, Reason reason, Release release) {
        String previous = FROZEN.previous(environment).map(e -> e.name()).orElse(environment);
        Verification verified = new Verification(previous, uuid("pass"));
        PromotionRequested data = switch (reason) {
            case BUILD -> PromotionRequested.build(release, environment);
            case VERIFIED -> PromotionRequested.verified(release, environment, verified);
            case APPROVED -> PromotionRequested.approved(release, environment, verified,
                    new Approval(uuid("approval"), List.of("alice")));
            case OVERRIDE -> new PromotionRequested(release, environment, PromotionRequested.Reason.OVERRIDE, verified,
                    new Approval(uuid("approval"), List.of("alice")));
            case OVERRIDE_TWO -> new PromotionRequested(release, environment, PromotionRequested.Reason.OVERRIDE,
                    verified, new Approval(uuid("approval"), List.of("alice", "bob")));
            case ROLLBACK -> PromotionRequested.rollback(release, environment, new Verification(environment,
                    uuid("pass here")));
        };
        return CloudEvent.of(data, "/stagecoach/test", environment, uuid("run"), uuid("cause"),
                uuid("request " + environment + reason));
    }

    private static String uuid(String name) {
        return EventIds.derive("freeze test", name);
    }

    private static Arguments row(String row, String environment, Reason reason, Instant now, boolean held,
                                 Expect expected) {
        return Arguments.of(row, environment, reason, now, held, expected);
    }
}
