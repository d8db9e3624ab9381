package io.stagecoach.approval;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.boot.WebApplicationType;
import org.springframework.scheduling.config.ScheduledTaskHolder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A pending approval lives in the audit stream: it survives the service, and no delivery is held meanwhile. */
@RealPipeline
class ApprovalRestartTests {

    static final Duration WAIT = Duration.ofSeconds(30);

    static TestBroker broker;
    static TestPipeline pipeline;
    static RequestTrail prod;

    @BeforeAll
    static void followProd() throws Exception {
        prod = new RequestTrail(pipeline.audit("prod"));
    }

    @Test
    void aPendingRequestSurvivesARestartAndCanBeApprovedAfterIt() throws Exception {
        CloudEvent<ApprovalRequested> request = Fixtures.request(Fixtures.release("restart-svc", "1.0.0"));
        String requestId = request.data().requestId();

        try (ConfigurableApplicationContext first = startProdApprovalService()) {
            pipeline.publish("staging", Principal.PROMOTION, request);
            EnvironmentLedger ledger = first.getBean(EnvironmentLedger.class);
            await().atMost(WAIT).until(() -> ledger.pending(requestId).isPresent());
            // handled and acked: nothing waits in the inbox, delivered or not
            await().atMost(WAIT).untilAsserted(() -> assertThat(inboxMessages()).isZero());
        }

        try (ConfigurableApplicationContext second = startProdApprovalService()) {
            EnvironmentLedger ledger = second.getBean(EnvironmentLedger.class);
            assertThat(ledger.pending(requestId)).isPresent();

            pipeline.publish("prod", Principal.CHATOPS, Fixtures.approve(request, "alice"));

            await().atMost(WAIT).until(() -> !prod.of(EventType.PROMOTION_REQUESTED, requestId).isEmpty());
            assertThat(prod.of(EventType.APPROVAL_GRANTED, requestId)).hasSize(1);
        }
    }

    @Test
    void aRequestNotOpenedBeforeACrashIsOpenedBeforeADecisionOnItIsJudged() throws Exception {
        CloudEvent<ApprovalRequested> request = Fixtures.request(Fixtures.release("crash-svc", "1.0.0"));
        String requestId = request.data().requestId();

        // no sweep, and the request inbox not taken: the request is only in the audit stream
        try (ConfigurableApplicationContext service = startProdApprovalService(
                Map.of("stagecoach.approval.sweep-interval", "1h"))) {
            service.getBean(RabbitListenerEndpointRegistry.class).getListenerContainer("approval-requested").stop();
            service.getBean(ScheduledTaskHolder.class).getScheduledTasks().forEach(task -> task.cancel(false));
            // waits for a sweep that was under way (one at a time), with nothing pending to open yet
            service.getBean(ApprovalHandler.class).sweep();
            pipeline.publish("staging", Principal.PROMOTION, request);
            EnvironmentLedger ledger = service.getBean(EnvironmentLedger.class);
            await().atMost(WAIT).until(() -> ledger.pending(requestId).isPresent());
            assertThat(ledger.opened(requestId)).isEmpty();

            pipeline.publish("prod", Principal.CHATOPS, Fixtures.approve(request, "alice"));

            await().atMost(WAIT).until(() -> !prod.of(EventType.PROMOTION_REQUESTED, requestId).isEmpty());
            List<AuditRecord> openings = prod.of(EventType.APPROVAL_OPENED, requestId);
            assertThat(openings).hasSize(1);
            assertThat(openings.get(0).offset()).as("opened before the grant")
                    .isLessThan(prod.of(EventType.APPROVAL_GRANTED, requestId).get(0).offset());
        }
    }

    private static ConfigurableApplicationContext startProdApprovalService(Map<String, ?> more) {
        return new SpringApplicationBuilder(ApprovalApplication.class)
                .web(WebApplicationType.NONE)
                .run(pipeline.serviceArguments("prod", "approval", more));
    }

    private static ConfigurableApplicationContext startProdApprovalService() {
        return startProdApprovalService(Map.of());
    }

    private static long inboxMessages() {
        return broker.management()
                .get("/api/queues/" + ManagementApi.encode(pipeline.vhost("prod")) + "/"
                        + ManagementApi.encode(ApprovalListener.REQUESTED_INBOX))
                .orElseThrow()
                .path("messages").asLong(-1);
    }
}
