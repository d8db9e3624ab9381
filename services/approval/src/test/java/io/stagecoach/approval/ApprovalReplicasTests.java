package io.stagecoach.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two replicas of prod's approval service: only the one that leads runs the expiry sweep; when it stops, the other
 * leads and sweeps within 15 s, and takes the decisions.
 */
@RealPipeline
class ApprovalReplicasTests {

    static final Duration FAILOVER = Duration.ofSeconds(15);

    static TestBroker broker;
    static TestPipeline pipeline;
    static RequestTrail prod;

    @BeforeAll
    static void followProd() throws Exception {
        prod = new RequestTrail(pipeline.audit("prod"));
    }

    @Test
    void onlyTheLeaderSweepsAndTheOtherReplicaSweepsAndDecidesOnceTheLeaderStopped() throws Exception {
        ConfigurableApplicationContext first = start("approval-1");
        ConfigurableApplicationContext second = start("approval-2");
        try {
            await("one replica leads").atMost(FAILOVER).until(() -> leads(first) != leads(second));
            ConfigurableApplicationContext leader = leads(first) ? first : second;
            ConfigurableApplicationContext standby = leader == first ? second : first;
            await("the leader sweeps").atMost(Duration.ofSeconds(10)).until(() -> sweeps(leader) >= 5);
            assertThat(sweeps(standby)).as("sweeps of the standby").isZero();

            long stopping = System.nanoTime();
            leader.close();
            await("the other replica leads").atMost(FAILOVER).until(() -> leads(standby));
            System.out.println("[approval replicas] the other replica led "
                    + Duration.ofNanos(System.nanoTime() - stopping).toMillis() + " ms after the leader began to stop");
            double before = sweeps(standby);
            await("it sweeps").atMost(Duration.ofSeconds(10)).until(() -> sweeps(standby) > before);

            CloudEvent<ApprovalRequested> request = Fixtures.request(Fixtures.release("replicas-svc", "1.0.0"));
            String requestId = request.data().requestId();
            pipeline.publish("staging", Principal.PROMOTION, request);
            await().atMost(FAILOVER).until(() -> !prod.of(EventType.APPROVAL_OPENED, requestId).isEmpty());
            pipeline.publish("prod", Principal.CHATOPS, Fixtures.approve(request, "alice"));
            await().atMost(FAILOVER).until(() -> !prod.of(EventType.PROMOTION_REQUESTED, requestId).isEmpty());
            assertThat(prod.of(EventType.APPROVAL_OPENED, requestId)).hasSize(1);
            assertThat(prod.of(EventType.APPROVAL_GRANTED, requestId)).hasSize(1);
        } finally {
            List.of(first, second).forEach(ConfigurableApplicationContext::close);
        }
    }

    private static ConfigurableApplicationContext start(String instance) {
        return new SpringApplicationBuilder(ApprovalApplication.class)
                .web(WebApplicationType.NONE)
                .run(pipeline.serviceArguments("prod", "approval", Map.of("stagecoach.approval.sweep-interval",
                        "200ms", "stagecoach.instance", instance)));
    }

    private static boolean leads(ConfigurableApplicationContext replica) {
        return replica.isActive()
                && replica.getBean(MeterRegistry.class).get("stagecoach.leader").gauge().value() == 1;
    }

    private static double sweeps(ConfigurableApplicationContext replica) {
        return replica.getBean(MeterRegistry.class).find(ApprovalMetrics.SWEEPS).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
