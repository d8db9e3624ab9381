package io.stagecoach.platform.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.ProvisionedBroker;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole matrix, with real credentials: every user of every environment against every other environment's
 * vhost, and against every queue of its own vhost. Users and queues come from the plan (so the matrix grows and
 * shrinks with it); what may be read is stated here from the event tables, not from the generated permission
 * patterns, so a pattern that admits too much fails the test.
 */
@RealBroker
class CredentialMatrixTests {

    static ProvisionedBroker pipeline;

    @BeforeAll
    static void provision(TestBroker broker) {
        pipeline = ProvisionedBroker.provisioned(broker, "matrix");
    }

    @Test
    void noCredentialOpensAnotherEnvironmentsVhost() throws Exception {
        List<String> opened = new ArrayList<>();
        int tried = 0;
        for (Environment home : pipeline.environments().all()) {
            for (Principal principal : usersOf(home)) {
                for (Environment other : pipeline.environments().all()) {
                    if (other.equals(home)) {
                        continue;
                    }
                    tried++;
                    try (Connection connection = pipeline.connectionFactory(other.name(), home.name(), principal)
                            .newConnection()) {
                        opened.add(pipeline.user(home.name(), principal) + " -> " + other.vhost());
                    } catch (IOException | TimeoutException refused) {
                        assertThat(BrokerIsolationTests.chain(refused)).contains("NOT_ALLOWED");
                    }
                }
            }
        }
        assertThat(tried).as("credentials tried").isGreaterThanOrEqualTo(30);
        assertThat(opened).as("connections another environment's vhost accepted").isEmpty();
    }

    @Test
    void everyUserReadsExactlyTheQueuesItNeeds() throws Exception {
        List<String> wrong = new ArrayList<>();
        int tried = 0;
        int pairs = 0;
        for (Environment environment : pipeline.environments().all()) {
            pairs += usersOf(environment).size() * queuesIn(environment).size();
        }
        for (Environment environment : pipeline.environments().all()) {
            Set<String> queues = queuesIn(environment);
            for (Principal principal : usersOf(environment)) {
                Set<String> expected = readable(principal, queues);
                try (Connection connection = pipeline.connectionFactory(environment.name(), principal)
                        .newConnection()) {
                    for (String queue : queues) {
                        tried++;
                        boolean allowed = canConsume(connection, queue);
                        if (allowed != expected.contains(queue)) {
                            wrong.add(pipeline.user(environment.name(), principal) + (allowed ? " reads " : " cannot read ")
                                    + queue);
                        }
                    }
                }
            }
        }
        assertThat(tried).as("user and queue pairs tried").isEqualTo(pairs).isGreaterThanOrEqualTo(300);
        assertThat(wrong).as("users whose read access differs from what they need").isEmpty();
    }

    /**
     * A delivery through the replay exchange is believed to come from the inbox's dead-letter queue, and one in a
     * dead-letter queue from that inbox's consumer or the broker: so no user may publish to the replay exchange,
     * and none to the dead-letter exchange under another consumer's inbox name.
     */
    @Test
    void noUserPublishesAReplayNorAnotherConsumersDeadLetter() throws Exception {
        List<String> admitted = new ArrayList<>();
        int tried = 0;
        for (Environment environment : pipeline.environments().all()) {
            List<String> inboxes = DeadLetterQueues.inboxes(pipeline.environments(), environment);
            for (Principal principal : usersOf(environment)) {
                String user = pipeline.user(environment.name(), principal);
                try (Connection connection = pipeline.connectionFactory(environment.name(), principal)
                        .newConnection()) {
                    for (String inbox : inboxes) {
                        tried++;
                        if (published(connection, BrokerNames.REPLAY_EXCHANGE, inbox, user)) {
                            admitted.add(user + " -> " + BrokerNames.REPLAY_EXCHANGE + " " + inbox);
                        }
                        boolean own = principal.isService() && inbox.startsWith(principal.id() + ".");
                        if (!own) {
                            tried++;
                            if (published(connection, BrokerNames.DEAD_LETTER_EXCHANGE, inbox, user)) {
                                admitted.add(user + " -> " + BrokerNames.DEAD_LETTER_EXCHANGE + " " + inbox);
                            }
                        }
                    }
                }
            }
        }
        assertThat(tried).as("publishes tried").isGreaterThanOrEqualTo(200);
        assertThat(admitted).as("publishes the broker admitted").isEmpty();
    }

    /**
     * Every user of every environment against every event type's routing key for every environment, published into
     * its own vhost: the broker admits exactly the keys the publishing table grants it. Lifting a hold
     * ({@code hold.released.<env>}) is the operator's alone, in its own environment: every other credential, the chat
     * bot's and CI's among them, is refused.
     */
    @Test
    void everyUserPublishesExactlyTheRoutingKeysTheTableGrantsIt() throws Exception {
        PublishingRights rights = PublishingRights.of(pipeline.environments());
        List<String> wrong = new ArrayList<>();
        Map<String, Set<String>> holdReleasers = new java.util.TreeMap<>();
        int tried = 0;
        for (Environment environment : pipeline.environments().all()) {
            for (Principal principal : usersOf(environment)) {
                String user = pipeline.user(environment.name(), principal);
                Set<String> granted = Set.copyOf(rights.routingKeys(principal, environment.name()));
                try (Connection connection = pipeline.connectionFactory(environment.name(), principal)
                        .newConnection()) {
                    for (EventType type : EventType.values()) {
                        for (Environment addressed : pipeline.environments().all()) {
                            String key = type.routingKey(addressed.name());
                            tried++;
                            boolean admitted = published(connection, BrokerNames.EVENTS_EXCHANGE, key, user);
                            if (admitted != granted.contains(key)) {
                                wrong.add(user + " -> " + key + (admitted ? " admitted" : " refused"));
                            }
                            if (admitted && type == EventType.HOLD_RELEASED) {
                                holdReleasers.computeIfAbsent(key, k -> new TreeSet<>()).add(user);
                            }
                        }
                    }
                }
            }
        }
        assertThat(tried).as("publishes tried").isGreaterThanOrEqualTo(1000);
        assertThat(wrong).as("routing keys admitted or refused against the table").isEmpty();
        Map<String, Set<String>> operators = new java.util.TreeMap<>();
        for (Environment environment : pipeline.environments().all()) {
            operators.put(EventType.HOLD_RELEASED.routingKey(environment.name()),
                    Set.of(pipeline.user(environment.name(), Principal.OPERATOR)));
        }
        assertThat(holdReleasers).as("who may lift a hold").isEqualTo(operators);
    }

    /** Whether the broker confirmed a publish (mandatory, so an unroutable one counts as admitted too). */
    static boolean published(Connection connection, String exchange, String routingKey, String user)
            throws IOException, InterruptedException {
        Channel channel = connection.createChannel();
        try {
            channel.confirmSelect();
            channel.basicPublish(exchange, routingKey, false, new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                    .userId(user).build(), "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(5_000);
            return true;
        } catch (IOException | com.rabbitmq.client.ShutdownSignalException | TimeoutException refused) {
            assertThat(BrokerIsolationTests.chain(refused)).contains("ACCESS_REFUSED");
            return false;
        } finally {
            if (channel.isOpen()) {
                try {
                    channel.close();
                } catch (TimeoutException | IOException ignored) {
                    // closing a channel the broker is closing anyway
                }
            }
        }
    }

    /**
     * A replica of a service becomes the one that runs its sweeps by declaring its exclusive leader queue: each
     * service user may declare its own, while a second connection is refused it (the broker keeps it for the first),
     * and may declare no other service's.
     */
    @Test
    void everyServiceDeclaresOnlyItsOwnLeaderQueueAndOnlyOneConnectionHoldsIt() throws Exception {
        List<String> wrong = new ArrayList<>();
        int services = 0;
        for (Environment environment : pipeline.environments().all()) {
            for (Principal principal : usersOf(environment)) {
                if (!principal.isService()) {
                    continue;
                }
                services++;
                String user = pipeline.user(environment.name(), principal);
                try (Connection leader = pipeline.connectionFactory(environment.name(), principal).newConnection();
                     Connection standby = pipeline.connectionFactory(environment.name(), principal).newConnection()) {
                    String own = BrokerNames.leaderQueue(principal.id());
                    if (!declaresExclusively(leader, own)) {
                        wrong.add(user + " cannot declare " + own);
                    }
                    Throwable locked = catchThrowable(() -> leader(standby, own));
                    if (locked == null || !BrokerIsolationTests.chain(locked).contains("RESOURCE_LOCKED")) {
                        wrong.add("a second connection of " + user + " took " + own + ": " + locked);
                    }
                    for (Principal other : Principal.values()) {
                        if (other != principal && declaresExclusively(leader, BrokerNames.leaderQueue(other.id()))) {
                            wrong.add(user + " declares " + BrokerNames.leaderQueue(other.id()));
                        }
                    }
                }
            }
        }
        assertThat(services).as("service users tried").isGreaterThanOrEqualTo(10);
        assertThat(wrong).isEmpty();
    }

    private static boolean declaresExclusively(Connection connection, String queue) throws IOException {
        try {
            leader(connection, queue);
            return true;
        } catch (IOException refused) {
            assertThat(BrokerIsolationTests.chain(refused)).contains("ACCESS_REFUSED");
            return false;
        }
    }

    private static void leader(Connection connection, String queue) throws IOException {
        Channel channel = connection.createChannel();
        channel.queueDeclare(queue, false, true, true, Map.of());
        try {
            channel.close();
        } catch (TimeoutException ignored) {
            // the declaration is what counts
        }
    }

    @Test
    void noUserExistsForAPrincipalWhereItDoesNotRun() {
        PublishingRights rights = PublishingRights.of(pipeline.environments());
        List<String> absent = new ArrayList<>();
        for (Environment environment : pipeline.environments().all()) {
            for (Principal principal : Principal.values()) {
                String user = pipeline.user(environment.name(), principal);
                boolean exists = pipeline.management().get(ManagementClient.path("api", "users", user)).isPresent();
                assertThat(exists).as("%s exists", user).isEqualTo(rights.runsIn(principal, environment.name()));
                assertThat(usersOf(environment).contains(principal)).isEqualTo(exists);
                if (!exists) {
                    absent.add(user);
                    Throwable refused = catchThrowable(() -> pipeline.connectionFactory(environment.name(), principal)
                            .newConnection().close());
                    assertThat(BrokerIsolationTests.chain(refused)).contains("ACCESS_REFUSED");
                }
            }
        }
        assertThat(absent).as("users of principals that do not run there").containsExactlyInAnyOrder(
                pipeline.user("dev", Principal.APPROVAL), pipeline.user("dev", Principal.CHATOPS),
                pipeline.user("staging", Principal.BUILD_COMPLETED), pipeline.user("staging", Principal.APPROVAL),
                pipeline.user("staging", Principal.CI), pipeline.user("staging", Principal.CHATOPS),
                pipeline.user("prod", Principal.BUILD_COMPLETED), pipeline.user("prod", Principal.CI));
    }

    /** The principals that have a user in this environment, as the plan creates them. */
    static List<Principal> usersOf(Environment environment) {
        Set<String> users = new TreeSet<>();
        BrokerDefinitions.plan(pipeline.environments()).users().forEach(u -> users.add(u.name()));
        List<Principal> present = new ArrayList<>();
        for (Principal principal : Principal.values()) {
            if (users.contains(pipeline.user(environment.name(), principal))) {
                present.add(principal);
            }
        }
        return present;
    }

    static Set<String> queuesIn(Environment environment) {
        Set<String> queues = new TreeSet<>();
        BrokerDefinitions.plan(pipeline.environments()).queues().stream().filter(q -> q.vhost().equals(environment.vhost()))
                .forEach(q -> queues.add(q.name()));
        return queues;
    }

    /**
     * Services read their inboxes, their dead letters and the audit stream; operators the stream and every DLQ; the
     * chat bot its own queue; viewers nothing.
     */
    static Set<String> readable(Principal principal, Set<String> queues) {
        Set<String> expected = new TreeSet<>();
        if (principal.isService()) {
            for (EventType type : principal.consumes()) {
                String inbox = BrokerNames.inboxQueue(principal.id(), type);
                expected.add(inbox);
                expected.add(BrokerNames.deadLetterQueue(inbox));
            }
            expected.add(BrokerNames.AUDIT_STREAM);
        } else if (principal == Principal.OPERATOR) {
            expected.add(BrokerNames.AUDIT_STREAM);
            queues.stream().filter(q -> q.endsWith(BrokerNames.DEAD_LETTER_SUFFIX)).forEach(expected::add);
        } else if (principal == Principal.CHATOPS) {
            expected.add(BrokerDefinitions.CHATOPS_FEED);
        }
        expected.retainAll(queues);
        return expected;
    }

    static boolean canConsume(Connection connection, String queue) throws IOException {
        Channel channel = connection.createChannel();
        try {
            channel.basicQos(1);
            Map<String, Object> arguments = queue.equals(BrokerNames.AUDIT_STREAM)
                    ? Map.of("x-stream-offset", "next") : Map.of();
            String tag = channel.basicConsume(queue, false, arguments, new DefaultConsumer(channel));
            channel.basicCancel(tag);
            return true;
        } catch (IOException refused) {
            assertThat(BrokerIsolationTests.chain(refused)).contains("ACCESS_REFUSED");
            return false;
        } finally {
            if (channel.isOpen()) {
                try {
                    channel.close();
                } catch (TimeoutException | IOException ignored) {
                    // closing a channel the broker is closing anyway
                }
            }
        }
    }
}
