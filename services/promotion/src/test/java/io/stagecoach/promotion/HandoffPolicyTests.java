package io.stagecoach.promotion;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.events.Verification;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.promotion.Releases.FakeLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.stagecoach.promotion.PromotionPolicyTests.uuid;
import static io.stagecoach.promotion.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;

class HandoffPolicyTests {

    private static final Environments DEFAULT = Environments.loadDefault();
    private static final EventCodec CODEC = new EventCodec();
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

    /** A path whose manual gate needs two approvals from two teams within two hours. */
    private static final Environments FOUR_STAGES = Environments.parse("""
            services: [knative-lambda-builder]
            teams:
              sre-team: [alice, bob]
              release-managers: [carol]
            decision-publishers: [chatops]
            environments:
              - {name: dev, vhost: dev, gate: auto, namespace: kl-dev, audit-retention: 7d}
              - {name: qa, vhost: qa, gate: auto, namespace: kl-qa, audit-retention: 7d}
              - name: staging
                vhost: staging
                gate: manual
                approvers: [sre-team, release-managers]
                min-approvals: 2
                approval-ttl: 2h
                namespace: kl-staging
                audit-retention: 30d
              - name: prd
                vhost: prd
                gate: manual
                approvers: [sre-team]
                namespace: kl-prd
                audit-retention: 90d
            """, "four-stages.yaml");

    @ParameterizedTest(name = "{0}: {1} passed, {2} runs, held {3} -> {4} {5}")
    @CsvSource({
            // path,  passed in, running, held,  expected,         next
            "default, dev,       same,    false, PROMOTE,          staging",
            "default, staging,   same,    false, REQUEST_APPROVAL, prod",
            "default, prod,      same,    false, END,              ''",
            "default, dev,       other,   false, SUPERSEDED,       ''",
            "default, prod,      other,   false, SUPERSEDED,       ''",
            "default, staging,   none,    false, IGNORED,          ''",
            "default, dev,       same,    true,  HELD,             ''",
            "default, staging,   other,   true,  HELD,             ''",
            "four,    dev,       same,    false, PROMOTE,          qa",
            "four,    qa,        same,    false, REQUEST_APPROVAL, staging",
            "four,    staging,   same,    false, REQUEST_APPROVAL, prd",
            "four,    prd,       same,    false, END,              ''",
    })
    void handsAVerifiedReleaseToTheNextEnvironment(String path, String environment, String running, boolean held,
                                                   String expected, String next) {
        Environments environments = path.equals("four") ? FOUR_STAGES : DEFAULT;
        Release release = release("1.2.0");
        Release runs = switch (running) {
            case "same" -> release;
            case "other" -> release("1.3.0");
            default -> null;
        };
        CloudEvent<SmokeTestPassed> passed = passed(release, environment);
        var policy = new HandoffPolicy(environments, environments.get(environment));

        HandoffDecision handoff = policy.decide(passed, new FakeLedger(held ? Set.of(release) : Set.of(), Set.of(), runs),
                NOW);

        switch (expected) {
            case "PROMOTE" -> assertThat(handoff).isInstanceOfSatisfying(HandoffDecision.Promote.class, promote -> {
                CloudEvent<PromotionRequested> event = promote.event();
                assertThat(promote.events()).containsExactly(event);
                assertThat(event.routingKey()).isEqualTo("promotion.requested." + next);
                assertThat(event.data().reason()).isEqualTo(PromotionRequested.Reason.VERIFIED);
                assertThat(event.data().release()).isEqualTo(release);
                assertThat(event.data().verifiedIn()).isEqualTo(new Verification(environment, passed.id()));
                assertThat(event.causationid()).isEqualTo(passed.id());
                assertThat(event.correlationid()).isEqualTo(passed.correlationid());
                assertThat(policy.outcomeIds(passed)).contains(event.id());
                assertThat(CODEC.encode(event)).isNotEmpty();
            });
            case "REQUEST_APPROVAL" -> assertThat(handoff).isInstanceOfSatisfying(HandoffDecision.RequestApproval.class,
                    approval -> {
                        var event = approval.event();
                        assertThat(approval.events()).containsExactly(event);
                        var nextEnvironment = environments.get(next);
                        assertThat(event.routingKey()).isEqualTo("approval.requested." + next);
                        assertThat(event.data().approvers()).isEqualTo(nextEnvironment.approvers());
                        assertThat(event.data().minApprovals()).isEqualTo(nextEnvironment.minApprovals());
                        assertThat(event.data().requestedAt()).isEqualTo(NOW);
                        assertThat(event.data().expiresAt()).isEqualTo(NOW.plus(nextEnvironment.approvalTtl()));
                        assertThat(event.data().verifiedIn()).isEqualTo(new Verification(environment, passed.id()));
                        assertThat(event.data().requestId())
                                .isEqualTo(HandoffPolicy.approvalRequestId(passed, nextEnvironment));
                        assertThat(policy.outcomeIds(passed)).contains(event.id());
                        assertThat(CODEC.encode(event)).isNotEmpty();
                    });
            case "END" -> assertThat(handoff).isInstanceOf(HandoffDecision.End.class)
                    .extracting(HandoffDecision::events).asInstanceOf(LIST).isEmpty();
            case "SUPERSEDED", "HELD" -> assertThat(handoff).isInstanceOfSatisfying(HandoffDecision.Stopped.class, stopped -> {
                CloudEvent<PromotionBlocked> event = stopped.event();
                assertThat(stopped.events()).containsExactly(event);
                assertThat(event.routingKey()).isEqualTo("promotion.blocked." + environment);
                assertThat(event.data().reason()).isEqualTo(PromotionBlocked.Reason.valueOf(expected));
                assertThat(event.data().release()).isEqualTo(release);
                assertThat(event.data().supersededBy()).isEqualTo(expected.equals("SUPERSEDED") ? "1.3.0" : null);
                assertThat(event.causationid()).isEqualTo(passed.id());
                assertThat(event.correlationid()).as("the run of the stopped release").isEqualTo(passed.correlationid());
                assertThat(policy.outcomeIds(passed)).contains(event.id());
                assertThat(CODEC.encode(event)).isNotEmpty();
            });
            default -> assertThat(handoff).isInstanceOf(HandoffDecision.Ignored.class)
                    .extracting(HandoffDecision::events).asInstanceOf(LIST).isEmpty();
        }
    }

    @Test
    void asksForTwoApprovalsWithinTwoHoursWhereTheNextGateSaysSo() {
        var policy = new HandoffPolicy(FOUR_STAGES, FOUR_STAGES.get("qa"));
        Release release = release("2.0.0");

        var handoff = (HandoffDecision.RequestApproval) policy.decide(passed(release, "qa"),
                new FakeLedger(Set.of(), Set.of(), release), NOW);

        assertThat(handoff.event().data().approvers()).containsExactly("sre-team", "release-managers");
        assertThat(handoff.event().data().minApprovals()).isEqualTo(2);
        assertThat(handoff.event().data().expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(2)));
    }

    @Test
    void handsTheSamePassOffWithTheSameIdsEveryTime() {
        var policy = new HandoffPolicy(DEFAULT, DEFAULT.get("staging"));
        Release release = release("1.2.0");
        CloudEvent<SmokeTestPassed> passed = passed(release, "staging");
        var ledger = new FakeLedger(Set.of(), Set.of(), release);

        var first = (HandoffDecision.RequestApproval) policy.decide(passed, ledger, NOW);
        var second = (HandoffDecision.RequestApproval) policy.decide(passed, ledger, NOW.plusSeconds(90));

        assertThat(second.event().id()).isEqualTo(first.event().id());
        assertThat(second.event().data().requestId()).isEqualTo(first.event().data().requestId());
    }

    private static CloudEvent<SmokeTestPassed> passed(Release release, String environment) {
        var check = new SmokeCheck("health", "http://knative-lambda-builder." + environment + "/health", 200, 200,
                SmokeCheck.Result.PASSED, "", 12);
        return CloudEvent.of(new SmokeTestPassed(release, environment, List.of(check)),
                "/stagecoach/" + environment + "/smoke-test", environment, uuid("run"), uuid("deployed"),
                uuid("passed-" + environment));
    }
}
