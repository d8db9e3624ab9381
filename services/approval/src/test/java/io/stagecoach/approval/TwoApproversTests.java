package io.stagecoach.approval;

import java.nio.file.Path;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** prod configured with {@code min-approvals: 2}: votes are read back from the audit stream and counted per person. */
@RealBroker
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TwoApproversTests {

    static final Duration WAIT = Duration.ofSeconds(30);

    static TestBroker broker;
    @TempDir
    static Path config;
    static Path environmentsFile;
    static TestPipeline pipeline;
    static RequestTrail prod;

    @Autowired
    MeterRegistry meters;

    @BeforeAll
    static void provision() throws Exception {
        environmentsFile = Fixtures.environmentsWith(config, "min-approvals: 1", "min-approvals: 2");
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
    }

    @Test
    void theSamePersonTwiceIsOneVoteAndASecondPersonGrants() throws Exception {
        CloudEvent<ApprovalRequested> request = Fixtures.request(Fixtures.release("two-svc", "4.2.0"));
        String requestId = request.data().requestId();
        pipeline.publish("staging", Principal.PROMOTION, request);
        await().atMost(WAIT).until(() -> !prod.of(EventType.APPROVAL_REQUESTED, requestId).isEmpty());

        pipeline.publish("prod", Principal.CHATOPS, Fixtures.approve(request, "alice"));
        pipeline.publish("prod", Principal.CHATOPS, Fixtures.approve(request, "alice"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(approvals("vote")).isEqualTo(2));
        assertThat(prod.of(EventType.APPROVAL_GRANTED, requestId)).isEmpty();
        assertThat(prod.of(EventType.PROMOTION_REQUESTED, requestId)).isEmpty();

        pipeline.publish("prod", Principal.CHATOPS, Fixtures.approve(request, "bob"));

        await().atMost(WAIT).until(() -> !prod.of(EventType.PROMOTION_REQUESTED, requestId).isEmpty());
        ApprovalGranted granted = (ApprovalGranted) prod.of(EventType.APPROVAL_GRANTED, requestId).get(0).event()
                .data();
        assertThat(granted.approvers()).containsExactly("alice", "bob");
        PromotionRequested promoted = (PromotionRequested) prod.of(EventType.PROMOTION_REQUESTED, requestId).get(0)
                .event().data();
        assertThat(promoted.approval().approvers()).containsExactly("alice", "bob");
        assertThat(approvals("granted")).isEqualTo(1);
    }

    private double approvals(String decision) {
        var counter = meters.find("stagecoach.approvals").tag("decision", decision).counter();
        return counter == null ? 0 : counter.count();
    }
}
