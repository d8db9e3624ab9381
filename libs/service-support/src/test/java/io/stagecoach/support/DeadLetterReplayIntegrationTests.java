package io.stagecoach.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.topology.DeadLetterQueues;
import io.stagecoach.platform.topology.DeadLetterQueues.DeadLetter;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.support.app.InboxTestApplication;
import io.stagecoach.support.app.PromotionRequestedListener;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Dead letters of the promotion service's inbox in dev replayed through the replay exchange, on a real broker:
 * each is judged again by the routing key and publisher it was first published with (never by who moved it), what
 * was fixed is handled, what is still wrong comes back counted, and origin headers a publisher forged are neither
 * believed nor carried into a dead letter.
 */
@RealPipeline
@SpringBootTest(classes = InboxTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
                "spring.rabbitmq.listener.simple.retry.max-retries=2",
                "spring.rabbitmq.listener.simple.retry.initial-interval=50ms",
                "spring.rabbitmq.listener.simple.retry.multiplier=1",
        })
@DirtiesContext
class DeadLetterReplayIntegrationTests {

    private static final String INBOX = PromotionRequestedListener.INBOX;
    private static final String ROUTING_KEY = "promotion.requested.dev";
    private static final Duration WAIT = Duration.ofSeconds(30);

    static TestBroker broker;
    static TestPipeline fixture;

    @Autowired
    PromotionRequestedListener listener;

    private final EventCodec codec = new EventCodec();
    private DeadLetterQueues deadLetters;

    @DynamicPropertySource
    static void runAsPromotionInDev(DynamicPropertyRegistry registry) {
        TestPipeline.register(registry, () -> broker, "dev", "promotion");
    }

    @BeforeEach
    void emptyDeadLetters() throws Exception {
        deadLetters = new DeadLetterQueues(new ManagementClient(broker.managementUrl(), broker.adminUser(),
                broker.adminPassword()));
        fixture.drain("dev", BrokerNames.deadLetterQueue(INBOX));
    }

    private String vhost() {
        return fixture.vhost("dev");
    }

    private String buildCompletedUser() {
        return vhost() + "-build-completed";
    }

    @Test
    void aFailedEventReplayedOnceItsCauseIsFixedIsHandledAsItsFirstPublisherSentIt() throws Exception {
        CloudEvent<PromotionRequested> event = TestEvents.buildPromotion("dev", "2.0.0-unreachable");
        fixture.as("dev", buildCompletedUser()).publish(ROUTING_KEY, event.id(), codec.encode(event));
        DeadLetter letter = awaitOneDeadLetter(1);
        assertThat(letter.reasonClass()).isEqualTo("failed");
        assertThat(listener.attempts(event.id())).isEqualTo(3);

        listener.reachAgain("2.0.0-unreachable");
        assertThat(deadLetters.replay(vhost(), INBOX, line -> { }).moved()).isEqualTo(1);

        await().atMost(WAIT).until(() -> listener.wasHandled(event.id()));
        assertThat(listener.publisher(event.id())).as("counted as from the service that first published it")
                .isEqualTo(buildCompletedUser());
        assertThat(listener.attempts(event.id())).isEqualTo(4);
        await().atMost(WAIT).until(() -> deadLetters.peek(vhost(), INBOX, 1).total() == 0);
    }

    @Test
    void aRefusedEventReplayedIsRefusedAgainForTheSameReasonAndKeepsItsOrigin() throws Exception {
        CloudEvent<PromotionRequested> forged = TestEvents.buildPromotion("dev", "2.0.1");
        // the administrator may write anything into the exchange, but is nobody a consumer trusts
        fixture.asAdministrator("dev").publish(ROUTING_KEY, forged.id(), codec.encode(forged));
        DeadLetter first = awaitOneDeadLetter(1);
        assertThat(first.reason()).contains("published by '" + fixture.adminUser() + "'");

        deadLetters.replay(vhost(), INBOX, line -> { });

        DeadLetter again = awaitOneDeadLetter(2);
        assertThat(again.routingKey()).isEqualTo(ROUTING_KEY);
        assertThat(again.publisher()).as("its first publisher, not the service that set it aside")
                .isEqualTo(fixture.adminUser());
        assertThat(again.reason()).isEqualTo(first.reason());
        assertThat(listener.attempts(forged.id())).isZero();
    }

    @Test
    void originHeadersAPublisherForgedAreNotCarriedIntoTheDeadLetterNorBelievedOnReplay() throws Exception {
        CloudEvent<PromotionRequested> event = TestEvents.buildPromotion("dev", "2.0.2");
        Map<String, Object> forgedHeaders = new HashMap<>();
        forgedHeaders.put(BrokerNames.ORIGINAL_USER_HEADER, buildCompletedUser());
        forgedHeaders.put(BrokerNames.ORIGINAL_ROUTING_KEY_HEADER, ROUTING_KEY);
        forgedHeaders.put(BrokerNames.DEAD_LETTER_COUNT_HEADER, 40);
        // build-completed's credential without user_id: the consumer cannot tell who sent it
        publish(BrokerNames.EVENTS_EXCHANGE, ROUTING_KEY, buildCompletedUser(), null, forgedHeaders, event);
        DeadLetter letter = awaitOneDeadLetter(1);
        assertThat(letter.publisher()).as("no publisher is known, whatever the headers claimed").isNull();
        assertThat(letter.reason()).contains("has no user_id");

        deadLetters.replay(vhost(), INBOX, line -> { });

        DeadLetter again = awaitOneDeadLetter(2);
        assertThat(again.publisher()).isNull();
        assertThat(again.reason()).contains("has no user_id");
        assertThat(listener.attempts(event.id())).isZero();
    }

    @Test
    void aDeliveryThroughTheReplayExchangeThatNoDeadLetterQueueHeldIsRefused() throws Exception {
        CloudEvent<PromotionRequested> event = TestEvents.buildPromotion("dev", "2.0.3");
        Map<String, Object> claimed = new HashMap<>();
        claimed.put(BrokerNames.ORIGINAL_USER_HEADER, buildCompletedUser());
        claimed.put(BrokerNames.ORIGINAL_ROUTING_KEY_HEADER, ROUTING_KEY);
        // only the administrator may publish there at all (no user of the topology can), and it is not the consumer
        publish(BrokerNames.REPLAY_EXCHANGE, INBOX, broker.adminUser(), broker.adminUser(), claimed, event);

        DeadLetter letter = awaitOneDeadLetter(1);
        assertThat(letter.reason()).contains("a replay of a dead letter neither this service nor the broker moved");
        assertThat(listener.attempts(event.id())).isZero();
    }

    private DeadLetter awaitOneDeadLetter(long count) {
        return await().atMost(WAIT).until(() -> deadLetters.peek(vhost(), INBOX, 5),
                letters -> letters.total() == 1 && letters.first().get(0).count() == count).first().get(0);
    }

    private void publish(String exchange, String routingKey, String user, String userId, Map<String, Object> headers,
            CloudEvent<?> event) throws Exception {
        String password = user.equals(broker.adminUser()) ? broker.adminPassword() : Credentials.passwordFor(user);
        ConnectionFactory factory = broker.connectionFactory(vhost(), user, password);
        try (Connection connection = factory.newConnection("stagecoach-test-forger");
             Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish(exchange, routingKey, true, new AMQP.BasicProperties.Builder()
                    .contentType(BrokerNames.CONTENT_TYPE).messageId(event.id()).userId(userId).headers(headers)
                    .deliveryMode(2).build(), codec.encode(event));
            channel.waitForConfirmsOrDie(10_000);
        }
    }
}
