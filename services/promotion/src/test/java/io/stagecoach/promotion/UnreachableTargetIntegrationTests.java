package io.stagecoach.promotion;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.GetResponse;
import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.DeployTarget;
import io.stagecoach.deploy.Deployment;
import io.stagecoach.deploy.RunningRelease;
import io.stagecoach.deploy.TransientTargetException;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.AuditTrail;
import io.stagecoach.testing.pipeline.GitOpsRepository;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestEvents;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The promotion service in dev, on a real broker and a real GitOps repository, whose target becomes unreachable
 * after it said what runs and before the deployment lands (as a remote that goes down between the fetch and the
 * push): no {@code deployment.failed}, which would roll back and hold a release that never ran, but a retried request
 * set aside as {@code failed}; the same request once the target answers is deployed (ADR 32).
 */
@RealPipeline
@SpringBootTest(classes = PromotionApplication.class)
@Import(UnreachableTargetIntegrationTests.Outage.class)
@DirtiesContext
class UnreachableTargetIntegrationTests {

    static final String INBOX = "promotion.promotion-requested";

    static TestBroker broker;
    static TestPipeline fixture;

    @TempDir
    static Path temp;

    @DynamicPropertySource
    static void runAsPromotionInDev(DynamicPropertyRegistry registry) {
        TestPipeline.register(registry, () -> broker, "dev", "promotion");
        GitOpsRepository.register(registry, () -> temp.resolve("gitops"));
        registry.add("stagecoach.resilience.circuit-breaker.wait-in-open-state", () -> "500ms");
    }

    /** Wraps the real GitOps target: while {@link #DOWN}, its deployments fail as an unreachable remote does. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Outage {

        static final AtomicBoolean DOWN = new AtomicBoolean();

        @Bean
        static BeanPostProcessor unreachableWhileDown() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return name.equals("deployTargetDelegate") && bean instanceof DeployTarget target
                            ? new Unreachable(target) : bean;
                }
            };
        }
    }

    record Unreachable(DeployTarget target) implements DeployTarget, AutoCloseable {

        @Override
        public DeployResult deploy(Deployment deployment) {
            if (Outage.DOWN.get()) {
                throw new TransientTargetException("cannot push to the GitOps remote: Connection refused",
                        new ConnectException("Connection refused"));
            }
            return target.deploy(deployment);
        }

        @Override
        public Optional<RunningRelease> running(String environment, String service) {
            return target.running(environment, service);
        }

        @Override
        public void close() throws Exception {
            if (target instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    @Test
    void anUnreachableTargetSetsTheRequestAsideWithoutAFailedDeploymentAndItIsDeployedOnceBack() throws Exception {
        Release release = TestEvents.release("svc-unreachable", "1.0.0");
        CloudEvent<PromotionRequested> request = TestEvents.build(release);
        AuditTrail dev = fixture.audit("dev");
        String deadLetters = BrokerNames.deadLetterQueue(INBOX);

        Outage.DOWN.set(true);
        fixture.publish("dev", Principal.BUILD_COMPLETED, request);
        await().atMost(TestPipeline.WAIT).until(() -> fixture.messagesIn("dev", deadLetters) == 1);

        List<GetResponse> aside = fixture.drain("dev", deadLetters);
        assertThat(aside).singleElement().satisfies(letter -> {
            assertThat(letter.getProps().getMessageId()).isEqualTo(request.id());
            assertThat(letter.getProps().getHeaders().get(BrokerNames.REASON_CLASS_HEADER).toString())
                    .isEqualTo("failed");
            assertThat(letter.getProps().getHeaders().get(BrokerNames.REASON_HEADER).toString())
                    .containsAnyOf("Connection refused", "CircuitBreaker 'deploy-target-gitops' is OPEN");
            assertThat(new String(letter.getBody(), StandardCharsets.UTF_8)).contains(request.id());
        });
        dev.caughtUp();
        assertThat(dev.causedBy(DeploymentFailed.class, request)).as("deployment.failed for an unreachable target")
                .isEmpty();
        assertThat(dev.causedBy(PromotionBlocked.class, request)).isEmpty();

        // the target answers again (its circuit breaker lets calls through after a short wait): the request comes
        // back as a replay would bring it, as often as it is set aside meanwhile, and is deployed once
        Outage.DOWN.set(false);
        await().atMost(TestPipeline.WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            fixture.drain("dev", deadLetters);
            if (dev.causedBy(DeploymentCompleted.class, request).isEmpty()) {
                fixture.publish("dev", Principal.BUILD_COMPLETED, request);
            }
            return !dev.causedBy(DeploymentCompleted.class, request).isEmpty();
        });
        fixture.publish("dev", Principal.BUILD_COMPLETED, request);
        await().atMost(TestPipeline.WAIT).until(() -> fixture.messagesIn("dev", INBOX) == 0);
        assertThat(dev.caughtUp().causedBy(DeploymentCompleted.class, request)).hasSize(1);
        assertThat(dev.causedBy(DeploymentFailed.class, request)).isEmpty();
    }
}
