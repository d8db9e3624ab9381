package io.stagecoach.approval;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRefused.Reason;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.Trigger;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.support.StagecoachMessagingAutoConfiguration;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.amqp.rabbit.listener.MessageListenerContainer;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The approval service of prod against a real broker: requests cross the shovel from staging as staging's
 * promotion service sends them, decisions come as the chat bot (or an intruder) publishes them, and every
 * outcome is read back from prod's audit stream.
 */
@RealPipeline
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ApprovalFlowTests {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Instant LONG_AGO = Instant.parse("2001-01-01T00:00:00Z");
    static final Instant FAR_AHEAD = Instant.parse("2999-01-01T00:00:00Z");

    static TestBroker broker;
    static TestPipeline pipeline;
    static RequestTrail prod;

    @Autowired
    MeterRegistry meters;

    @Autowired
    RabbitListenerEndpointRegistry listeners;

    @Autowired
    ApprovalHandler handler;

    private final EventCodec codec = new EventCodec();

    @BeforeAll
    static void followProd() throws Exception {
        prod = new RequestTrail(pipeline.audit("prod"));
    }

    @DynamicPropertySource
    static void prodApprovalService(DynamicPropertyRegistry registry) {
        TestPipeline.register(registry, () -> broker, "prod", "approval");
        registry.add("stagecoach.approval.sweep-interval", () -> "500ms");
    }

    @Test
    void anAllowedApproversApprovalGrantsAndAsksForTheProdPromotion() throws Exception {
        CloudEvent<ApprovalRequested> request = requestIntoProd(Fixtures.release("grant-svc", "1.4.2"));

        CloudEvent<ApprovalDecided> approval = Fixtures.approve(request, "alice");
        decideAsTheChatBot(approval);

        AuditRecord grant = awaitOne(EventType.APPROVAL_GRANTED, request);
        ApprovalGranted granted = (ApprovalGranted) grant.event().data();
        assertThat(grant.routingKey()).isEqualTo("approval.granted.prod");
        assertThat(grant.publisher()).isEqualTo(pipeline.user("prod", Principal.APPROVAL));
        assertThat(granted.approvers()).containsExactly("alice");
        assertThat(granted.release()).isEqualTo(request.data().release());
        assertThat(granted.override()).isFalse();
        assertThat(grant.event().causationid()).isEqualTo(approval.id());

        AuditRecord promotion = awaitOne(EventType.PROMOTION_REQUESTED, request);
        PromotionRequested promoted = (PromotionRequested) promotion.event().data();
        assertThat(promotion.routingKey()).isEqualTo("promotion.requested.prod");
        assertThat(promotion.publisher()).isEqualTo(pipeline.user("prod", Principal.APPROVAL));
        assertThat(promoted.reason()).isEqualTo(PromotionRequested.Reason.APPROVED);
        assertThat(promoted.release()).isEqualTo(request.data().release());
        assertThat(promoted.approval().requestId()).isEqualTo(request.data().requestId());
        assertThat(promoted.approval().approvers()).containsExactly("alice");
        assertThat(promoted.verifiedIn()).isEqualTo(request.data().verifiedIn());
        assertThat(promotion.offset()).isGreaterThan(grant.offset());

        // counted once the publishing returned, which may be a moment after the events are in the stream
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(count(meters.find("stagecoach.approvals").tag("decision", "granted").counter())).isPositive();
            var wait = meters.find("stagecoach.approval.wait").tag("decision", "granted").timer();
            assertThat(wait == null ? 0 : wait.count()).isPositive();
        });
    }

    @Test
    void anOverrideWithAReasonGrantsAloneIsAuditedAndCounted() throws Exception {
        CloudEvent<ApprovalRequested> request = requestIntoProd(Fixtures.release("override-svc", "2.0.1"));
        double overridesBefore = overrides();

        decideAsTheChatBot(Fixtures.decision(request, "bob", ApprovalDecided.Decision.APPROVE, true,
                "CVE-2026-1234: hotfix while staging is down"));

        ApprovalGranted granted = (ApprovalGranted) awaitOne(EventType.APPROVAL_GRANTED, request).event().data();
        assertThat(granted.override()).isTrue();
        assertThat(granted.overrideReason()).isEqualTo("CVE-2026-1234: hotfix while staging is down");
        PromotionRequested promoted = (PromotionRequested) awaitOne(EventType.PROMOTION_REQUESTED, request).event()
                .data();
        assertThat(promoted.reason()).isEqualTo(PromotionRequested.Reason.OVERRIDE);
        assertThat(promoted.approval().approvers()).containsExactly("bob");
        await().atMost(WAIT).untilAsserted(() -> assertThat(overrides()).isEqualTo(overridesBefore + 1));
    }

    /** How a decision reaches the broker. */
    enum Sender {
        CHAT_BOT, CHAT_BOT_WITHOUT_USER_ID, ADMINISTRATOR
    }

    static Stream<Arguments> decisionsThatMayNotCount() {
        return Stream.of(
                arguments("the release's author approves", "bob", "bob", Sender.CHAT_BOT, false, false,
                        Reason.SELF_APPROVAL),
                arguments("someone who is not an approver", "jane", "mallory", Sender.CHAT_BOT, false, false,
                        Reason.NOT_AN_APPROVER),
                arguments("a decision without user_id", "jane", "alice", Sender.CHAT_BOT_WITHOUT_USER_ID, false,
                        false, Reason.MISSING_USER_ID),
                arguments("a decision published by another user", "jane", "alice", Sender.ADMINISTRATOR, false,
                        false, Reason.UNTRUSTED_PUBLISHER),
                arguments("an approval of another digest", "jane", "alice", Sender.CHAT_BOT, true, false,
                        Reason.DIGEST_MISMATCH),
                arguments("an override without a reason", "jane", "alice", Sender.CHAT_BOT, false, true,
                        Reason.OVERRIDE_WITHOUT_REASON));
    }

    @ParameterizedTest(name = "{0}: {6}")
    @MethodSource("decisionsThatMayNotCount")
    void refusesAndAuditsADecisionThatMayNotCountAndTheRequestStaysPending(String description, String author,
            String approver, Sender sender, boolean otherDigest, boolean override, Reason reason) throws Exception {
        Release release = Fixtures.release("refuse-" + reason.name().toLowerCase().replace('_', '-'), "1.0.0");
        release = new Release(release.service(), release.version(), release.image(), release.digest(),
                release.commit(), author);
        CloudEvent<ApprovalRequested> request = requestIntoProd(release);
        CloudEvent<ApprovalDecided> decision = otherDigest
                ? Fixtures.approve(request, approver, Fixtures.withDigest(release, "another build"))
                : Fixtures.decision(request, approver, ApprovalDecided.Decision.APPROVE, override, null);

        String expectedPublisher = switch (sender) {
            case CHAT_BOT -> {
                decideAsTheChatBot(decision);
                yield pipeline.user("prod", Principal.CHATOPS);
            }
            case CHAT_BOT_WITHOUT_USER_ID -> {
                pipeline.as("prod", Principal.CHATOPS).withoutUserId().publish(decision);
                yield null;
            }
            case ADMINISTRATOR -> {
                pipeline.asAdministrator("prod").publish(decision);
                yield pipeline.adminUser();
            }
        };

        ApprovalRefused refused = awaitRefusalOf(decision);
        assertThat(refused.reason()).isEqualTo(reason);
        assertThat(refused.attemptedBy()).isEqualTo(approver);
        assertThat(refused.publisher()).isEqualTo(expectedPublisher);
        assertThat(refused.requestId()).isEqualTo(request.data().requestId());
        assertThat(refused.release()).isEqualTo(release);
        assertThat(refused.message()).isNotBlank();
        assertThat(prod.of(EventType.APPROVAL_GRANTED, request.data().requestId())).isEmpty();
        assertThat(prod.of(EventType.PROMOTION_REQUESTED, request.data().requestId())).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(count(meters.find("stagecoach.events.refused")
                .tag("type", "approval.decided").tag("reason", reason.name().toLowerCase().replace('_', '-'))
                .counter())).isPositive());

        // the refusal left the request pending: an allowed approver can still grant it
        decideAsTheChatBot(Fixtures.approve(request, "alice"));
        awaitOne(EventType.PROMOTION_REQUESTED, request);
    }

    @Test
    void theBrokerRefusesAForgedUserIdAndADecisionFromAUserWithoutTheRight() throws Exception {
        CloudEvent<ApprovalRequested> request = requestIntoProd(Fixtures.release("forged-svc", "3.1.0"));
        CloudEvent<ApprovalDecided> forged = Fixtures.approve(request, "alice");

        // the chat bot's credentials, claiming another user: the broker validates user_id
        assertThatThrownBy(() -> pipeline.as("prod", Principal.CHATOPS)
                .claiming(pipeline.user("prod", Principal.APPROVAL)).publish(forged))
                .satisfies(failure -> assertThat(channelCloseCode(failure)).isEqualTo(406));
        assertThatThrownBy(() -> pipeline.as("prod", Principal.CHATOPS).claiming("alice").publish(forged))
                .satisfies(failure -> assertThat(channelCloseCode(failure)).isEqualTo(406));
        // the operator as itself: its topic permission does not cover approval decisions
        assertThatThrownBy(() -> pipeline.as("prod", Principal.OPERATOR).publish(forged))
                .satisfies(failure -> assertThat(channelCloseCode(failure)).isEqualTo(403));
        // nor claiming to be the chat bot: the topic permission is checked before user_id
        assertThatThrownBy(() -> pipeline.as("prod", Principal.OPERATOR)
                .claiming(pipeline.user("prod", Principal.CHATOPS)).publish(forged))
                .satisfies(failure -> assertThat(channelCloseCode(failure)).isEqualTo(403));

        // none of them reached prod: the request is still pending and an allowed approval grants it
        CloudEvent<ApprovalDecided> approval = Fixtures.approve(request, "bob");
        decideAsTheChatBot(approval);
        AuditRecord grant = awaitOne(EventType.APPROVAL_GRANTED, request);
        assertThat(grant.event().causationid()).isEqualTo(approval.id());
        assertThat(prod.all()).noneMatch(record -> record.event().id().equals(forged.id()));
    }

    @Test
    void prodOpensARequestOnceByItsOwnClockThoughTheRequestClaimsItExpiredLongAgo() throws Exception {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        CloudEvent<ApprovalRequested> request = requestIntoProd(Fixtures.request(
                Fixtures.release("opening-svc", "1.0.0"), LONG_AGO, LONG_AGO.plusSeconds(60)));
        // the same request again, as a redelivery or a replay through the shovel would bring it
        pipeline.publish("staging", Principal.PROMOTION, request);
        await().atMost(WAIT).until(() -> prod.of(EventType.APPROVAL_REQUESTED, request.data().requestId()).size() == 2);

        AuditRecord opening = awaitOne(EventType.APPROVAL_OPENED, request);
        ApprovalOpened opened = (ApprovalOpened) opening.event().data();
        assertThat(opening.routingKey()).isEqualTo("approval.opened.prod");
        assertThat(opening.publisher()).isEqualTo(pipeline.user("prod", Principal.APPROVAL));
        assertThat(opening.event().id()).isEqualTo(ApprovalPolicy.openingId(request.data().requestId(), "prod"));
        assertThat(opening.event().causationid()).isEqualTo(request.id());
        assertThat(opening.event().correlationid()).isEqualTo(request.correlationid());
        assertThat(opening.event().time()).isBetween(before, Instant.now());
        assertThat(opened.expiresAt()).as("prod's approval-ttl after receipt")
                .isEqualTo(opening.event().time().plus(Duration.ofHours(24)));
        assertThat(opened.release()).isEqualTo(request.data().release());

        decideAsTheChatBot(Fixtures.approve(request, "alice"));
        ApprovalGranted granted = (ApprovalGranted) awaitOne(EventType.APPROVAL_GRANTED, request).event().data();
        assertThat(granted.waitedSeconds()).as("waited since prod received it, not since 2001").isLessThan(60);
        awaitOne(EventType.PROMOTION_REQUESTED, request);
        assertThat(prod.of(EventType.APPROVAL_EXPIRED, request.data().requestId())).isEmpty();
        await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(() ->
                assertThat(prod.of(EventType.APPROVAL_OPENED, request.data().requestId())).hasSize(1));
    }

    @Test
    void sweepsOpenNoConnection() throws Exception {
        CloudEvent<ApprovalRequested> request = requestIntoProd(Fixtures.release("sweep-connections-svc", "1.0.0"));
        awaitOne(EventType.APPROVAL_OPENED, request);
        double opened = connectionsOpened();

        for (int i = 0; i < 3; i++) {
            handler.sweep();
        }

        assertThat(opened).as("the inboxes' and the ledger's connections, counted").isGreaterThanOrEqualTo(2);
        assertThat(connectionsOpened()).isEqualTo(opened);
    }

    private double connectionsOpened() {
        return meters.find(StagecoachMessagingAutoConfiguration.CONNECTIONS_OPENED_METER).tag("environment", "prod")
                .meters().stream().mapToDouble(meter -> meter.measure().iterator().next().getValue()).sum();
    }

    @Test
    void aRequestWhoseHandlingWasCutShortIsOpenedByTheSweep() throws Exception {
        MessageListenerContainer requests = listeners.getListenerContainer("approval-requested");
        CloudEvent<ApprovalRequested> request = Fixtures.request(Fixtures.release("sweep-open-svc", "1.0.0"));
        requests.stop();
        try {
            // in the audit stream, so in the ledger, but not taken from the inbox: as after a crash between the two
            requestIntoProd(request);

            AuditRecord opening = awaitOne(EventType.APPROVAL_OPENED, request);
            assertThat(opening.publisher()).isEqualTo(pipeline.user("prod", Principal.APPROVAL));
        } finally {
            requests.start();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(inboxMessages(ApprovalListener.REQUESTED_INBOX)).isZero());
        await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(() ->
                assertThat(prod.of(EventType.APPROVAL_OPENED, request.data().requestId())).hasSize(1));
        decideAsTheChatBot(Fixtures.approve(request, "bob"));
        awaitOne(EventType.PROMOTION_REQUESTED, request);
    }

    @Test
    void theRequestProdOpenedLastSupersedesTheOlderOneWhateverTheirOwnTimesClaim() throws Exception {
        // the older one claims to be requested in the far future, the newer one long ago: prod's order counts
        CloudEvent<ApprovalRequested> older = requestIntoProd(Fixtures.request(
                Fixtures.release("supersede-svc", "1.0.0"), FAR_AHEAD, FAR_AHEAD.plusSeconds(60)));
        awaitOne(EventType.APPROVAL_OPENED, older);
        CloudEvent<ApprovalRequested> newer = requestIntoProd(Fixtures.request(
                Fixtures.release("supersede-svc", "1.1.0"), LONG_AGO, FAR_AHEAD));

        ApprovalExpired superseded = (ApprovalExpired) awaitOne(EventType.APPROVAL_EXPIRED, older).event().data();
        assertThat(superseded.reason()).isEqualTo(ApprovalExpired.Reason.SUPERSEDED);
        assertThat(superseded.supersededBy()).isEqualTo("1.1.0");

        CloudEvent<ApprovalDecided> stale = Fixtures.approve(older, "alice");
        decideAsTheChatBot(stale);
        assertThat(awaitRefusalOf(stale).reason()).isEqualTo(Reason.SUPERSEDED);
        assertThat(prod.of(EventType.PROMOTION_REQUESTED, older.data().requestId())).isEmpty();

        decideAsTheChatBot(Fixtures.approve(newer, "alice"));
        assertThat(((PromotionRequested) awaitOne(EventType.PROMOTION_REQUESTED, newer).event().data()).release()
                .version()).isEqualTo("1.1.0");
        assertThat(prod.of(EventType.APPROVAL_EXPIRED, newer.data().requestId())).isEmpty();
    }

    @Test
    void aReplayedApprovalAfterTheGrantIsRefusedAndPromotesNothingTwice() throws Exception {
        CloudEvent<ApprovalRequested> request = requestIntoProd(Fixtures.release("replay-svc", "5.0.0"));
        CloudEvent<ApprovalDecided> approval = Fixtures.approve(request, "alice");
        decideAsTheChatBot(approval);
        awaitOne(EventType.PROMOTION_REQUESTED, request);

        // the very same message again, then another approver's late yes
        decideAsTheChatBot(approval);
        CloudEvent<ApprovalDecided> late = Fixtures.approve(request, "bob");
        decideAsTheChatBot(late);

        assertThat(awaitRefusalOf(approval).reason()).isEqualTo(Reason.ALREADY_DECIDED);
        assertThat(awaitRefusalOf(late).reason()).isEqualTo(Reason.ALREADY_DECIDED);
        assertThat(prod.of(EventType.APPROVAL_GRANTED, request.data().requestId())).hasSize(1);
        assertThat(prod.of(EventType.PROMOTION_REQUESTED, request.data().requestId())).hasSize(1);
    }

    @Test
    void aGrantWhosePromotionWasNeverPublishedGetsItFromTheSweep() throws Exception {
        CloudEvent<ApprovalRequested> request = requestIntoProd(Fixtures.release("unfinished-svc", "1.0.1"));
        CloudEvent<ApprovalDecided> approval = Fixtures.approve(request, "alice");
        String requestId = request.data().requestId();
        // what an instance that died between its two publishes leaves behind: the grant alone
        ApprovalGranted granted = new ApprovalGranted(requestId, request.data().release(), "prod",
                List.of("alice"), 5, false, null);
        pipeline.publish("prod", Principal.APPROVAL, CloudEvent.of(granted, "/stagecoach/prod/approval", "prod",
                request.correlationid(), approval.id(),
                ApprovalPolicy.endingId(requestId, EventType.APPROVAL_GRANTED, "prod")));

        AuditRecord promotion = awaitOne(EventType.PROMOTION_REQUESTED, request);
        assertThat(promotion.event().id()).isEqualTo(ApprovalPolicy.promotionId(requestId, "prod"));
        PromotionRequested promoted = (PromotionRequested) promotion.event().data();
        assertThat(promoted.reason()).isEqualTo(PromotionRequested.Reason.APPROVED);
        assertThat(promoted.approval().approvers()).containsExactly("alice");
        assertThat(promoted.verifiedIn()).isEqualTo(request.data().verifiedIn());
        await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(() ->
                assertThat(prod.of(EventType.PROMOTION_REQUESTED, requestId)).hasSize(1));
    }

    @Test
    void aReleaseStagingWithdrewEndsItsPendingRequestAndALateApprovalIsRefused() throws Exception {
        CloudEvent<ApprovalRequested> request = requestIntoProd(Fixtures.release("withdrawn-svc", "41.445.1"));
        Release release = request.data().release();
        String alert = io.stagecoach.events.EventIds.derive("alert", release.digest());
        CloudEvent<ReleaseWithdrawn> withdrawal = CloudEvent.of(new ReleaseWithdrawn(release, "prod", "staging",
                        new Trigger(Trigger.Type.ALERT_FIRING, alert), "41.445.1 of withdrawn-svc is held in staging,"
                        + " rolled back to 41.445.0 after alert HighLatency"), "/stagecoach/staging/rollback", "prod",
                request.correlationid(), alert, io.stagecoach.events.EventIds.derive(alert, "withdrawn"));

        // as staging's rollback service: published into staging, it reaches prod through the hand-off shovel
        pipeline.publish("staging", Principal.ROLLBACK, withdrawal);

        AuditRecord ended = awaitOne(EventType.APPROVAL_EXPIRED, request);
        ApprovalExpired expired = (ApprovalExpired) ended.event().data();
        assertThat(expired.reason()).isEqualTo(ApprovalExpired.Reason.WITHDRAWN);
        assertThat(expired.message()).startsWith("staging withdrew 41.445.1: ").contains("alert HighLatency");
        assertThat(ended.event().causationid()).isEqualTo(withdrawal.id());
        assertThat(ended.event().correlationid()).isEqualTo(request.correlationid());
        assertThat(ended.publisher()).isEqualTo(pipeline.user("prod", Principal.APPROVAL));

        CloudEvent<ApprovalDecided> late = Fixtures.approve(request, "bob");
        decideAsTheChatBot(late);

        ApprovalRefused refused = awaitRefusalOf(late);
        assertThat(refused.reason()).isEqualTo(Reason.WITHDRAWN);
        assertThat(refused.message()).contains("withdrew the release");
        assertThat(prod.of(EventType.APPROVAL_GRANTED, request.data().requestId())).isEmpty();
        assertThat(prod.of(EventType.PROMOTION_REQUESTED, request.data().requestId())).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(count(meters.find("stagecoach.approvals")
                .tag("decision", "withdrawn").counter())).isPositive());
    }

    @Test
    void aDecisionThatIsNotAValidEventIsDeadLetteredWithTheReason() throws Exception {
        CloudEvent<ApprovalRequested> request = requestIntoProd(Fixtures.release("invalid-svc", "0.9.0"));
        CloudEvent<ApprovalDecided> decision = Fixtures.approve(request, "alice");
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(codec.encode(decision));
        ((ObjectNode) json.get("data")).remove("approver");

        pipeline.as("prod", Principal.CHATOPS).publish(decision.routingKey(), decision.id(),
                EventCodec.mapper().writeValueAsBytes(json));

        String deadLetters = BrokerNames.deadLetterQueue(ApprovalListener.DECIDED_INBOX);
        GetResponse dead = pipeline.awaitMessage("prod", deadLetters, decision.id());
        assertThat(String.valueOf(dead.getProps().getHeaders().get(BrokerNames.REASON_HEADER)))
                .startsWith("invalid event").contains("data").contains("approver");
        assertThat(prod.of(EventType.APPROVAL_REFUSED, request.data().requestId())).isEmpty();
    }

    private static CloudEvent<ApprovalRequested> requestIntoProd(Release release) throws Exception {
        return requestIntoProd(Fixtures.request(release));
    }

    /** As staging's promotion service: published into staging, it reaches prod through the hand-off shovel. */
    private static CloudEvent<ApprovalRequested> requestIntoProd(CloudEvent<ApprovalRequested> request)
            throws Exception {
        pipeline.publish("staging", Principal.PROMOTION, request);
        AuditRecord arrived = awaitOne(EventType.APPROVAL_REQUESTED, request);
        assertThat(arrived.publisher()).isEqualTo(pipeline.user("staging", Principal.PROMOTION));
        return request;
    }

    private static void decideAsTheChatBot(CloudEvent<ApprovalDecided> decision) throws Exception {
        pipeline.publish("prod", Principal.CHATOPS, decision);
    }

    private static AuditRecord awaitOne(EventType type, CloudEvent<ApprovalRequested> request) {
        String requestId = request.data().requestId();
        return await().atMost(WAIT).until(() -> prod.of(type, requestId), records -> !records.isEmpty()).get(0);
    }

    private static ApprovalRefused awaitRefusalOf(CloudEvent<ApprovalDecided> decision) {
        AuditRecord refusal = await().atMost(WAIT).until(() -> prod.all().stream()
                .filter(r -> r.event().eventType() == EventType.APPROVAL_REFUSED)
                .filter(r -> decision.id().equals(r.event().causationid()))
                .findFirst(), java.util.Optional::isPresent).orElseThrow();
        assertThat(refusal.routingKey()).isEqualTo("approval.refused.prod");
        assertThat(refusal.publisher()).isEqualTo(pipeline.user("prod", Principal.APPROVAL));
        return (ApprovalRefused) refusal.event().data();
    }

    private static long inboxMessages(String queue) {
        return broker.management()
                .get("/api/queues/" + ManagementApi.encode(pipeline.vhost("prod")) + "/" + ManagementApi.encode(queue))
                .orElseThrow()
                .path("messages").asLong(-1);
    }

    private double overrides() {
        return count(meters.find("stagecoach.approval.override").counter());
    }

    private static double count(io.micrometer.core.instrument.Counter counter) {
        return counter == null ? 0 : counter.count();
    }

    private static int channelCloseCode(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException shutdown && shutdown.getReason() instanceof AMQP.Channel.Close close) {
                return close.getReplyCode();
            }
        }
        throw new AssertionError("no channel close in " + failure, failure);
    }
}
