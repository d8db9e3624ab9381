package io.stagecoach.platform.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.ProvisionedBroker;
import io.stagecoach.platform.audit.AuditMessage;
import io.stagecoach.platform.audit.AuditStreamReader;
import io.stagecoach.platform.audit.StreamOffset;
import io.stagecoach.testing.Deliveries;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An event addressed to the next environment crosses over through the hand-off shovel, and only that way. */
@RealBroker
class HandoffTests {

    static ProvisionedBroker pipeline;

    @BeforeAll
    static void provision(TestBroker broker) {
        pipeline = ProvisionedBroker.provisioned(broker, "handoff");
        pipeline.awaitShovelsRunning();
    }

    @Test
    void aPromotionRequestedIntoStagingArrivesThereExactlyOnceWithRoutingKeyAndUserId() throws Exception {
        String inbox = BrokerNames.inboxQueue(Principal.PROMOTION.id(), EventType.PROMOTION_REQUESTED);
        String devPromotion = pipeline.user("dev", Principal.PROMOTION);

        AMQP.BasicProperties sent = pipeline.publish("dev", Principal.PROMOTION, "promotion.requested.staging",
                "{\"version\":\"1.2.3\"}");

        try (Connection connection = pipeline.connectionFactory("staging", Principal.PROMOTION).newConnection();
             Channel channel = connection.createChannel()) {
            GetResponse event = awaitMessage("the event in staging's inbox", connection, inbox);
            assertThat(event.getEnvelope().getRoutingKey()).isEqualTo("promotion.requested.staging");
            assertThat(event.getProps().getUserId()).as("the dev producer, kept by the shovel").isEqualTo(devPromotion);
            assertThat(event.getProps().getMessageId()).isEqualTo(sent.getMessageId());
            assertThat(new String(event.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"version\":\"1.2.3\"}");

            await("no second copy, and the hand-off queue drained").during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(30)).until(() -> channel.messageCount(inbox) == 0
                            && pipeline.messagesIn("dev", BrokerNames.handoffQueue("staging")) == 0);
        }

        try (Connection connection = pipeline.connectionFactory("dev", Principal.PROMOTION).newConnection();
             Channel channel = connection.createChannel()) {
            assertThat(Deliveries.takeOne(connection, inbox, Duration.ofSeconds(1)))
                    .as("dev's own inbox is not addressed").isNull();
        }
        try (Connection connection = pipeline.connectionFactory("staging", Principal.OPERATOR).newConnection()) {
            assertThat(new AuditStreamReader(connection).read(StreamOffset.first(), 10))
                    .extracting(AuditMessage::routingKey, AuditMessage::userId)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("promotion.requested.staging", devPromotion));
        }
    }

    @Test
    void aWithdrawalFromStagingReachesProdsPromotionInboxWithTheStagingRollbackUser() throws Exception {
        String inbox = BrokerNames.inboxQueue(Principal.PROMOTION.id(), EventType.RELEASE_WITHDRAWN);
        String stagingRollback = pipeline.user("staging", Principal.ROLLBACK);

        AMQP.BasicProperties sent = pipeline.publish("staging", Principal.ROLLBACK, "release.withdrawn.prod",
                "{\"version\":\"41.445.1\"}");

        try (Connection connection = pipeline.connectionFactory("prod", Principal.PROMOTION).newConnection();
             Channel channel = connection.createChannel()) {
            GetResponse withdrawal = awaitMessage("the withdrawal in prod's inbox", connection, inbox);
            assertThat(withdrawal.getEnvelope().getRoutingKey()).isEqualTo("release.withdrawn.prod");
            assertThat(withdrawal.getProps().getUserId()).isEqualTo(stagingRollback);
            assertThat(withdrawal.getProps().getMessageId()).isEqualTo(sent.getMessageId());
        }
    }

    /** The first message that arrives in {@code queue}, taken (an inbox refuses basic.get: it is consumed). */
    private static GetResponse awaitMessage(String what, Connection connection, String queue) {
        return await(what).atMost(Duration.ofSeconds(30)).until(
                () -> Deliveries.takeOne(connection, queue, Duration.ofSeconds(1)), Objects::nonNull);
    }
}
