package io.stagecoach.approval;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalDecided.Decision;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.ApprovalRefused.Reason;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.Verification;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.EnvironmentLedger.Opened;
import io.stagecoach.ledger.EnvironmentLedger.PendingApproval;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ApprovalPolicyTests {

    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    static final String ENV = "prod";
    static final String CHATOPS = "prod-chatops";
    static final String REQUEST_ID = EventIds.derive("request", "1");
    static final String RUN = EventIds.derive("run", "1");
    static final Release RELEASE = release("1.4.2", "4d3e");
    static final Release OTHER_DIGEST = release("1.4.2", "ffff");
    static final Release OTHER_VERSION = release("1.4.3", "4d3e");
    static final Verification STAGING = new Verification("staging", EventIds.derive("smoke", "1"));
    static final Duration TTL = Duration.ofHours(24);
    /** When the request under judgement was opened here, unless a row says otherwise. */
    static final Instant OPENED_AT = NOW.minus(Duration.ofHours(1));
    static final Instant LONG_AGO = Instant.parse("2001-01-01T00:00:00Z");
    static final Instant FAR_AHEAD = Instant.parse("2999-01-01T00:00:00Z");

    private final ApprovalPolicy policy = new ApprovalPolicy();
    private final EventCodec codec = new EventCodec();

    /** The state of the request in the ledger before the decision arrives. */
    enum State {
        NONE, PENDING, PAST_EXPIRY, SWEPT_EXPIRED, SUPERSEDED, GRANTED, REJECTED
    }

    /** An earlier approve decision in the ledger: who, published by whom, for which build. */
    record Vote(String approver, String publisher, Release release) {
        static Vote of(String approver) {
            return new Vote(approver, CHATOPS, RELEASE);
        }
    }

    /** The decision under test and its publisher. */
    record Attempt(String publisher, String approver, Decision decision, Release release, boolean override,
                   String reason) {
        static Attempt approve(String approver) {
            return new Attempt(CHATOPS, approver, Decision.APPROVE, RELEASE, false, null);
        }

        Attempt by(String publisher) {
            return new Attempt(publisher, approver, decision, release, override, reason);
        }

        Attempt rejecting(String why) {
            return new Attempt(publisher, approver, Decision.REJECT, release, override, why);
        }

        Attempt naming(Release other) {
            return new Attempt(publisher, approver, decision, other, override, reason);
        }

        Attempt overriding(String why) {
            return new Attempt(publisher, approver, decision, release, true, why);
        }
    }

    static Stream<Arguments> decisions() {
        Attempt alice = Attempt.approve("alice");
        return Stream.of(
                // who published: checked first, whatever the request
                row("no user_id", State.PENDING, 1, List.of(), alice.by(null), "refused MISSING_USER_ID"),
                row("empty user_id", State.PENDING, 1, List.of(), alice.by(""), "refused MISSING_USER_ID"),
                row("the operator's user", State.PENDING, 1, List.of(), alice.by("prod-operator"),
                        "refused UNTRUSTED_PUBLISHER"),
                row("another environment's bot", State.PENDING, 1, List.of(), alice.by("staging-chatops"),
                        "refused UNTRUSTED_PUBLISHER"),
                row("untrusted publisher, unknown request", State.NONE, 1, List.of(), alice.by("prod-operator"),
                        "refused UNTRUSTED_PUBLISHER"),
                row("no user_id, granted request", State.GRANTED, 1, List.of(), alice.by(null),
                        "refused MISSING_USER_ID"),
                // the request's state
                row("unknown request", State.NONE, 1, List.of(), alice, "refused UNKNOWN_REQUEST"),
                row("replay after a grant", State.GRANTED, 1, List.of(), alice, "refused ALREADY_DECIDED"),
                row("approval after a rejection", State.REJECTED, 1, List.of(), alice, "refused ALREADY_DECIDED"),
                row("superseded request", State.SUPERSEDED, 1, List.of(), alice, "refused SUPERSEDED"),
                row("expired by the sweep", State.SWEPT_EXPIRED, 1, List.of(), alice, "refused EXPIRED"),
                row("past expiry, not swept yet", State.PAST_EXPIRY, 1, List.of(), alice, "refused EXPIRED"),
                // the decision itself
                row("another digest", State.PENDING, 1, List.of(), alice.naming(OTHER_DIGEST),
                        "refused DIGEST_MISMATCH"),
                row("another version", State.PENDING, 1, List.of(), alice.naming(OTHER_VERSION),
                        "refused DIGEST_MISMATCH"),
                row("not an approver", State.PENDING, 1, List.of(), Attempt.approve("mallory"),
                        "refused NOT_AN_APPROVER"),
                row("the author approves", State.PENDING, 1, List.of(), Attempt.approve("jane"),
                        "refused SELF_APPROVAL"),
                row("the author rejects", State.PENDING, 1, List.of(), Attempt.approve("jane").rejecting("no"),
                        "refused SELF_APPROVAL"),
                row("the author overrides", State.PENDING, 1, List.of(), Attempt.approve("jane").overriding("hotfix"),
                        "refused SELF_APPROVAL"),
                row("override without reason", State.PENDING, 1, List.of(), alice.overriding(null),
                        "refused OVERRIDE_WITHOUT_REASON"),
                row("override with a blank reason", State.PENDING, 1, List.of(), alice.overriding("  "),
                        "refused OVERRIDE_WITHOUT_REASON"),
                // accepted decisions
                row("reject", State.PENDING, 1, List.of(), alice.rejecting("breaks the API"), "rejected"),
                row("reject without reason", State.PENDING, 2, List.of(Vote.of("bob")), alice.rejecting(null),
                        "rejected"),
                row("grant", State.PENDING, 1, List.of(), alice, "granted [alice]"),
                row("first of two", State.PENDING, 2, List.of(), alice, "vote [alice] of 2"),
                row("second of two", State.PENDING, 2, List.of(Vote.of("bob")), alice, "granted [bob, alice]"),
                row("same person twice", State.PENDING, 2, List.of(Vote.of("alice")), alice, "vote [alice] of 2"),
                row("earlier vote without user_id", State.PENDING, 2, List.of(new Vote("bob", null, RELEASE)), alice,
                        "vote [alice] of 2"),
                row("earlier vote from an untrusted publisher", State.PENDING, 2,
                        List.of(new Vote("bob", "prod-operator", RELEASE)), alice, "vote [alice] of 2"),
                row("earlier vote by a non-approver", State.PENDING, 2, List.of(Vote.of("mallory")), alice,
                        "vote [alice] of 2"),
                row("earlier vote by the author", State.PENDING, 2, List.of(Vote.of("jane")), alice,
                        "vote [alice] of 2"),
                row("earlier vote for another digest", State.PENDING, 2,
                        List.of(new Vote("bob", CHATOPS, OTHER_DIGEST)), alice, "vote [alice] of 2"),
                row("override grants alone", State.PENDING, 2, List.of(), alice.overriding("CVE-2026-1234 hotfix"),
                        "override [alice]"));
    }

    @ParameterizedTest(name = "{0} -> {4}")
    @MethodSource("decisions")
    void decidesByTheTable(String description, State state, int minApprovals, List<Vote> earlierVotes,
            Attempt attempt, String expected) {
        ApprovalRules rules = rules(minApprovals);
        EnvironmentLedger ledger = ledger(state);
        earlierVotes.forEach(vote -> apply(ledger, decision(new Attempt(vote.publisher(), vote.approver(),
                Decision.APPROVE, vote.release(), false, null)), vote.publisher()));
        CloudEvent<ApprovalDecided> decision = decision(attempt);
        // after catching up, the ledger holds the decision under judgement as well
        apply(ledger, decision, attempt.publisher());

        Verdict verdict = policy.decide(decision, attempt.publisher(), rules, ledger, NOW);

        assertThat(describe(verdict)).isEqualTo(expected);
        verdict.events().forEach(event -> assertThat(codec.encode(event)).isNotEmpty());
    }

    @Test
    void duringAFreezeAnOverrideTakesASecondPersonsOverrideAndAnApprovalIsGrantedAsUsual() {
        java.time.LocalDate today = NOW.atZone(java.time.ZoneOffset.UTC).toLocalDate();
        var freeze = new io.stagecoach.platform.environments.FreezeSchedule(java.time.ZoneOffset.UTC, List.of(),
                List.of(new io.stagecoach.platform.environments.FreezeSchedule.Dates(today, today)));
        ApprovalRules base = rules(1);
        ApprovalRules frozen = new ApprovalRules(base.environment(), base.decisionPublishers(), base.approvers(), 1,
                base.approvalTtl(), base.withdrawers(), freeze);

        EnvironmentLedger ledger = ledger(State.PENDING);
        CloudEvent<ApprovalDecided> first = decision(Attempt.approve("alice").overriding("INC-42: the fix"));
        apply(ledger, first, CHATOPS);
        assertThat(describe(policy.decide(first, CHATOPS, frozen, ledger, NOW))).isEqualTo("vote [alice] of 2");

        CloudEvent<ApprovalDecided> second = decision(Attempt.approve("bob").overriding("INC-42, seen it too"));
        apply(ledger, second, CHATOPS);
        Verdict verdict = policy.decide(second, CHATOPS, frozen, ledger, NOW);
        assertThat(describe(verdict)).isEqualTo("override [alice, bob]");
        assertThat(((Verdict.Granted) verdict).promotion().data().reason())
                .isEqualTo(io.stagecoach.events.PromotionRequested.Reason.OVERRIDE);

        CloudEvent<ApprovalDecided> plain = decision(Attempt.approve("alice"));
        EnvironmentLedger other = ledger(State.PENDING);
        apply(other, plain, CHATOPS);
        assertThat(describe(policy.decide(plain, CHATOPS, frozen, other, NOW))).as("an approval, parked later by "
                + "the promotion service").isEqualTo("granted [alice]");
    }

    @Test
    void refusalNamesTheAttemptedApproverThePublisherAndTheReasonAndLeavesTheRequestPending() {
        EnvironmentLedger ledger = ledger(State.PENDING);
        CloudEvent<ApprovalDecided> decision = decision(Attempt.approve("jane"));

        Verdict.Refused refused = (Verdict.Refused) policy.decide(decision, CHATOPS, rules(1), ledger, NOW);

        var data = refused.refusal().data();
        assertThat(data.reason()).isEqualTo(Reason.SELF_APPROVAL);
        assertThat(data.attemptedBy()).isEqualTo("jane");
        assertThat(data.publisher()).isEqualTo(CHATOPS);
        assertThat(data.requestId()).isEqualTo(REQUEST_ID);
        assertThat(data.release()).isEqualTo(RELEASE);
        assertThat(data.message()).contains("jane").contains("authored");
        assertThat(refused.refusal().causationid()).isEqualTo(decision.id());
        assertThat(refused.refusal().routingKey()).isEqualTo("approval.refused.prod");
        assertThat(refused.events()).containsExactly(refused.refusal());
        assertThat(ledger.pending(REQUEST_ID)).isPresent();
    }

    @Test
    void refusalWithoutUserIdLeavesThePublisherOutAndAnUnknownRequestUnnamed() {
        CloudEvent<ApprovalDecided> decision = decision(Attempt.approve("alice").by(null));

        Verdict.Refused refused = (Verdict.Refused) policy.decide(decision, null, rules(1), ledger(State.NONE), NOW);

        assertThat(refused.refusal().data().publisher()).isNull();
        assertThat(refused.refusal().data().requestId()).isNull();
        assertThat(refused.refusal().data().release()).isNull();
    }

    @Test
    void grantAsksForAnApprovedPromotionRestingOnTheRequestsVerification() {
        EnvironmentLedger ledger = ledger(State.PENDING);
        apply(ledger, decision(Attempt.approve("bob")), CHATOPS);
        CloudEvent<ApprovalDecided> decision = decision(Attempt.approve("alice"));

        Verdict.Granted granted = (Verdict.Granted) policy.decide(decision, CHATOPS, rules(2), ledger, NOW);

        ApprovalGranted grant = granted.grant().data();
        assertThat(grant.approvers()).containsExactly("bob", "alice");
        assertThat(grant.override()).isFalse();
        assertThat(grant.overrideReason()).isNull();
        assertThat(grant.waitedSeconds()).isEqualTo(Duration.ofHours(1).toSeconds());
        assertThat(granted.grant().routingKey()).isEqualTo("approval.granted.prod");
        PromotionRequested promotion = granted.promotion().data();
        assertThat(granted.promotion().routingKey()).isEqualTo("promotion.requested.prod");
        assertThat(promotion.reason()).isEqualTo(PromotionRequested.Reason.APPROVED);
        assertThat(promotion.release()).isEqualTo(RELEASE);
        assertThat(promotion.targetEnvironment()).isEqualTo(ENV);
        assertThat(promotion.verifiedIn()).isEqualTo(STAGING);
        assertThat(promotion.approval().requestId()).isEqualTo(REQUEST_ID);
        assertThat(promotion.approval().approvers()).containsExactly("bob", "alice");
        assertThat(granted.promotion().causationid()).isEqualTo(granted.grant().id());
        assertThat(granted.events()).containsExactly(granted.grant(), granted.promotion());
    }

    @Test
    void overrideIsAuditedWithItsReasonAndAsksForAnOverridePromotion() {
        CloudEvent<ApprovalDecided> decision = decision(Attempt.approve("alice").overriding("CVE hotfix"));

        Verdict.Granted granted = (Verdict.Granted) policy.decide(decision, CHATOPS, rules(2), ledger(State.PENDING),
                NOW);

        assertThat(granted.grant().data().override()).isTrue();
        assertThat(granted.grant().data().overrideReason()).isEqualTo("CVE hotfix");
        assertThat(granted.promotion().data().reason()).isEqualTo(PromotionRequested.Reason.OVERRIDE);
        assertThat(granted.promotion().data().approval().approvers()).containsExactly("alice");
    }

    @Test
    void rejectionEndsTheRequestWithTheApproversReason() {
        CloudEvent<ApprovalDecided> decision = decision(Attempt.approve("bob").rejecting("breaks the API"));

        Verdict.Rejected rejected = (Verdict.Rejected) policy.decide(decision, CHATOPS, rules(1),
                ledger(State.PENDING), NOW);

        ApprovalRejected data = rejected.rejection().data();
        assertThat(data.rejectedBy()).isEqualTo("bob");
        assertThat(data.reason()).isEqualTo("breaks the API");
        assertThat(rejected.rejection().id())
                .isEqualTo(ApprovalPolicy.endingId(REQUEST_ID, EventType.APPROVAL_REJECTED, ENV));
        assertThat(rejected.rejection().routingKey()).isEqualTo("approval.rejected.prod");
        assertThat(rejected.events()).containsExactly(rejected.rejection());
    }

    @Test
    void aVoteThatNeedsMoreApproversAnnouncesNothing() {
        EnvironmentLedger ledger = ledger(State.PENDING);
        CloudEvent<ApprovalDecided> decision = decision(Attempt.approve("alice"));
        apply(ledger, decision, CHATOPS);

        Verdict.VoteRecorded vote = (Verdict.VoteRecorded) policy.decide(decision, CHATOPS, rules(2), ledger, NOW);

        assertThat(vote.approvers()).containsExactly("alice");
        assertThat(vote.needed()).isEqualTo(2);
        assertThat(vote.events()).as("the decision in the audit stream is the vote").isEmpty();
    }

    @Test
    void anotherDecisionGrantingTheSameRequestYieldsTheSameIds() {
        Verdict.Granted first = (Verdict.Granted) policy.decide(decision(Attempt.approve("alice")), CHATOPS,
                rules(1), ledger(State.PENDING), NOW);
        Verdict.Granted second = (Verdict.Granted) policy.decide(decision(Attempt.approve("bob")), CHATOPS,
                rules(1), ledger(State.PENDING), NOW.plusSeconds(5));

        assertThat(second.grant().id()).isEqualTo(first.grant().id());
        assertThat(second.promotion().id()).isEqualTo(first.promotion().id())
                .isEqualTo(ApprovalPolicy.promotionId(REQUEST_ID, ENV));
    }

    @Test
    void theSameRefusedDecisionYieldsTheSameRefusalId() {
        CloudEvent<ApprovalDecided> decision = decision(Attempt.approve("mallory"));

        Verdict first = policy.decide(decision, CHATOPS, rules(1), ledger(State.PENDING), NOW);
        Verdict again = policy.decide(decision, CHATOPS, rules(1), ledger(State.PENDING), NOW.plusSeconds(60));

        assertThat(again.events().get(0).id()).isEqualTo(first.events().get(0).id());
    }

    /** What a request claims about its own times, written by staging's clock; none of it may change a decision. */
    enum Claim {
        HONEST(OPENED_AT, OPENED_AT.plus(TTL)),
        EXPIRED_LONG_AGO(LONG_AGO, LONG_AGO.plusSeconds(60)),
        NEVER_EXPIRES(LONG_AGO, FAR_AHEAD),
        REQUESTED_IN_THE_FUTURE(FAR_AHEAD, FAR_AHEAD.plusSeconds(60));

        final Instant requestedAt;
        final Instant expiresAt;

        Claim(Instant requestedAt, Instant expiresAt) {
            this.requestedAt = requestedAt;
            this.expiresAt = expiresAt;
        }
    }

    static Stream<Arguments> requestTimesThatDecideNothing() {
        return Stream.of(Claim.values()).flatMap(claim -> Stream.of(
                arguments(claim, false, "granted [alice]"),
                arguments(claim, true, "refused EXPIRED")));
    }

    @ParameterizedTest(name = "request claims {0}, opening expired: {1} -> {2}")
    @MethodSource("requestTimesThatDecideNothing")
    void expiryAndWaitGoByTheOpeningWhateverTheRequestClaims(Claim claim, boolean openingExpired, String expected) {
        EnvironmentLedger ledger = new EnvironmentLedger(ENV, PROVENANCE);
        CloudEvent<ApprovalRequested> request = request(REQUEST_ID, RELEASE, claim.requestedAt, claim.expiresAt);
        apply(ledger, request, "staging-promotion");
        open(ledger, request, OPENED_AT, openingExpired ? NOW.minusSeconds(1) : NOW.plusSeconds(1));
        CloudEvent<ApprovalDecided> decision = decision(Attempt.approve("alice"));
        apply(ledger, decision, CHATOPS);

        Verdict verdict = policy.decide(decision, CHATOPS, rules(1), ledger, NOW);

        assertThat(describe(verdict)).isEqualTo(expected);
        if (verdict instanceof Verdict.Granted granted) {
            assertThat(granted.waited()).isEqualTo(Duration.between(OPENED_AT, NOW));
            assertThat(granted.grant().data().waitedSeconds()).isEqualTo(Duration.ofHours(1).toSeconds());
        }
    }

    static Stream<Arguments> supersessionWhenADecisionComes() {
        return Stream.of(
                arguments("opened before another request of the service", Claim.HONEST, Claim.HONEST, true,
                        "refused SUPERSEDED"),
                arguments("opened before, though it claims to be requested last", Claim.REQUESTED_IN_THE_FUTURE,
                        Claim.EXPIRED_LONG_AGO, true, "refused SUPERSEDED"),
                arguments("opened before, though the other claims to have expired", Claim.NEVER_EXPIRES,
                        Claim.EXPIRED_LONG_AGO, true, "refused SUPERSEDED"),
                arguments("opened after another request of the service", Claim.HONEST, Claim.HONEST, false,
                        "granted [alice]"),
                arguments("opened after, though it claims to be requested long ago", Claim.EXPIRED_LONG_AGO,
                        Claim.REQUESTED_IN_THE_FUTURE, false, "granted [alice]"));
    }

    @ParameterizedTest(name = "{0} -> {4}")
    @MethodSource("supersessionWhenADecisionComes")
    void aDecisionOnARequestOpenedBeforeAnotherOfItsServiceIsRefusedWhateverTheRequestsClaim(String description,
            Claim judgedClaims, Claim otherClaims, boolean judgedOpenedFirst, String expected) {
        EnvironmentLedger ledger = new EnvironmentLedger(ENV, PROVENANCE);
        CloudEvent<ApprovalRequested> judged = request(REQUEST_ID, RELEASE, judgedClaims.requestedAt,
                judgedClaims.expiresAt);
        CloudEvent<ApprovalRequested> other = request(EventIds.derive("request", "other"), OTHER_VERSION,
                otherClaims.requestedAt, otherClaims.expiresAt);
        apply(ledger, judged, "staging-promotion");
        apply(ledger, other, "staging-promotion");
        List<CloudEvent<ApprovalRequested>> openingOrder = judgedOpenedFirst ? List.of(judged, other)
                : List.of(other, judged);
        openingOrder.forEach(request -> open(ledger, request, OPENED_AT, OPENED_AT.plus(TTL)));
        CloudEvent<ApprovalDecided> decision = decision(Attempt.approve("alice"));
        apply(ledger, decision, CHATOPS);

        Verdict verdict = policy.decide(decision, CHATOPS, rules(1), ledger, NOW);

        assertThat(describe(verdict)).isEqualTo(expected);
    }

    static Stream<Arguments> openings() {
        return Stream.of(Claim.values()).map(Arguments::of);
    }

    @ParameterizedTest(name = "request claims {0}")
    @MethodSource("openings")
    void anOpeningIsTheReceiptNowAndExpiresAfterThisEnvironmentsTtlWhateverTheRequestClaims(Claim claim) {
        CloudEvent<ApprovalRequested> request = request(REQUEST_ID, RELEASE, claim.requestedAt, claim.expiresAt);
        PendingApproval pending = new PendingApproval(request.data(), request.id(), request.time(),
                request.correlationid());
        Instant receivedAt = Instant.parse("2026-11-26T12:00:00.123456789Z");

        CloudEvent<ApprovalOpened> opening = policy.opening(pending, rules(1), receivedAt);

        assertThat(opening.time()).isEqualTo(Instant.parse("2026-11-26T12:00:00.123Z"));
        assertThat(opening.data().expiresAt()).isEqualTo(Instant.parse("2026-11-27T12:00:00.123Z"));
        assertThat(opening.data().requestId()).isEqualTo(REQUEST_ID);
        assertThat(opening.data().release()).isEqualTo(RELEASE);
        assertThat(opening.routingKey()).isEqualTo("approval.opened.prod");
        assertThat(opening.source()).isEqualTo("/stagecoach/prod/approval");
        assertThat(opening.causationid()).isEqualTo(request.id());
        assertThat(opening.correlationid()).isEqualTo(request.correlationid());
        // a redelivered or replayed request, opened later or by another instance, is the same opening
        assertThat(opening.id()).isEqualTo(ApprovalPolicy.openingId(REQUEST_ID, ENV))
                .isEqualTo(policy.opening(pending, rules(1), receivedAt.plusSeconds(3600)).id());
        assertThat(codec.encode(opening)).isNotEmpty();
    }

    static Stream<Arguments> endings() {
        Instant live = NOW.plusSeconds(60);
        return Stream.of(
                arguments("one live request", List.of(waiting("a", "svc", "1.0.0", live)), List.of()),
                arguments("one past its expiry", List.of(waiting("a", "svc", "1.0.0", NOW)), List.of("a EXPIRED")),
                arguments("a newer release of the same service",
                        List.of(waiting("a", "svc", "1.0.0", live), waiting("b", "svc", "1.1.0", live)),
                        List.of("a SUPERSEDED by 1.1.0")),
                arguments("the one opened last supersedes, whatever its version",
                        List.of(waiting("b", "svc", "1.1.0", live), waiting("a", "svc", "1.0.0", live)),
                        List.of("b SUPERSEDED by 1.0.0")),
                arguments("two services do not supersede each other",
                        List.of(waiting("a", "svc", "1.0.0", live), waiting("b", "other", "1.1.0", live)),
                        List.of()),
                arguments("an older one past its expiry expires",
                        List.of(waiting("a", "svc", "1.0.0", NOW.minusSeconds(1)), waiting("b", "svc", "1.1.0", live)),
                        List.of("a EXPIRED")),
                arguments("three of one service",
                        List.of(waiting("a", "svc", "1.0.0", live), waiting("b", "svc", "1.1.0", live),
                                waiting("c", "svc", "1.2.0", live)),
                        List.of("a SUPERSEDED by 1.2.0", "b SUPERSEDED by 1.2.0")),
                // what the requests claim about their own times changes none of the above
                arguments("a request that claims it expired long ago is live while its opening is",
                        List.of(waiting("a", "svc", "1.0.0", live, Claim.EXPIRED_LONG_AGO)), List.of()),
                arguments("a request that claims it never expires expires with its opening",
                        List.of(waiting("a", "svc", "1.0.0", NOW, Claim.NEVER_EXPIRES)), List.of("a EXPIRED")),
                arguments("a request opened first is superseded though it claims to be requested last",
                        List.of(waiting("a", "svc", "1.0.0", live, Claim.REQUESTED_IN_THE_FUTURE),
                                waiting("b", "svc", "1.1.0", live, Claim.EXPIRED_LONG_AGO)),
                        List.of("a SUPERSEDED by 1.1.0")),
                arguments("a request opened last supersedes though it claims to be requested long ago",
                        List.of(waiting("a", "svc", "1.0.0", live, Claim.HONEST),
                                waiting("b", "svc", "1.1.0", live, Claim.NEVER_EXPIRES)),
                        List.of("a SUPERSEDED by 1.1.0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endings")
    void endsPendingRequestsByTheTable(String description, List<ApprovalPolicy.Waiting> waiting,
            List<String> expected) {
        List<CloudEvent<ApprovalExpired>> endings = policy.endings(waiting, ENV, NOW);

        assertThat(endings).map(ApprovalPolicyTests::label).containsExactlyElementsOf(expected);
        endings.forEach(ending -> assertThat(codec.encode(ending)).isNotEmpty());
    }

    @Test
    void anEndingHasOneIdWhoeverNoticesItAndWhyever() {
        ApprovalPolicy.Waiting old = waiting("a", "svc", "1.0.0", NOW.plusSeconds(60));
        ApprovalPolicy.Waiting newer = waiting("b", "svc", "1.1.0", NOW.plusSeconds(60));

        CloudEvent<ApprovalExpired> superseded = policy.endings(List.of(old, newer), ENV, NOW).get(0);
        CloudEvent<ApprovalExpired> sweptAgain = policy.endings(List.of(old, newer), ENV, NOW.plusSeconds(30)).get(0);
        CloudEvent<ApprovalExpired> expired = policy.endings(List.of(old), ENV, NOW.plusSeconds(61)).get(0);

        assertThat(superseded.data().reason()).isEqualTo(ApprovalExpired.Reason.SUPERSEDED);
        assertThat(superseded.causationid()).as("the newer request's opening").isEqualTo(newer.opened().eventId());
        assertThat(superseded.correlationid()).isEqualTo(old.pending().correlationId());
        assertThat(expired.data().reason()).isEqualTo(ApprovalExpired.Reason.EXPIRED);
        assertThat(expired.causationid()).as("its own opening").isEqualTo(old.opened().eventId());
        assertThat(sweptAgain.id()).isEqualTo(superseded.id());
        assertThat(expired.id()).isEqualTo(superseded.id())
                .isEqualTo(ApprovalPolicy.endingId(old.pending().requestId(), EventType.APPROVAL_EXPIRED, ENV));
    }

    @Test
    void rulesTakeTheConfiguredDecisionPublishersAndExpandTeams() {
        var environments = io.stagecoach.platform.environments.Environments.loadDefault();
        ApprovalRules rules = ApprovalRules.of(environments, environments.get("prod"),
                io.stagecoach.platform.topology.Provenance.of(environments));

        assertThat(rules.environment()).isEqualTo("prod");
        assertThat(rules.decisionPublishers()).containsExactly("prod-chatops");
        assertThat(rules.approvers()).containsExactly("alice", "bob");
        assertThat(rules.minApprovals()).isEqualTo(1);
    }

    private static String label(CloudEvent<ApprovalExpired> ending) {
        return NAMES.get(ending.data().requestId()) + " " + ending.data().reason()
                + (ending.data().supersededBy() == null ? "" : " by " + ending.data().supersededBy());
    }

    static String describe(Verdict verdict) {
        if (verdict instanceof Verdict.Refused refused) {
            return "refused " + refused.reason();
        }
        if (verdict instanceof Verdict.Rejected) {
            return "rejected";
        }
        if (verdict instanceof Verdict.VoteRecorded vote) {
            return "vote " + vote.approvers() + " of " + vote.needed();
        }
        Verdict.Granted granted = (Verdict.Granted) verdict;
        return (granted.grant().data().override() ? "override " : "granted ") + granted.grant().data().approvers();
    }

    private static Arguments row(String description, State state, int minApprovals, List<Vote> votes,
            Attempt attempt, String expected) {
        return arguments(description, state, minApprovals, votes, attempt, expected);
    }

    static ApprovalRules rules(int minApprovals) {
        return new ApprovalRules(ENV, Set.of(CHATOPS), Set.of("alice", "bob", "carol", "jane"), minApprovals, TTL,
                Set.of("staging-rollback"));
    }

    static final io.stagecoach.platform.topology.Provenance PROVENANCE =
            io.stagecoach.platform.topology.Provenance.of(io.stagecoach.platform.environments.Environments.loadDefault());

    /** Folds {@code event} as the audit stream would hand it over: under its type's key, with its publisher. */
    static void apply(EnvironmentLedger ledger, CloudEvent<?> event, String publisher) {
        ledger.apply(new io.stagecoach.ledger.AuditRecord(event, event.eventType().routingKey(event.environment()),
                publisher, -1));
    }

    static EnvironmentLedger ledger(State state) {
        EnvironmentLedger ledger = new EnvironmentLedger(ENV, PROVENANCE);
        if (state == State.NONE) {
            return ledger;
        }
        // the request says what staging's clock said; the opening is prod's own
        CloudEvent<ApprovalRequested> request = request(REQUEST_ID, RELEASE, OPENED_AT, OPENED_AT.plus(TTL));
        apply(ledger, request, "staging-promotion");
        open(ledger, request, OPENED_AT, state == State.PAST_EXPIRY ? NOW.minusSeconds(60) : OPENED_AT.plus(TTL));
        UnaryOperator<String> id = type -> EventIds.derive(REQUEST_ID, type);
        switch (state) {
            case SWEPT_EXPIRED -> apply(ledger, CloudEvent.of(new ApprovalExpired(REQUEST_ID, RELEASE, ENV,
                    ApprovalExpired.Reason.EXPIRED, null), "/stagecoach/prod/approval", ENV, RUN, request.id(),
                    id.apply("expired")), "prod-approval");
            case SUPERSEDED -> apply(ledger, CloudEvent.of(new ApprovalExpired(REQUEST_ID, RELEASE, ENV,
                    ApprovalExpired.Reason.SUPERSEDED, "1.5.0"), "/stagecoach/prod/approval", ENV, RUN, request.id(),
                    id.apply("superseded")), "prod-approval");
            case GRANTED -> apply(ledger, CloudEvent.of(new ApprovalGranted(REQUEST_ID, RELEASE, ENV,
                    List.of("bob"), 60, false, null), "/stagecoach/prod/approval", ENV, RUN, request.id(),
                    id.apply("granted")), "prod-approval");
            case REJECTED -> apply(ledger, CloudEvent.of(new ApprovalRejected(REQUEST_ID, RELEASE, ENV, "bob", "no"),
                    "/stagecoach/prod/approval", ENV, RUN, request.id(), id.apply("rejected")), "prod-approval");
            default -> {
            }
        }
        return ledger;
    }

    private static int decisions;

    static CloudEvent<ApprovalDecided> decision(Attempt attempt) {
        Release named = attempt.release();
        ApprovalDecided decided = new ApprovalDecided(REQUEST_ID, named.service(), named.version(), named.digest(),
                ENV, attempt.decision(), attempt.approver(), attempt.reason(), attempt.override());
        return CloudEvent.of(decided, "/stagecoach/prod/chatops", ENV, RUN, EventIds.derive(REQUEST_ID, "request"),
                EventIds.derive("decision", String.valueOf(++decisions))).withTime(NOW.minusSeconds(10));
    }

    static CloudEvent<ApprovalRequested> request(String requestId, Release release, Instant requestedAt,
            Instant expiresAt) {
        ApprovalRequested requested = new ApprovalRequested(requestId, release, ENV, List.of("sre-team"), 1,
                requestedAt, expiresAt, STAGING);
        return CloudEvent.of(requested, "/stagecoach/staging/promotion", ENV, RUN, STAGING.eventId(),
                EventIds.derive(requestId, "request")).withTime(requestedAt);
    }

    /** This environment's opening of {@code request}, at {@code at}, expiring at {@code expiresAt}. */
    static void open(EnvironmentLedger ledger, CloudEvent<ApprovalRequested> request, Instant at, Instant expiresAt) {
        ApprovalRequested data = request.data();
        apply(ledger, CloudEvent.of(new ApprovalOpened(data.requestId(), data.release(), ENV, expiresAt),
                "/stagecoach/prod/approval", ENV, request.correlationid(), request.id(),
                ApprovalPolicy.openingId(data.requestId(), ENV)).withTime(at), "prod-approval");
    }

    /** Names of the requests in the endings table, by request id. */
    private static final Map<String, String> NAMES = new ConcurrentHashMap<>();
    /** The order of opening of the endings table's requests: each one built is opened after the one before. */
    private static long openings;

    /** A pending request named {@code name}, opened after every one built before it, that claims honest times. */
    static ApprovalPolicy.Waiting waiting(String name, String service, String version, Instant expiresAt) {
        return waiting(name, service, version, expiresAt, Claim.HONEST);
    }

    /** A pending request named {@code name}, opened after every one built before it, claiming {@code claim}. */
    static ApprovalPolicy.Waiting waiting(String name, String service, String version, Instant expiresAt,
            Claim claim) {
        Release release = new Release(service, version, "ghcr.io/acme/" + service, digest(name), commit(name),
                "jane");
        String requestId = EventIds.derive("request", name);
        NAMES.put(requestId, name);
        CloudEvent<ApprovalRequested> request = request(requestId, release, claim.requestedAt, claim.expiresAt);
        PendingApproval pending = new PendingApproval(request.data(), request.id(), request.time(),
                request.correlationid());
        Opened opened = new Opened(requestId, ApprovalPolicy.openingId(requestId, ENV), OPENED_AT, expiresAt,
                openings++);
        return new ApprovalPolicy.Waiting(pending, opened);
    }

    static Release release(String version, String digestSeed) {
        return new Release("knative-lambda-builder", version, "ghcr.io/acme/knative-lambda-builder",
                digest(digestSeed), commit(digestSeed), "jane");
    }

    static String digest(String seed) {
        return "sha256:" + hex(seed, 64);
    }

    static String commit(String seed) {
        return hex(seed, 40);
    }

    private static String hex(String seed, int length) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; hex.length() < length; i++) {
            hex.append(EventIds.derive(seed, String.valueOf(i)).replace("-", ""));
        }
        return hex.substring(0, length);
    }
}
