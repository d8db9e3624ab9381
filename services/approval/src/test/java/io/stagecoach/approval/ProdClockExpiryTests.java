package io.stagecoach.approval;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * prod configured with {@code approval-ttl: 3s}: a request expires by prod's own clock, from when prod's approval
 * service received it, whatever the request (written in staging) says about its expiry.
 */
@RealBroker
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ProdClockExpiryTests {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Duration PROD_TTL = Duration.ofSeconds(3);

    static TestBroker broker;
    @TempDir
    static Path config;
    static Path environmentsFile;
    static TestPipeline pipeline;
    static RequestTrail prod;

    @BeforeAll
    static void provision() throws Exception {
        environmentsFile = Fixtures.environmentsWith(config, "approval-ttl: 24h", "approval-ttl: 3s");
        pipeline = TestPipeline.provision(broker, Environments.load(environmentsFile));
        prod = new RequestTrail(pipeline.audit("prod"));
    }

    @AfterAll
    static void stopReading() {
        pipeline.close();
    }

    @DynamicPropertySource
    static void prodApprovalService(DynamicPropertyRegistry registry) {
        TestPipeline.register(registry, () -> broker, "prod", "approval");
        registry.add("stagecoach.environments-file", () -> environmentsFile.toString());
        registry.add("stagecoach.approval.sweep-interval", () -> "500ms");
    }

    @Test
    void aRequestThatClaimsToWaitForCenturiesExpiresAfterProdsTtlAndALateApprovalIsRefused() throws Exception {
        Instant now = Instant.now();
        CloudEvent<ApprovalRequested> request = Fixtures.request(Fixtures.release("expiry-svc", "1.2.3"), now,
                Instant.parse("2999-01-01T00:00:00Z"));
        String requestId = request.data().requestId();
        pipeline.publish("staging", Principal.PROMOTION, request);

        AuditRecord opening = await().atMost(WAIT).until(() -> prod.of(EventType.APPROVAL_OPENED, requestId),
                records -> !records.isEmpty()).get(0);
        ApprovalOpened opened = (ApprovalOpened) opening.event().data();
        assertThat(opened.expiresAt()).isEqualTo(opening.event().time().plus(PROD_TTL));

        AuditRecord expiry = await().atMost(WAIT).until(() -> prod.of(EventType.APPROVAL_EXPIRED, requestId),
                records -> !records.isEmpty()).get(0);
        assertThat(((ApprovalExpired) expiry.event().data()).reason()).isEqualTo(ApprovalExpired.Reason.EXPIRED);
        assertThat(expiry.publisher()).isEqualTo(pipeline.user("prod", Principal.APPROVAL));
        assertThat(expiry.event().time()).as("not before prod's own expiry").isAfterOrEqualTo(opened.expiresAt());
        assertThat(expiry.event().causationid()).isEqualTo(opening.event().id());
        assertThat(expiry.event().correlationid()).isEqualTo(request.correlationid());

        CloudEvent<ApprovalDecided> late = Fixtures.approve(request, "alice");
        pipeline.publish("prod", Principal.CHATOPS, late);
        AuditRecord refusal = await().atMost(WAIT).until(() -> prod.of(EventType.APPROVAL_REFUSED, requestId),
                records -> !records.isEmpty()).get(0);
        assertThat(refusal.event().causationid()).isEqualTo(late.id());
        assertThat(((ApprovalRefused) refusal.event().data()).reason()).isEqualTo(ApprovalRefused.Reason.EXPIRED);
        assertThat(prod.of(EventType.PROMOTION_REQUESTED, requestId)).isEmpty();
        // later sweeps do not expire it again
        await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(() ->
                assertThat(prod.of(EventType.APPROVAL_EXPIRED, requestId)).hasSize(1));
    }
}
