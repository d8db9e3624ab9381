package io.stagecoach.platform.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;

import com.rabbitmq.client.AMQP;
import java.time.Duration;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.ProvisionedBroker;
import io.stagecoach.testing.Deliveries;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The provisioned permissions, tried with real credentials: what each user can and cannot do. */
@RealBroker
class BrokerIsolationTests {

    static ProvisionedBroker pipeline;

    @BeforeAll
    static void provision(TestBroker broker) {
        pipeline = ProvisionedBroker.provisioned(broker, "iso");
    }

    @Test
    void aDevCredentialIsRefusedByTheProdVhost() {
        Throwable refused = catchThrowable(() -> pipeline.connectionFactory("prod", "dev", Principal.PROMOTION)
                .newConnection().close());

        assertThat(chain(refused)).contains("530", "NOT_ALLOWED", "access to vhost '" + pipeline.vhost("prod") + "'");
    }

    @Test
    void aDevServiceCannotReadAnotherServicesQueue() throws Exception {
        try (Connection connection = pipeline.connectionFactory("dev", Principal.SMOKE_TEST).newConnection()) {
            Channel channel = connection.createChannel();
            Throwable refused = catchThrowable(() -> channel.basicConsume("promotion.promotion-requested", false,
                    new com.rabbitmq.client.DefaultConsumer(channel)));

            assertThat(chain(refused)).contains("403", "ACCESS_REFUSED", "promotion.promotion-requested");
        }
    }

    @Test
    void aServiceReadsItsOwnInboxAndTheAuditStream() throws Exception {
        try (Connection connection = pipeline.connectionFactory("dev", Principal.PROMOTION).newConnection();
             Channel channel = connection.createChannel()) {
            assertThat(Deliveries.takeOne(connection, "promotion.promotion-requested", Duration.ofMillis(500))).isNull();
            assertThat(channel.queueDeclarePassive(BrokerNames.AUDIT_STREAM).getQueue()).isEqualTo(BrokerNames.AUDIT_STREAM);
        }
    }

    @Test
    void aRoutingKeyOutsideTheUsersTopicPermissionIsRefused() throws Exception {
        try (Connection connection = pipeline.connectionFactory("dev", Principal.SMOKE_TEST).newConnection()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            Throwable refused = catchThrowable(() -> {
                channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, "promotion.requested.dev", true,
                        properties(pipeline.user("dev", Principal.SMOKE_TEST)), "{}".getBytes(StandardCharsets.UTF_8));
                channel.waitForConfirmsOrDie(10_000);
            });

            assertThat(chain(refused)).contains("403", "ACCESS_REFUSED", "promotion.requested.dev");
        }
    }

    @Test
    void onlyTheRollbackServiceMayWithdrawAReleaseFromTheNextEnvironment() throws Exception {
        try (Connection connection = pipeline.connectionFactory("dev", Principal.PROMOTION).newConnection()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            Throwable refused = catchThrowable(() -> {
                channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, "release.withdrawn.staging", true,
                        properties(pipeline.user("dev", Principal.PROMOTION)), "{}".getBytes(StandardCharsets.UTF_8));
                channel.waitForConfirmsOrDie(10_000);
            });

            assertThat(chain(refused)).contains("403", "ACCESS_REFUSED", "release.withdrawn.staging");
        }
    }

    @Test
    void aUserCannotPublishInAnotherUsersName() throws Exception {
        try (Connection connection = pipeline.connectionFactory("dev", Principal.SMOKE_TEST).newConnection()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            Throwable refused = catchThrowable(() -> {
                channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, "smoketest.passed.dev", true,
                        properties(pipeline.user("dev", Principal.PROMOTION)), "{}".getBytes(StandardCharsets.UTF_8));
                channel.waitForConfirmsOrDie(10_000);
            });

            assertThat(chain(refused)).contains("406", "PRECONDITION_FAILED", "user_id");
        }
    }

    @Test
    void ciPublishesABuildThatReachesTheBuildCompletedInbox() throws Exception {
        pipeline.publish("dev", Principal.CI, "build.completed.dev", "{\"build\":1}");

        try (Connection connection = pipeline.connectionFactory("dev", Principal.BUILD_COMPLETED).newConnection();
             Channel channel = connection.createChannel()) {
            GetResponse build = Deliveries.takeOne(connection, "build-completed.build-completed", Duration.ofSeconds(10));
            assertThat(build).isNotNull();
            assertThat(build.getProps().getUserId()).isEqualTo(pipeline.user("dev", Principal.CI));
            assertThat(build.getEnvelope().getRoutingKey()).isEqualTo("build.completed.dev");
        }
    }

    @Test
    void aServiceDeadLettersWithAReasonIntoItsOwnDeadLetterQueue() throws Exception {
        try (Connection connection = pipeline.connectionFactory("dev", Principal.PROMOTION).newConnection()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            channel.basicPublish(BrokerNames.DEAD_LETTER_EXCHANGE, "promotion.smoketest-passed", true,
                    properties(pipeline.user("dev", Principal.PROMOTION)), "{}".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);
            GetResponse deadLetter = channel.basicGet("promotion.smoketest-passed.dlq", true);

            assertThat(deadLetter).isNotNull();
        }
    }

    private static AMQP.BasicProperties properties(String userId) {
        return new AMQP.BasicProperties.Builder().userId(userId).deliveryMode(2).build();
    }

    /** Every message of a cause chain, in one string. */
    static String chain(Throwable thrown) {
        assertThat(thrown).as("refused").isNotNull();
        StringBuilder text = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            text.append(t).append(" | ");
        }
        return text.toString();
    }
}
