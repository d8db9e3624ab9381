package io.stagecoach.platform.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.ProvisionedBroker;
import io.stagecoach.platform.topology.PublishingRights;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@RealBroker
class AuditStreamReaderTests {

    static final EventCodec CODEC = new EventCodec();
    static final CloudEvent<PromotionRequested> REQUESTED = CloudEvent.of(PromotionRequested.build(
                    new Release("knative-lambda-builder", "1.4.2", "ghcr.io/acme/knative-lambda-builder",
                            "sha256:4d3e9a233a9281fbdce081c81786a50930e39753c30bba12195060a28bb82e2a",
                            "096a8cbc4bf9cc786c545235c3b4d54204b8c1c3", "jane"), "dev"),
            "/stagecoach/dev/build-completed", "dev", EventIds.derive("run", "1.4.2"), EventIds.derive("build", "1.4.2"),
            EventIds.derive("requested", "1.4.2"));

    static ProvisionedBroker pipeline;
    static Connection operator;
    static List<AMQP.BasicProperties> published = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void publishThreeEventsIntoDev(TestBroker broker) throws Exception {
        pipeline = ProvisionedBroker.provisioned(broker, "audit");
        published.add(pipeline.publish("dev", Principal.BUILD_COMPLETED, "promotion.requested.dev",
                new String(CODEC.encode(REQUESTED), StandardCharsets.UTF_8)));
        published.add(pipeline.publish("dev", Principal.PROMOTION, "deployment.completed.dev", "{\"n\":1}"));
        published.add(pipeline.publish("dev", Principal.SMOKE_TEST, "smoketest.passed.dev", "{\"n\":2}"));
        operator = pipeline.connectionFactory("dev", Principal.OPERATOR).newConnection();
    }

    @AfterAll
    static void close() throws Exception {
        operator.close();
    }

    @Test
    void readsAnEventPublishedIntoDevFromTheStreamsStartWithWhoPublishedIt() {
        List<AuditMessage> messages = new AuditStreamReader(operator).read(StreamOffset.first(), 100);

        assertThat(messages).hasSize(3);
        AuditMessage first = messages.get(0);
        assertThat(first.offset()).isZero();
        assertThat(first.routingKey()).isEqualTo("promotion.requested.dev");
        assertThat(first.userId()).isEqualTo(pipeline.user("dev", Principal.BUILD_COMPLETED));
        assertThat(first.messageId()).isEqualTo(published.get(0).getMessageId());
        assertThat(first.contentType()).isEqualTo(BrokerNames.CONTENT_TYPE);
        assertThat(CODEC.decode(first.body())).isEqualTo(REQUESTED);
        assertThat(PublishingRights.of(pipeline.environments()).expectedPublishers(EventType.PROMOTION_REQUESTED, "dev"))
                .as("the producer check a consumer makes").contains(first.userId());
        assertThat(first.headers()).containsKey("x-stream-offset");
        assertThat(messages).extracting(AuditMessage::offset).containsExactly(0L, 1L, 2L);
    }

    @Test
    void knowsWhereTheStreamEndsAndThatAnEmptyOneHasNoEnd() throws Exception {
        assertThat(new AuditStreamReader(operator).endOffset()).isEqualTo(2L);
        try (Connection prod = pipeline.connectionFactory("prod", Principal.OPERATOR).newConnection()) {
            assertThat(new AuditStreamReader(prod).endOffset()).isEqualTo(-1L);
        }
    }

    @Test
    void startsAtAGivenOffset() {
        List<AuditMessage> messages = new AuditStreamReader(operator).read(StreamOffset.at(1), 100);

        assertThat(messages).extracting(AuditMessage::routingKey)
                .containsExactly("deployment.completed.dev", "smoketest.passed.dev");
    }

    @Test
    void stopsAtTheBound() {
        assertThat(new AuditStreamReader(operator).read(StreamOffset.first(), 2)).extracting(AuditMessage::offset)
                .containsExactly(0L, 1L);
    }

    @Test
    void lastIncludesTheNewestEventAndATimestampInTheFutureNothing() {
        assertThat(new AuditStreamReader(operator).read(StreamOffset.last(), 100, Duration.ofMillis(500)))
                .extracting(AuditMessage::routingKey).endsWith("smoketest.passed.dev");
        assertThat(new AuditStreamReader(operator).read(StreamOffset.at(Instant.now().plusSeconds(3600)), 100,
                Duration.ofMillis(500))).isEmpty();
        assertThat(new AuditStreamReader(operator).read(StreamOffset.at(Instant.now().minusSeconds(3600)), 100))
                .hasSize(3);
    }

    @Test
    void aSubscriptionFromNextSeesOnlyNewEvents() throws Exception {
        List<AuditMessage> seen = new CopyOnWriteArrayList<>();
        try (Connection connection = pipeline.connectionFactory("staging", Principal.OPERATOR).newConnection();
             AuditStreamReader.Subscription subscription = new AuditStreamReader(connection)
                     .subscribe(StreamOffset.next(), seen::add)) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                pipeline.publish("staging", Principal.OPERATOR, "rollback.requested.staging", "{}");
                assertThat(seen).isNotEmpty();
            });

            assertThat(seen).allSatisfy(m -> assertThat(m.routingKey()).isEqualTo("rollback.requested.staging"));
            assertThat(subscription.isActive()).isTrue();
        }
    }

    @Test
    void aCallbackThatFailsEndsItsSubscription() throws Exception {
        try (Connection connection = pipeline.connectionFactory("dev", Principal.OPERATOR).newConnection()) {
            AuditStreamReader.Subscription subscription = new AuditStreamReader(connection)
                    .subscribe(StreamOffset.first(), m -> {
                        throw new IllegalStateException("cannot project " + m.offset());
                    });

            await().atMost(Duration.ofSeconds(10)).until(() -> !subscription.isActive());
            assertThat(subscription.failure()).get().extracting(Throwable::getMessage).isEqualTo("cannot project 0");
            assertThat(connection.isOpen()).as("only the subscription's channel closes").isTrue();
        }
    }

    @Test
    void aUserWhoMayNotReadTheStreamGetsAClearError() throws Exception {
        try (Connection connection = pipeline.connectionFactory("dev", Principal.CI).newConnection()) {
            assertThatThrownBy(() -> new AuditStreamReader(connection).read(StreamOffset.first(), 1))
                    .isInstanceOf(AuditStreamException.class)
                    .hasMessageContaining("Cannot read stream stagecoach.audit from first")
                    .hasMessageContaining("ACCESS_REFUSED");
        }
    }
}
