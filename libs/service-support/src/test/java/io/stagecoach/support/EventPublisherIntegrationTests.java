package io.stagecoach.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.rabbitmq.client.GetResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventType;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.support.app.InboxTestApplication;
import io.stagecoach.support.inbound.DeadLetters;
import io.stagecoach.support.publish.AuditCheck;
import io.stagecoach.support.publish.EventPublisher;
import io.stagecoach.support.publish.PublishFailedException;
import io.stagecoach.support.publish.RabbitEventPublisher;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Publishing as the promotion service in dev, on a real broker, with no web server. */
@RealPipeline
@SpringBootTest(classes = InboxTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext
class EventPublisherIntegrationTests {

    static TestBroker broker;
    static TestPipeline fixture;

    @Autowired
    EventPublisher publisher;

    @Autowired
    DeadLetters deadLetters;

    @Autowired
    MeterRegistry meterRegistry;

    @Autowired
    LedgerFeed feed;

    @Autowired
    AuditCheck auditCheck;

    private final EventCodec codec = new EventCodec();

    @DynamicPropertySource
    static void runAsPromotionInDev(DynamicPropertyRegistry registry) {
        TestPipeline.register(registry, () -> broker, "dev", "promotion");
    }

    private String promotionUser() {
        return fixture.environment("dev").vhost() + "-promotion";
    }

    @Test
    void aConfirmedEventReachesItsConsumerAsThePublishersOwnUser() {
        CloudEvent<DeploymentCompleted> event = TestEvents.deploymentCompleted("dev", "2.0.0");

        publisher.publish(event);

        GetResponse delivered = fixture.awaitMessage("dev", "smoke-test.deployment-completed", event.id());
        assertThat(delivered.getEnvelope().getRoutingKey()).isEqualTo("deployment.completed.dev");
        assertThat(delivered.getProps().getUserId()).isEqualTo(promotionUser());
        assertThat(delivered.getProps().getContentType()).isEqualTo("application/cloudevents+json");
        assertThat(delivered.getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(delivered.getProps().getCorrelationId()).isEqualTo(event.correlationid());
        assertThat(delivered.getProps().getType()).isEqualTo("io.stagecoach.deployment.completed.v1");
        assertThat(delivered.getProps().getTimestamp().toInstant().getEpochSecond())
                .isEqualTo(event.time().getEpochSecond());
        assertThat(codec.decode(delivered.getBody())).isEqualTo(event);
        assertThat(meterRegistry.get(RabbitEventPublisher.PUBLISHED_METER).tag("type", "deployment.completed")
                .tag("outcome", "confirmed").counter().count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anEventTheAuditStreamLostIsPublishedAgainWithItsIdUntilTheStreamHoldsIt() throws Exception {
        CloudEvent<DeploymentCompleted> event = TestEvents.deploymentCompleted("dev", "2.0.9");
        // the inbox takes the publish and the stream does not: what a broker restart can leave behind
        List<TestPipeline.Binding> removed = fixture.unbind("dev", BrokerNames.EVENTS_EXCHANGE, event.routingKey());
        List<TestPipeline.Binding> stream = removed.stream()
                .filter(binding -> binding.queue().equals(BrokerNames.AUDIT_STREAM)).toList();
        assertThat(stream).hasSize(1);
        fixture.bind("dev", BrokerNames.EVENTS_EXCHANGE, removed.stream().filter(b -> !stream.contains(b)).toList());
        try {
            publisher.publish(event);
        }
        finally {
            fixture.bind("dev", BrokerNames.EVENTS_EXCHANGE, stream);
        }

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> feed.hasRead(event.id()));
        assertThat(auditCheck.waiting()).isZero();
        assertThat(meterRegistry.get(AuditCheck.REPUBLISHED_METER).tag("type", "deployment.completed").counter()
                .count()).isEqualTo(1);
        List<GetResponse> inbox = fixture.drain("dev", "smoke-test.deployment-completed");
        assertThat(inbox).as("the consumer gets it twice, with one id, and its ledger skips the second")
                .filteredOn(message -> event.id().equals(message.getProps().getMessageId())).hasSize(2);
    }

    @Test
    void anEventForTheNextEnvironmentIsHandedOverWithItsPublisher() {
        CloudEvent<PromotionRequested> event = TestEvents.verifiedPromotion("dev", "staging", "2.0.1");

        publisher.publish(event);

        GetResponse arrived = fixture.awaitMessage("staging", "promotion.promotion-requested", event.id());
        assertThat(arrived.getEnvelope().getRoutingKey()).isEqualTo("promotion.requested.staging");
        assertThat(arrived.getProps().getUserId()).isEqualTo(promotionUser());
    }

    @Test
    void aPublishNoQueueTakesFailsLoudly() {
        List<TestPipeline.Binding> removed = fixture.unbind("dev", BrokerNames.EVENTS_EXCHANGE,
                "deployment.completed.dev");
        assertThat(removed).isNotEmpty();
        try {
            CloudEvent<DeploymentCompleted> event = TestEvents.deploymentCompleted("dev", "2.0.2");

            assertThatThrownBy(() -> publisher.publish(event))
                    .isInstanceOfSatisfying(PublishFailedException.class,
                            failure -> assertThat(failure.failure()).isEqualTo(PublishFailedException.Cause.RETURNED))
                    .hasMessageContaining(event.id())
                    .hasMessageContaining("312 NO_ROUTE")
                    .hasMessageContaining("deployment.completed.dev");
            assertThat(meterRegistry.get(RabbitEventPublisher.PUBLISHED_METER).tag("outcome", "returned").counter()
                    .count()).isEqualTo(1);
        }
        finally {
            fixture.bind("dev", BrokerNames.EVENTS_EXCHANGE, removed);
        }
    }

    @Test
    void anInvalidEventIsNeverSent() {
        Release release = TestEvents.release("2.0.3");
        Release unpinned = new Release(release.service(), release.version(), release.image(), "latest",
                release.commit(), release.author());
        CloudEvent<DeploymentCompleted> event = CloudEvent.of(
                new DeploymentCompleted(unpinned, "dev", "gitops", "1a2b3c4", null, false), "/stagecoach/dev/promotion",
                "dev", uuid(), uuid(), uuid());
        double publishedBefore = publishedDeploymentsCompleted();

        assertThatThrownBy(() -> publisher.publish(event)).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("digest");
        assertThat(publishedDeploymentsCompleted()).isEqualTo(publishedBefore);
    }

    private double publishedDeploymentsCompleted() {
        return meterRegistry.find(RabbitEventPublisher.PUBLISHED_METER).tag("type", "deployment.completed")
                .counters().stream().mapToDouble(counter -> counter.count()).sum();
    }

    @Test
    void aDeadLetterWithoutItsDeadLetterQueueFailsSoTheDeliveryIsNotAcked() {
        String inbox = BrokerNames.inboxQueue("promotion", EventType.SMOKETEST_PASSED);
        List<TestPipeline.Binding> removed = fixture.unbind("dev", BrokerNames.DEAD_LETTER_EXCHANGE, inbox);
        assertThat(removed).isNotEmpty();
        try {
            MessageProperties properties = new MessageProperties();
            properties.setConsumerQueue(inbox);
            properties.setMessageId("lost-1");
            Message delivery = new Message("{}".getBytes(StandardCharsets.UTF_8), properties);

            assertThatThrownBy(() -> deadLetters.deadLetter(delivery, DeadLetters.ReasonClass.INVALID, "test"))
                    .isInstanceOfSatisfying(PublishFailedException.class,
                            failure -> assertThat(failure.failure()).isEqualTo(PublishFailedException.Cause.RETURNED));
        }
        finally {
            fixture.bind("dev", BrokerNames.DEAD_LETTER_EXCHANGE, removed);
        }
    }

    private static String uuid() {
        return java.util.UUID.randomUUID().toString();
    }
}
