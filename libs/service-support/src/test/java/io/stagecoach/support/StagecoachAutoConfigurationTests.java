package io.stagecoach.support;

import java.nio.file.Files;
import java.nio.file.Path;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.support.inbound.DeadLetteringRecoverer;
import io.stagecoach.support.inbound.InboundEvents;
import io.stagecoach.support.inbound.InboxListeners;
import io.stagecoach.support.publish.EventPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.retry.MessageRecoverer;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.ResolvableType;

import static org.assertj.core.api.Assertions.assertThat;

class StagecoachAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(StagecoachAutoConfiguration.class, RabbitAutoConfiguration.class,
                    StagecoachMessagingAutoConfiguration.class, StagecoachResilienceAutoConfiguration.class));

    @Test
    void refusesToStartWithoutAnEnvironmentAndNamesTheKnownOnes() {
        contextRunner.withPropertyValues("stagecoach.service=promotion").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(StagecoachConfigurationException.class)
                    .hasMessageContaining("No Stagecoach environment is set");
            StagecoachConfigurationException failure = (StagecoachConfigurationException) rootCause(context.getStartupFailure());
            assertThat(failure.action()).contains("stagecoach.environment").contains("dev, staging, prod");
        });
    }

    @Test
    void refusesToStartWithAnUnknownEnvironment() {
        contextRunner.withPropertyValues("stagecoach.environment=qa", "stagecoach.service=promotion").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(StagecoachConfigurationException.class)
                    .hasMessageContaining("Unknown Stagecoach environment 'qa'");
        });
    }

    @Test
    void refusesToStartWithoutAServiceOrAsANonService() {
        contextRunner.withPropertyValues("stagecoach.environment=dev").run(context ->
                assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("No Stagecoach service"));
        contextRunner.withPropertyValues("stagecoach.environment=dev", "stagecoach.service=chatops").run(context ->
                assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("Unknown Stagecoach service 'chatops'"));
    }

    @Test
    void refusesToStartWhereTheServiceDoesNotRunAndNamesWhereItDoes() {
        contextRunner.withPropertyValues("stagecoach.environment=dev", "stagecoach.service=approval").run(context -> {
            assertThat(context).hasFailed();
            StagecoachConfigurationException failure = (StagecoachConfigurationException) rootCause(
                    context.getStartupFailure());
            assertThat(failure).hasMessage("The approval service does not run in environment 'dev': nobody may publish "
                    + "what it consumes (approval.requested, approval.decided) there, so the broker has no inbox and no "
                    + "user for it in vhost dev.");
            assertThat(failure.action()).isEqualTo("Start it only in environment prod (stagecoach.environment), "
                    + "and not in dev.");
        });
        contextRunner.withPropertyValues("stagecoach.environment=staging", "stagecoach.service=build-completed")
                .run(context -> assertThat(((StagecoachConfigurationException) rootCause(context.getStartupFailure()))
                        .action()).startsWith("Start it only in environment dev "));
    }

    @Test
    void aListenerOnAnInboxTheServiceHasNoQueueForHereStaysStopped() {
        contextRunner.withPropertyValues("stagecoach.environment=dev", "stagecoach.service=promotion").run(context -> {
            InboxListeners listeners = context.getBean(InboxListeners.class);

            assertThat(startsUp(listeners, "promotion.release-withdrawn")).as("nothing precedes dev").isFalse();
            assertThat(startsUp(listeners, "promotion.promotion-requested")).isTrue();
            assertThat(startsUp(listeners, "some.other-queue")).isTrue();
        });
        contextRunner.withPropertyValues("stagecoach.environment=staging", "stagecoach.service=promotion")
                .run(context -> assertThat(startsUp(context.getBean(InboxListeners.class), "promotion.release-withdrawn"))
                        .isTrue());
    }

    private static boolean startsUp(InboxListeners listeners, String queue) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer();
        container.setQueueNames(queue);
        listeners.configure(container);
        return container.isAutoStartup();
    }

    @Test
    void refusesToStartWithoutAPasswordAgainstABrokerElsewhere() {
        contextRunner.withPropertyValues("stagecoach.environment=staging", "stagecoach.service=promotion",
                "stagecoach.vhost-prefix=t1", "spring.rabbitmq.host=stagecoach-rabbitmq.rabbitmq-system.svc")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .isInstanceOf(StagecoachConfigurationException.class)
                            .hasMessageContaining("No password is configured for RabbitMQ user t1-staging-promotion")
                            .hasMessageContaining("stagecoach-rabbitmq.rabbitmq-system.svc");
                    StagecoachConfigurationException failure =
                            (StagecoachConfigurationException) rootCause(context.getStartupFailure());
                    assertThat(failure.action()).contains("STAGECOACH_SECRETS_DIR")
                            .contains("STAGECOACH_PASSWORD_T1_STAGING_PROMOTION");
                });
        contextRunner.withPropertyValues("stagecoach.environment=staging", "stagecoach.service=promotion",
                "stagecoach.vhost-prefix=t1", "spring.rabbitmq.addresses=amqps://broker.example.org:5671/x")
                .run(context -> assertThat(context).hasFailed());
    }

    @Test
    void refusesAVhostOfAnotherEnvironment() {
        contextRunner.withPropertyValues("stagecoach.environment=prod", "stagecoach.service=promotion",
                "spring.rabbitmq.virtual-host=staging")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .isInstanceOf(StagecoachConfigurationException.class)
                            .hasMessageContaining("spring.rabbitmq.virtual-host is staging but environment 'prod' uses vhost prod");
                });
    }

    @Test
    void aConfiguredPasswordOrABrokerOnThisMachineNeedsNoMore(@TempDir Path secrets) throws Exception {
        Files.writeString(secrets.resolve("prod-promotion"), "s3cret\n");
        io.stagecoach.platform.credentials.Credentials mounted = io.stagecoach.platform.credentials.Credentials
                .fromVariables(java.util.Map.of("STAGECOACH_SECRETS_DIR", secrets.toString()));
        StagecoachAutoConfiguration.requirePasswordForRemoteBroker("prod-promotion", mounted,
                java.util.List.of("stagecoach-rabbitmq.rabbitmq-system.svc"));
        io.stagecoach.platform.credentials.Credentials none = io.stagecoach.platform.credentials.Credentials
                .fromVariables(java.util.Map.of());
        for (String local : java.util.List.of("localhost", "127.0.0.1", "::1")) {
            StagecoachAutoConfiguration.requirePasswordForRemoteBroker("prod-promotion", none, java.util.List.of(local));
        }
        // the secret mounted under another user's name does not count
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StagecoachAutoConfiguration
                .requirePasswordForRemoteBroker("staging-promotion", mounted, java.util.List.of("10.0.0.7")))
                .isInstanceOf(StagecoachConfigurationException.class)
                .hasMessageContaining("staging-promotion");
    }

    @Test
    void connectsToTheEnvironmentsVhostAsTheServicesOwnUser() {
        contextRunner.withPropertyValues("stagecoach.environment=staging", "stagecoach.service=promotion",
                "stagecoach.vhost-prefix=t1", "spring.rabbitmq.username=guest", "spring.rabbitmq.virtual-host=t1-staging")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    StagecoachIdentity identity = context.getBean(StagecoachIdentity.class);
                    assertThat(identity.service()).isEqualTo(Principal.PROMOTION);
                    assertThat(identity.user()).isEqualTo("t1-staging-promotion");
                    assertThat(context.getBean(Environment.class).vhost()).isEqualTo("t1-staging");

                    CachingConnectionFactory connectionFactory = context.getBean(CachingConnectionFactory.class);
                    assertThat(connectionFactory.getVirtualHost()).isEqualTo("t1-staging");
                    assertThat(connectionFactory.getUsername()).isEqualTo("t1-staging-promotion");
                    assertThat(connectionFactory.getRabbitConnectionFactory().getPassword())
                            .isEqualTo(io.stagecoach.platform.credentials.Credentials.passwordFor("t1-staging-promotion"));
                });
    }

    @Test
    void publishesWithConfirmsAndReturnsOnASeparateConnectionWhateverTheProperties() {
        contextRunner.withPropertyValues("stagecoach.environment=dev", "stagecoach.service=promotion",
                "spring.rabbitmq.publisher-confirm-type=none", "spring.rabbitmq.publisher-returns=false")
                .run(context -> {
                    CachingConnectionFactory connectionFactory = context.getBean(CachingConnectionFactory.class);
                    assertThat(connectionFactory.isPublisherConfirms()).isTrue();
                    assertThat(connectionFactory.isPublisherReturns()).isTrue();
                    assertThat(connectionFactory.getPublisherConnectionFactory().isPublisherConfirms()).isTrue();
                    RabbitTemplate template = context.getBean(RabbitTemplate.class);
                    assertThat(template.isUsePublisherConnection()).isTrue();
                    assertThat(context).hasSingleBean(EventPublisher.class).hasSingleBean(InboundEvents.class);
                    assertThat(context.getBean(MessageRecoverer.class)).isInstanceOf(DeadLetteringRecoverer.class);
                });
    }

    @Test
    void tagsEveryMeterWithTheEnvironment() {
        contextRunner.withPropertyValues("stagecoach.environment=prod", "stagecoach.service=approval")
                .run(context -> {
                    @SuppressWarnings("unchecked")
                    MeterRegistryCustomizer<MeterRegistry> customizer = (MeterRegistryCustomizer<MeterRegistry>) context
                            .getBeanProvider(ResolvableType.forClassWithGenerics(MeterRegistryCustomizer.class,
                                    MeterRegistry.class))
                            .getObject();
                    MeterRegistry registry = new SimpleMeterRegistry();
                    customizer.customize(registry);
                    registry.counter("anything").increment();
                    assertThat(registry.get("anything").counter().getId().getTag("environment")).isEqualTo("prod");
                });
    }

    @Test
    void servesAnEnvironmentOfAnEnvironmentsFileOfItsOwn(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("environments.yaml");
        Files.writeString(file, """
                services: [knative-lambda-builder]
                teams:
                  sre-team: [alice]
                decision-publishers: [chatops]
                environments:
                  - name: dev
                    vhost: dev
                    gate: auto
                    namespace: kl-dev
                    audit-retention: 7d
                  - name: qa
                    vhost: qa
                    gate: auto
                    namespace: kl-qa
                    audit-retention: 7d
                  - name: prd
                    vhost: prd
                    gate: manual
                    approvers: [sre-team]
                    namespace: kl-prd
                    audit-retention: 90d
                """);
        contextRunner.withPropertyValues("stagecoach.environment=qa", "stagecoach.service=smoke-test",
                "stagecoach.environments-file=" + file).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(StagecoachIdentity.class).user()).isEqualTo("qa-smoke-test");
                    assertThat(context.getBean(CachingConnectionFactory.class).getVirtualHost()).isEqualTo("qa");
                });
        contextRunner.withPropertyValues("stagecoach.environment=staging", "stagecoach.service=smoke-test",
                "stagecoach.environments-file=" + file).run(context -> {
                    StagecoachConfigurationException failure = (StagecoachConfigurationException) rootCause(
                            context.getStartupFailure());
                    assertThat(failure.action()).contains("dev, qa, prd");
                });
    }

    @Test
    void reportsAConfigurationFailureAsWhatIsWrongAndWhatToDo() {
        FailureAnalysis analysis = new StagecoachConfigurationFailureAnalyzer().analyze(new IllegalStateException(
                "context failed", new StagecoachConfigurationException("No Stagecoach environment is set.",
                        "Set stagecoach.environment to one of: dev, staging, prod.")));

        assertThat(analysis.getDescription()).isEqualTo("No Stagecoach environment is set.");
        assertThat(analysis.getAction()).isEqualTo("Set stagecoach.environment to one of: dev, staging, prod.");
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
