package io.stagecoach.approval;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.Trigger;
import io.stagecoach.ledger.EnvironmentLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.stagecoach.approval.ApprovalPolicyTests.CHATOPS;
import static io.stagecoach.approval.ApprovalPolicyTests.ENV;
import static io.stagecoach.approval.ApprovalPolicyTests.NOW;
import static io.stagecoach.approval.ApprovalPolicyTests.RELEASE;
import static io.stagecoach.approval.ApprovalPolicyTests.REQUEST_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * A release the previous environment withdrew: its pending requests end as WITHDRAWN and a decision on it is refused,
 * but only when the withdrawal came from the one user that may publish it, for exactly that build.
 */
class ApprovalWithdrawalTests {

    static final String STAGING_ROLLBACK = "staging-rollback";
    static final Release OTHER_BUILD = ApprovalPolicyTests.release("1.4.2", "ffff");

    private final ApprovalPolicy policy = new ApprovalPolicy();
    private final EventCodec codec = new EventCodec();

    static Stream<Arguments> withdrawals() {
        return Stream.of(
                // who withdrew, which build; what a sweep ends; what a decision gets
                arguments("staging's rollback service withdrew it", STAGING_ROLLBACK, RELEASE, true,
                        "refused WITHDRAWN"),
                arguments("nobody withdrew it", null, RELEASE, false, "granted"),
                arguments("staging's promotion user put a withdrawal's body in the stream", "staging-promotion",
                        RELEASE, false, "granted"),
                arguments("prod's own rollback service", "prod-rollback", RELEASE, false, "granted"),
                arguments("dev's rollback service, two environments back", "dev-rollback", RELEASE, false, "granted"),
                arguments("a withdrawal without user_id", "", RELEASE, false, "granted"),
                arguments("another build of the same version was withdrawn", STAGING_ROLLBACK, OTHER_BUILD, false,
                        "granted"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withdrawals")
    void aWithdrawalEndsTheRequestAndRefusesADecisionOnlyWhenItsRollbackServiceSaidSo(String description,
            String withdrawnBy, Release withdrawn, boolean ends, String decision) {
        EnvironmentLedger ledger = ApprovalPolicyTests.ledger(ApprovalPolicyTests.State.PENDING);
        CloudEvent<ReleaseWithdrawn> withdrawal = withdrawal(withdrawn);
        if (withdrawnBy != null) {
            ApprovalPolicyTests.apply(ledger, withdrawal, withdrawnBy.isEmpty() ? null : withdrawnBy);
        }

        List<CloudEvent<ApprovalExpired>> endings = policy.withdrawals(List.of(pendingRequest()), rules(), ledger);
        CloudEvent<ApprovalDecided> approve = ApprovalPolicyTests.decision(
                ApprovalPolicyTests.Attempt.approve("alice"));
        ApprovalPolicyTests.apply(ledger, approve, CHATOPS);
        Verdict verdict = policy.decide(approve, CHATOPS, rules(), ledger, NOW);

        if (ends) {
            assertThat(endings).singleElement().satisfies(ending -> {
                assertThat(ending.data().reason()).isEqualTo(ApprovalExpired.Reason.WITHDRAWN);
                assertThat(ending.data().requestId()).isEqualTo(REQUEST_ID);
                assertThat(ending.data().message()).startsWith("staging withdrew 1.4.2: ")
                        .contains("rolled back in staging by sam");
                assertThat(ending.causationid()).isEqualTo(withdrawal.id());
                assertThat(ending.correlationid()).isEqualTo(pendingRequest().correlationid());
                assertThat(ending.routingKey()).isEqualTo("approval.expired.prod");
                assertThat(ending.id()).as("the one ending id of the request")
                        .isEqualTo(ApprovalPolicy.endingId(REQUEST_ID, EventType.APPROVAL_EXPIRED, ENV));
                assertThat(codec.encode(ending)).isNotEmpty();
            });
        } else {
            assertThat(endings).isEmpty();
        }
        assertThat(describe(verdict)).isEqualTo(decision);
        if (verdict instanceof Verdict.Refused refused) {
            ApprovalRefused data = refused.refusal().data();
            assertThat(data.message()).contains("can no longer be decided", "staging withdrew 1.4.2",
                    withdrawal.id());
            assertThat(data.release()).isEqualTo(RELEASE);
            assertThat(codec.encode(refused.refusal())).isNotEmpty();
        }
    }

    @Test
    void aDecisionAfterTheRequestEndedWithdrawnIsRefusedAsWithdrawn() {
        EnvironmentLedger ledger = ApprovalPolicyTests.ledger(ApprovalPolicyTests.State.PENDING);
        ApprovalPolicyTests.apply(ledger, withdrawal(RELEASE), STAGING_ROLLBACK);
        CloudEvent<ApprovalExpired> ending = policy.withdrawals(List.of(pendingRequest()), rules(), ledger).get(0);
        ApprovalPolicyTests.apply(ledger, ending, "prod-approval");
        CloudEvent<ApprovalDecided> late = ApprovalPolicyTests.decision(ApprovalPolicyTests.Attempt.approve("bob"));
        ApprovalPolicyTests.apply(ledger, late, CHATOPS);

        Verdict verdict = policy.decide(late, CHATOPS, rules(), ledger, NOW);

        assertThat(ledger.pending(REQUEST_ID)).isEmpty();
        assertThat(describe(verdict)).isEqualTo("refused WITHDRAWN");
        assertThat(((Verdict.Refused) verdict).refusal().data().message()).contains("withdrew the release",
                ending.id());
    }

    @Test
    void aRequestThatEndedOtherwiseIsNotEndedAgain() {
        EnvironmentLedger ledger = ApprovalPolicyTests.ledger(ApprovalPolicyTests.State.GRANTED);
        ApprovalPolicyTests.apply(ledger, withdrawal(RELEASE), STAGING_ROLLBACK);

        assertThat(ledger.pendingApprovals()).isEmpty();
        CloudEvent<ApprovalDecided> late = ApprovalPolicyTests.decision(ApprovalPolicyTests.Attempt.approve("bob"));
        assertThat(describe(policy.decide(late, CHATOPS, rules(), ledger, NOW))).isEqualTo("refused ALREADY_DECIDED");
    }

    @Test
    void rulesTakeThePreviousEnvironmentsRollbackServiceAsTheOnlyWithdrawer() {
        var environments = io.stagecoach.platform.environments.Environments.loadDefault();
        ApprovalRules rules = ApprovalRules.of(environments, environments.get("prod"),
                io.stagecoach.platform.topology.Provenance.of(environments));

        assertThat(rules.withdrawers()).containsExactly(STAGING_ROLLBACK);
    }

    static ApprovalRules rules() {
        return new ApprovalRules(ENV, Set.of(CHATOPS), Set.of("alice", "bob", "carol", "jane"), 1,
                ApprovalPolicyTests.TTL, Set.of(STAGING_ROLLBACK));
    }

    /** The request {@link ApprovalPolicyTests#ledger} holds as pending. */
    static CloudEvent<ApprovalRequested> pendingRequest() {
        return ApprovalPolicyTests.request(REQUEST_ID, RELEASE, NOW.minus(Duration.ofHours(1)),
                NOW.plus(Duration.ofHours(23)));
    }

    static CloudEvent<ReleaseWithdrawn> withdrawal(Release release) {
        String asked = EventIds.derive("rollback.requested", "staging", release.digest());
        return CloudEvent.of(new ReleaseWithdrawn(release, ENV, "staging",
                        new Trigger(Trigger.Type.ROLLBACK_REQUESTED, asked),
                        release.version() + " was rolled back in staging by sam"),
                "/stagecoach/staging/rollback", ENV, EventIds.derive("run", "1"), asked,
                EventIds.derive(asked, "release.withdrawn", release.digest())).withTime(Instant.parse(
                        "2026-11-26T11:59:00Z"));
    }

    private static String describe(Verdict verdict) {
        if (verdict instanceof Verdict.Refused refused) {
            return "refused " + refused.reason();
        }
        return verdict instanceof Verdict.Granted ? "granted" : verdict.getClass().getSimpleName();
    }
}
