package io.stagecoach.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.Release;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code stagecoach dead-letters} on the real broker: dead letters are put where a consumer puts them (by its own
 * user, to the dead-letter exchange under its inbox's name, with the headers it writes), listed without being taken,
 * and replayed into their inbox through the replay exchange with their publisher and headers intact.
 */
@RealBroker
class DeadLettersCommandTests {

    static final String INBOX = "promotion.promotion-requested";

    static Cli cli;
    static TestBroker broker;

    @BeforeAll
    static void provision(TestBroker testBroker, @TempDir Path workingDirectory) {
        broker = testBroker;
        cli = Cli.against(testBroker, workingDirectory);
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        // the administrator may read and write the test's vhosts
        new Streams(testBroker, Environments.loadDefault().withVhostPrefix(testBroker.prefix()));
    }

    @BeforeEach
    void emptyQueues() throws Exception {
        drain(INBOX);
        drain(BrokerNames.deadLetterQueue(INBOX));
    }

    @Test
    void listsEachDeadLetterWithWhereItCameFromAndWhyAndLeavesItThere() throws Exception {
        CloudEvent<?> first = Events.promotionRequested(Events.release("2.0.0"), "staging");
        CloudEvent<?> second = Events.promotionRequested(Events.release("2.0.1"), "staging");
        deadLetter(first, "handler failed: TransientTargetException: cannot fetch from /srv/gitops.git");
        deadLetter(second, "handler failed: TransientTargetException: cannot fetch from /srv/gitops.git");

        Cli.Result result = cli.run("dead-letters", "--env", "staging");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).contains(INBOX + ": 2 dead letters",
                first.id() + "  promotion.requested knative-lambda-builder 2.0.0  under promotion.requested.staging by "
                        + cli.prefix() + "-dev-promotion  at 2026-12-04T09:00:00Z  failed: handler failed: "
                        + "TransientTargetException: cannot fetch from /srv/gitops.git",
                second.id() + "  promotion.requested knative-lambda-builder 2.0.1",
                "2 dead letters in 1 of ", "stagecoach dead-letters replay --env staging");
        assertThat(count(BrokerNames.deadLetterQueue(INBOX))).as("listing takes nothing away").isEqualTo(2);

        Cli.Result limited = cli.run("dead-letters", "--env", "staging", "--inbox", INBOX + ".dlq", "--limit", "1");
        assertThat(limited.out()).contains(INBOX + ": 2 dead letters (the first 1)", first.id())
                .doesNotContain(second.id());
    }

    @Test
    void replayPutsThemIntoTheirInboxThroughTheReplayExchangeWithTheirPublisherAndHeaders() throws Exception {
        CloudEvent<?> event = Events.promotionRequested(Events.release("3.0.0"), "staging");
        deadLetter(event, "handler failed: timed out");

        Cli.Result result = cli.run("dead-letters", "replay", "--env", "staging");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).contains("moving 1 dead letter of " + INBOX + " back into it",
                INBOX + ": 1 back in the inbox", "Replayed 1 dead letter into 1 inbox of staging");
        assertThat(count(BrokerNames.deadLetterQueue(INBOX))).isZero();
        List<GetResponse> inbox = drain(INBOX);
        assertThat(inbox).hasSize(1);
        GetResponse replayed = inbox.get(0);
        assertThat(replayed.getEnvelope().getExchange()).isEqualTo(BrokerNames.REPLAY_EXCHANGE);
        assertThat(replayed.getEnvelope().getRoutingKey()).isEqualTo(INBOX);
        assertThat(replayed.getProps().getUserId()).as("the consumer that set it aside")
                .isEqualTo(consumer());
        assertThat(replayed.getProps().getMessageId()).isEqualTo(event.id());
        assertThat(replayed.getProps().getHeaders().get(BrokerNames.ORIGINAL_ROUTING_KEY_HEADER).toString())
                .isEqualTo("promotion.requested.staging");
        assertThat(replayed.getProps().getHeaders().get(BrokerNames.ORIGINAL_USER_HEADER).toString())
                .isEqualTo(cli.prefix() + "-dev-promotion");
        assertThat(new EventCodec().decode(replayed.getBody()).id()).isEqualTo(event.id());
        assertThat(broker.management().get("/api/parameters/shovel/" + enc(vhost()) + "/"
                + enc(BrokerNames.replayShovel(INBOX)))).as("the replay's shovel deleted itself").isEmpty();

        Cli.Result again = cli.run("dead-letters", "replay", "--env", "staging", "--inbox", INBOX);
        assertThat(again.status()).isZero();
        assertThat(again.out()).contains("Nothing to replay: no dead letters in " + INBOX + " in staging.");
    }

    @Test
    void anEmptyEnvironmentSaysSo() {
        Cli.Result result = cli.run("dead-letters", "--env", "prod");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).containsPattern("No dead letters in prod \\(\\d+ inboxes looked at\\)\\.");
    }

    @Test
    void anUnknownInboxOrEnvironmentOrLimitIsAUsageErrorThatSaysWhatExists() {
        Cli.Result inbox = cli.run("dead-letters", "--env", "staging", "--inbox", "promotion.nope");
        assertThat(inbox.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(inbox.err()).contains("--inbox: staging has no inbox 'promotion.nope'; its inboxes: ", INBOX);

        Cli.Result replay = cli.run("dead-letters", "replay", "--env", "staging", "--inbox", "nope.dlq");
        assertThat(replay.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(replay.err()).contains("staging has no inbox 'nope.dlq'");

        Cli.Result environment = cli.run("dead-letters", "--env", "qa");
        assertThat(environment.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(environment.err()).contains("unknown environment 'qa'", "dev, staging, prod");

        Cli.Result limit = cli.run("dead-letters", "--env", "staging", "--limit", "0");
        assertThat(limit.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(limit.err()).contains("--limit");
    }

    private static String vhost() {
        return cli.prefix() + "-staging";
    }

    private static String consumer() {
        return vhost() + "-promotion";
    }

    private static String enc(String segment) {
        return io.stagecoach.testing.ManagementApi.encode(segment);
    }

    /** What staging's promotion service does with a request it gave up on: its own user, its inbox's name. */
    private static void deadLetter(CloudEvent<?> event, String reason) throws Exception {
        ConnectionFactory factory = broker.connectionFactory(vhost(), consumer(), Credentials.passwordFor(consumer()));
        try (Connection connection = factory.newConnection("stagecoach-test-dead-letter");
             Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .contentType(BrokerNames.CONTENT_TYPE)
                    .messageId(event.id())
                    .userId(consumer())
                    .deliveryMode(2)
                    .headers(Map.of(
                            BrokerNames.REASON_HEADER, reason,
                            BrokerNames.REASON_CLASS_HEADER, "failed",
                            BrokerNames.DEAD_LETTERED_AT_HEADER, "2026-12-04T09:00:00Z",
                            BrokerNames.DEAD_LETTER_COUNT_HEADER, 1,
                            BrokerNames.ORIGINAL_QUEUE_HEADER, INBOX,
                            BrokerNames.ORIGINAL_ROUTING_KEY_HEADER, event.routingKey(),
                            BrokerNames.ORIGINAL_EXCHANGE_HEADER, BrokerNames.EVENTS_EXCHANGE,
                            BrokerNames.ORIGINAL_USER_HEADER, cli.prefix() + "-dev-promotion"))
                    .build();
            channel.basicPublish(BrokerNames.DEAD_LETTER_EXCHANGE, INBOX, true, properties,
                    new EventCodec().encode(event));
            channel.waitForConfirmsOrDie(10_000);
        }
    }

    private static List<GetResponse> drain(String queue) throws Exception {
        List<GetResponse> taken = new ArrayList<>();
        // consumed, not fetched: an inbox has a single active consumer and refuses basic.get
        try (Connection connection = broker.adminConnectionFactory(vhost()).newConnection("stagecoach-test-drain")) {
            taken.addAll(io.stagecoach.testing.Deliveries.takeAll(connection, queue, java.time.Duration.ofMillis(300)));
        }
        return taken;
    }

    private static long count(String queue) throws Exception {
        try (Connection connection = broker.adminConnectionFactory(vhost()).newConnection("stagecoach-test-count");
             Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }
}
