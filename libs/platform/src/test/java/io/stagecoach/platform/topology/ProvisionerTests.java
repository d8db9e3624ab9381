package io.stagecoach.platform.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.ProvisionedBroker;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.topology.ProvisioningReport.Difference;
import io.stagecoach.platform.topology.ProvisioningReport.QueueCount;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.Deliveries;
import io.stagecoach.testing.TestBroker;
import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

@RealBroker
class ProvisionerTests {

    static TestBroker broker;

    @Test
    void provisioningTwiceChangesNothingTheSecondTimeAndReportsNoDifferences() {
        ProvisionedBroker target = ProvisionedBroker.planned(broker, "twice");
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();

        ProvisioningReport firstReport = target.provisioner(first::add).apply(target.environments());
        int bindings = bindingCount(target);
        ProvisioningReport secondReport = target.provisioner(second::add).apply(target.environments());

        assertThat(firstReport.isClean()).as(firstReport.describe()).isTrue();
        assertThat(secondReport.isClean()).as(secondReport.describe()).isTrue();
        assertThat(bindingCount(target)).as("no binding added twice").isEqualTo(bindings);
        assertThat(first).anySatisfy(line -> assertThat(line).startsWith("dev (vhost " + target.vhost("dev") + "): 7 users")
                .contains("20 queues (19 quorum, 1 stream; 20 new)"));
        assertThat(first).anySatisfy(line -> assertThat(line).startsWith("prod (vhost " + target.vhost("prod") + "): 7 users")
                .contains("24 queues (23 quorum, 1 stream; 24 new)"));
        assertThat(first).anySatisfy(line -> assertThat(line).endsWith("shovel stagecoach-handoff-to-staging created"));
        assertThat(second).hasSize(first.size())
                .noneMatch(line -> line.contains("new") || line.endsWith("created") || line.contains("removed"));
        assertThat(second).anySatisfy(line -> assertThat(line).endsWith("shovel stagecoach-handoff-to-prod unchanged"));
        assertThat(secondReport.queues()).extracting(QueueCount::quorum, QueueCount::streams)
                .containsExactly(tuple(19L, 1L), tuple(19L, 1L), tuple(23L, 1L));
    }

    @Test
    void provisioningAgainKeepsEveryPlannedQueueAndTheMessagesInIt() throws Exception {
        ProvisionedBroker target = ProvisionedBroker.provisioned(broker, "keep");
        target.publish("dev", Principal.CI, "build.completed.dev", "{\"build\":1}");
        Map<String, List<String>> before = queueNames(target);
        List<String> progress = new ArrayList<>();

        ProvisioningReport again = target.provisioner(progress::add).apply(target.environments());

        assertThat(again.isClean()).as(again.describe()).isTrue();
        assertThat(progress).noneMatch(line -> line.contains("removed"));
        assertThat(queueNames(target)).isEqualTo(before);
        try (Connection connection = target.connectionFactory("dev", Principal.BUILD_COMPLETED).newConnection();
             Channel channel = connection.createChannel()) {
            assertThat(Deliveries.takeOne(connection, "build-completed.build-completed", Duration.ofSeconds(10)))
                    .as("the waiting build").isNotNull();
        }
    }

    /**
     * A broker provisioned before services ran only where they have work: inboxes and users of services that do
     * not run there. The check names each; provisioning deletes the empty ones and the users, and keeps (and
     * reports) the inbox that still holds a message until it was read. Other queues of the vhost are not its business.
     */
    @Test
    void inboxesAndUsersTheStagecoachPlanNoLongerHasAreReportedAndRemovedOnlyWhenEmpty() throws Exception {
        ProvisionedBroker target = ProvisionedBroker.provisioned(broker, "stale");
        String staging = target.vhost("staging");
        String prod = target.vhost("prod");
        String stagingApproval = target.user("staging", Principal.APPROVAL);
        for (String vhost : List.of(staging, prod)) {
            target.management().put(ManagementClient.path("api", "permissions", vhost, broker.adminUser()),
                    Map.of("configure", ".*", "write", ".*", "read", ".*"));
        }
        declare(target, staging, "approval.approval-requested", Map.of("x-queue-type", "quorum",
                "x-dead-letter-exchange", "stagecoach.events.dlx", "x-dead-letter-routing-key", "approval.approval-requested"));
        declare(target, staging, "approval.approval-requested.dlq", Map.of("x-queue-type", "quorum"));
        declare(target, staging, "someone.elses-queue", Map.of());
        declare(target, prod, "build-completed.build-completed", Map.of("x-queue-type", "quorum"));
        try (Connection connection = target.adminConnectionFactory("prod").newConnection();
             Channel channel = connection.createChannel()) {
            channel.basicPublish("", "build-completed.build-completed", null, "waiting".getBytes(StandardCharsets.UTF_8));
        }
        target.management().put(ManagementClient.path("api", "users", stagingApproval), Map.of("password", "x", "tags", ""));
        target.management().put(ManagementClient.path("api", "permissions", staging, stagingApproval),
                Map.of("configure", ".*", "write", ".*", "read", ".*"));
        await("queue statistics").atMost(Duration.ofSeconds(30)).until(() ->
                target.messagesIn("prod", "build-completed.build-completed") == 1
                        && target.messagesIn("staging", "approval.approval-requested") == 0
                        && target.messagesIn("staging", "approval.approval-requested.dlq") == 0);

        ProvisioningReport check = target.provisioner(line -> { }).verify(target.environments());

        assertThat(check.differences()).extracting(Difference::vhost, Difference::object).containsExactlyInAnyOrder(
                tuple(staging, "queue approval.approval-requested"),
                tuple(staging, "queue approval.approval-requested.dlq"),
                tuple(prod, "queue build-completed.build-completed"),
                tuple(staging, "user " + stagingApproval));
        assertThat(check.differences()).filteredOn(d -> d.object().equals("queue approval.approval-requested"))
                .singleElement().satisfies(d -> {
                    assertThat(d.problem()).startsWith("not in the plan").endsWith("(empty, unused)");
                    assertThat(d.fix()).isEqualTo("provision deletes it");
                });
        assertThat(check.differences()).filteredOn(d -> d.object().equals("queue build-completed.build-completed"))
                .singleElement().satisfies(d -> {
                    assertThat(d.problem()).startsWith("not in the plan").endsWith("it holds 1 messages");
                    assertThat(d.fix()).contains("deletes only empty, unused queues", "then provision again");
                });
        assertThat(check.queues()).extracting(QueueCount::quorum, QueueCount::plannedQuorum)
                .containsExactly(tuple(19L, 19L), tuple(21L, 19L), tuple(24L, 23L));
        assertThat(check.queueSummary()).contains("21 quorum (plan: 19) + 1 stream");

        List<String> progress = new ArrayList<>();
        ProvisioningReport applied = target.provisioner(progress::add).apply(target.environments());

        assertThat(applied.differences()).singleElement().satisfies(d -> {
            assertThat(d.vhost()).isEqualTo(prod);
            assertThat(d.object()).isEqualTo("queue build-completed.build-completed");
        });
        assertThat(progress).anySatisfy(line -> assertThat(line).startsWith("staging (vhost " + staging + ")")
                .endsWith("removed 2 empty queues no longer in the plan: approval.approval-requested, "
                        + "approval.approval-requested.dlq"));
        assertThat(progress).anySatisfy(line -> assertThat(line)
                .isEqualTo("staging (vhost " + staging + "): removed user " + stagingApproval
                        + " (approval does not run there)"));
        assertThat(queueNames(target).get("staging")).contains("someone.elses-queue")
                .doesNotContain("approval.approval-requested", "approval.approval-requested.dlq");
        assertThat(target.management().get(ManagementClient.path("api", "users", stagingApproval))).isEmpty();

        try (Connection connection = target.adminConnectionFactory("prod").newConnection();
             Channel channel = connection.createChannel()) {
            assertThat(new String(Deliveries.takeOne(connection, "build-completed.build-completed",
                    Duration.ofSeconds(10)).getBody(),
                    StandardCharsets.UTF_8)).isEqualTo("waiting");
        }
        await("the queue reported empty").atMost(Duration.ofSeconds(30))
                .until(() -> target.messagesIn("prod", "build-completed.build-completed") == 0);
        ProvisioningReport emptied = target.provisioner(line -> { }).apply(target.environments());

        assertThat(emptied.isClean()).as(emptied.describe()).isTrue();
        assertThat(queueNames(target).get("prod")).doesNotContain("build-completed.build-completed");
    }

    /** A dead-letter queue is no inbox: one with other arguments is reported, never replaced. */
    @Test
    void aDeadLetterQueueThatExistedWithOtherArgumentsIsReportedAndKeepsItsMessages() throws Exception {
        ProvisionedBroker target = ProvisionedBroker.planned(broker, "pre");
        String dev = target.vhost("dev");
        String deadLetters = "promotion.promotion-requested.dlq";
        target.management().put(ManagementClient.path("api", "vhosts", dev), Map.of());
        target.management().put(ManagementClient.path("api", "permissions", dev, broker.adminUser()),
                Map.of("configure", ".*", "write", ".*", "read", ".*"));
        try (Connection connection = target.adminConnectionFactory("dev").newConnection();
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(deadLetters, true, false, false, Map.of());
            channel.basicPublish("", deadLetters, null, "waiting".getBytes(StandardCharsets.UTF_8));
        }

        ProvisioningReport report = target.provisioner(line -> { }).apply(target.environments());

        assertThat(report.differences()).singleElement().satisfies(difference -> {
            assertThat(difference.vhost()).isEqualTo(dev);
            assertThat(difference.object()).isEqualTo("queue " + deadLetters);
            assertThat(difference.problem()).contains("arguments x-queue-type is absent (plan: \"quorum\")");
            assertThat(difference.fix()).contains("delete the queue", "provision again");
        });
        assertThat(report.describe()).startsWith("The broker differs from the plan in 1 place:");
        try (Connection connection = target.adminConnectionFactory("dev").newConnection();
             Channel channel = connection.createChannel()) {
            GetResponse kept = channel.basicGet(deadLetters, true);
            assertThat(kept).as("the message in the old queue").isNotNull();
            assertThat(new String(kept.getBody(), StandardCharsets.UTF_8)).isEqualTo("waiting");
        }
    }

    /**
     * A broker provisioned before inboxes had a single active consumer: quorum inboxes without
     * {@code x-single-active-consumer}, some holding events, one with a consumer attached (a service still running).
     * Provisioning replaces every inbox with the planned one and moves the events into it with their routing key and
     * publisher. RabbitMQ 3.10 does not cancel a deleted quorum queue's consumers, so the consumer's connection is
     * closed, and a client that reconnects consumes the new queue. A second provisioning changes nothing.
     */
    @Test
    void inboxesWithoutASingleActiveConsumerAreReplacedAndKeepTheirMessages() throws Exception {
        ProvisionedBroker target = ProvisionedBroker.planned(broker, "sac");
        Definitions planned = BrokerDefinitions.plan(target.environments());
        Definitions before = new Definitions(planned.users(), planned.vhosts(), planned.permissions(),
                planned.topicPermissions(), planned.parameters(), planned.queues().stream().map(q -> {
                    Map<String, Object> arguments = new java.util.LinkedHashMap<>(q.arguments());
                    arguments.remove("x-single-active-consumer");
                    return new Definitions.Queue(q.name(), q.vhost(), q.durable(), q.autoDelete(), arguments);
                }).toList(), planned.exchanges(), planned.bindings());
        ProvisioningReport old = target.provisioner(line -> { }).apply(before);
        assertThat(old.isClean()).as(old.describe()).isTrue();
        for (int i = 1; i <= 2; i++) {
            target.publish("dev", Principal.CI, "build.completed.dev", "{\"build\":" + i + "}");
        }
        target.publish("dev", Principal.BUILD_COMPLETED, "promotion.requested.dev", "{\"promotion\":1}");
        String consumed = "smoke-test.deployment-completed";
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        Connection service = target.connectionFactory("dev", Principal.SMOKE_TEST).newConnection();
        try {
            service.addShutdownListener(cause -> closed.countDown());
            Channel channel = service.createChannel();
            channel.basicConsume(consumed, false, new com.rabbitmq.client.DefaultConsumer(channel));
            await().atMost(Duration.ofSeconds(30)).until(() -> target.messagesIn("dev", "build-completed.build-completed") == 2
                    && target.management().get(ManagementClient.path("api", "queues", target.vhost("dev"), consumed))
                    .orElseThrow().path("consumers").asLong() == 1);
            assertThat(target.provisioner(line -> { }).verify(target.environments()).differences())
                    .anySatisfy(d -> assertThat(d.problem()).contains("x-single-active-consumer is absent"));
            List<String> progress = new ArrayList<>();

            long began = System.nanoTime();
            ProvisioningReport report = target.provisioner(progress::add).apply(target.environments());
            System.out.printf("[provision] replaced %d inboxes in %d ms%n", progress.stream()
                    .filter(line -> line.contains("replaced the")).count(), (System.nanoTime() - began) / 1_000_000);

            assertThat(report.isClean()).as(report.describe()).isTrue();
            assertThat(progress).anySatisfy(line -> assertThat(line).contains("replaced the quorum queue "
                    + "build-completed.build-completed, whose arguments differed from the plan "
                    + "(x-single-active-consumer), with the planned one (2 messages moved into it)"));
            for (Environment env : target.environments().all()) {
                List<JsonNode> queues = target.management().list(ManagementClient.path("api", "queues", env.vhost()));
                assertThat(queues).filteredOn(q -> BrokerDefinitions.isInbox(q.path("name").asString()))
                        .isNotEmpty().allSatisfy(q -> assertThat(q.path("arguments")
                                .path("x-single-active-consumer").asBoolean()).as(q.path("name").asString()).isTrue());
                assertThat(queues).noneMatch(q -> q.path("name").asString().endsWith(".replacing"));
            }
            assertThat(progress).anySatisfy(line -> assertThat(line).contains("replaced the quorum queue " + consumed,
                    "closed the connection that consumed the old queue"));
            assertThat(closed.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the consumer's connection closed")
                    .isTrue();
        } finally {
            service.abort();
        }
        try (Connection reconnected = target.connectionFactory("dev", Principal.SMOKE_TEST).newConnection()) {
            Channel channel = reconnected.createChannel();
            channel.basicConsume(consumed, false, new com.rabbitmq.client.DefaultConsumer(channel));
            await().atMost(Duration.ofSeconds(30)).until(() -> target.management().get(ManagementClient.path("api",
                    "queues", target.vhost("dev"), consumed)).orElseThrow().path("consumers").asLong() == 1);
        }
        assertThat(take(target, Principal.BUILD_COMPLETED, "build-completed.build-completed", 2))
                .containsExactlyInAnyOrder("build.completed.dev " + target.user("dev", Principal.CI) + " {\"build\":1}",
                        "build.completed.dev " + target.user("dev", Principal.CI) + " {\"build\":2}");
        assertThat(take(target, Principal.PROMOTION, "promotion.promotion-requested", 1)).containsExactly(
                "promotion.requested.dev " + target.user("dev", Principal.BUILD_COMPLETED) + " {\"promotion\":1}");
        List<String> second = new ArrayList<>();
        assertThat(target.provisioner(second::add).apply(target.environments()).isClean()).isTrue();
        assertThat(second).noneMatch(line -> line.contains("replac") || line.contains("moved"));
    }

    /** Takes {@code count} messages from {@code queue} in dev as {@code principal}: routing key, publisher, body. */
    private static List<String> take(ProvisionedBroker target, Principal principal, String queue, int count)
            throws Exception {
        List<String> taken = new ArrayList<>();
        try (Connection connection = target.connectionFactory("dev", principal).newConnection()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                GetResponse got = Deliveries.takeOne(connection, queue, Duration.ofSeconds(1));
                if (got != null) {
                    taken.add(got.getEnvelope().getRoutingKey() + " " + got.getProps().getUserId() + " "
                            + new String(got.getBody(), StandardCharsets.UTF_8));
                }
                assertThat(taken).hasSize(count);
            });
        }
        return taken;
    }

    /**
     * What a vhost deleted and re-created under a running shovel is left with: the hand-off queue declared by the
     * shovel, classic and without arguments, holding hand-offs. Provisioning replaces it with the planned quorum
     * queue, moves its messages into it with their routing keys and publisher, and the hand-off carries them on.
     */
    @Test
    void aHandoffQueueAShovelDeclaredClassicIsReplacedAndItsMessagesCarriedOn() throws Exception {
        ProvisionedBroker target = ProvisionedBroker.provisioned(broker, "converge");
        String dev = target.vhost("dev");
        String handoff = io.stagecoach.events.BrokerNames.handoffQueue("staging");
        String shovel = io.stagecoach.events.BrokerNames.handoffShovel("staging");
        target.management().delete(ManagementClient.path("api", "parameters", "shovel", dev, shovel));
        await().atMost(Duration.ofSeconds(30)).until(() -> target.management()
                .list(ManagementClient.path("api", "shovels", dev)).isEmpty());
        target.management().delete(ManagementClient.path("api", "queues", dev, handoff));
        declare(target, dev, handoff, Map.of());
        target.management().post(ManagementClient.path("api", "bindings", dev, "e",
                        io.stagecoach.events.BrokerNames.EVENTS_EXCHANGE, "q", handoff),
                Map.of("routing_key", "promotion.requested.staging", "arguments", Map.of()));
        for (int i = 1; i <= 3; i++) {
            target.publish("dev", Principal.PROMOTION, "promotion.requested.staging", "{\"handoff\":" + i + "}");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> target.messagesIn("dev", handoff) == 3);
        assertThat(target.provisioner(line -> { }).verify(target.environments()).differences())
                .anySatisfy(d -> assertThat(d.object()).isEqualTo("queue " + handoff));
        List<String> progress = new ArrayList<>();

        ProvisioningReport report = target.provisioner(progress::add).apply(target.environments());

        assertThat(report.isClean()).as(report.describe()).isTrue();
        assertThat(progress).anySatisfy(line -> assertThat(line).contains("replaced the classic queue " + handoff
                + " with a quorum one (3 messages moved into it)"));
        assertThat(target.management().get(ManagementClient.path("api", "queues", dev, handoff)).orElseThrow()
                .path("type").asString()).isEqualTo("quorum");
        assertThat(target.management().list(ManagementClient.path("api", "queues", dev)))
                .noneMatch(q -> q.path("name").asString().endsWith(".replacing"));
        // the hand-off shovel is back and carries the three on, as their publisher sent them
        List<String> arrived = handOffsInStaging(target, 3);
        assertThat(arrived).containsExactlyInAnyOrder("{\"handoff\":1}", "{\"handoff\":2}", "{\"handoff\":3}");
        // and provisioning again changes nothing
        List<String> again = new ArrayList<>();
        assertThat(target.provisioner(again::add).apply(target.environments()).isClean()).isTrue();
        assertThat(again).noneMatch(line -> line.contains("replac") || line.contains("moved"));
    }

    /** A replacement that stopped after moving the messages out: the next provisioning moves them into the queue. */
    @Test
    void aReplacementInterruptedHalfwayIsFinishedByTheNextProvisioning() throws Exception {
        ProvisionedBroker target = ProvisionedBroker.provisioned(broker, "resume");
        String dev = target.vhost("dev");
        String handoff = io.stagecoach.events.BrokerNames.handoffQueue("staging");
        String waiting = handoff + QueueReplacement.WAITING_SUFFIX;
        String events = io.stagecoach.events.BrokerNames.EVENTS_EXCHANGE;
        declare(target, dev, waiting, target.management().get(ManagementClient.path("api", "queues", dev, handoff))
                .map(q -> Definitions.JSON.convertValue(q.path("arguments"), Map.class)).orElseThrow());
        // the two hand-offs went to the waiting copy instead of the hand-off queue
        String key = "promotion.requested.staging";
        target.management().delete(ManagementClient.path("api", "bindings", dev, "e", events, "q", handoff, key));
        target.management().post(ManagementClient.path("api", "bindings", dev, "e", events, "q", waiting),
                Map.of("routing_key", key, "arguments", Map.of()));
        target.publish("dev", Principal.PROMOTION, key, "{\"waiting\":1}");
        target.publish("dev", Principal.PROMOTION, key, "{\"waiting\":2}");
        target.management().delete(ManagementClient.path("api", "bindings", dev, "e", events, "q", waiting, key));
        await().atMost(Duration.ofSeconds(30)).until(() -> target.messagesIn("dev", waiting) == 2);
        List<String> progress = new ArrayList<>();

        ProvisioningReport report = target.provisioner(progress::add).apply(target.environments());

        assertThat(report.isClean()).as(report.describe()).isTrue();
        assertThat(progress).anySatisfy(line -> assertThat(line)
                .contains("finished replacing " + handoff + " (2 waiting messages moved into it)"));
        assertThat(target.management().get(ManagementClient.path("api", "queues", dev, waiting))).isEmpty();
        List<String> arrived = handOffsInStaging(target, 2);
        assertThat(arrived).containsExactlyInAnyOrder("{\"waiting\":1}", "{\"waiting\":2}");
    }

    @Test
    void checkingAnUnprovisionedBrokerReportsWhatIsMissingAndCreatesNothing() {
        ProvisionedBroker target = ProvisionedBroker.planned(broker, "check");

        ProvisioningReport report = target.provisioner(line -> { }).verify(target.environments());

        assertThat(report.differences()).extracting(Difference::vhost, Difference::object)
                .contains(org.assertj.core.groups.Tuple.tuple(target.vhost("dev"), "vhost"),
                        org.assertj.core.groups.Tuple.tuple(target.vhost("prod"), "vhost"),
                        org.assertj.core.groups.Tuple.tuple("", "user " + target.user("dev", Principal.CI)));
        assertThat(target.management().get(ManagementClient.path("api", "vhosts", target.vhost("dev")))).isEmpty();
    }

    @Test
    void aUserGivenAccessToAnotherEnvironmentIsReported() {
        ProvisionedBroker target = ProvisionedBroker.provisioned(broker, "leak");
        String devPromotion = target.user("dev", Principal.PROMOTION);
        target.management().put(ManagementClient.path("api", "permissions", target.vhost("prod"), devPromotion),
                Map.of("configure", "", "write", ".*", "read", ".*"));

        ProvisioningReport report = target.provisioner(line -> { }).verify(target.environments());

        assertThat(report.differences()).singleElement().satisfies(difference -> {
            assertThat(difference.vhost()).isEqualTo(target.vhost("prod"));
            assertThat(difference.object()).isEqualTo("permissions of " + devPromotion);
            assertThat(difference.fix()).isEqualTo("remove them: rabbitmqctl clear_permissions -p "
                    + target.vhost("prod") + " " + devPromotion);
        });
    }

    /**
     * Takes {@code count} hand-offs from staging's promotion inbox, each under its own type's key and published by
     * dev's promotion service; returns their bodies.
     */
    private static List<String> handOffsInStaging(ProvisionedBroker target, int count) throws Exception {
        List<String> arrived = new ArrayList<>();
        try (Connection connection = target.adminConnectionFactory("staging").newConnection()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                GetResponse got = Deliveries.takeOne(connection, "promotion.promotion-requested", Duration.ofSeconds(1));
                if (got != null) {
                    assertThat(got.getEnvelope().getRoutingKey()).isEqualTo("promotion.requested.staging");
                    assertThat(got.getProps().getUserId()).isEqualTo(target.user("dev", Principal.PROMOTION));
                    arrived.add(new String(got.getBody(), StandardCharsets.UTF_8));
                }
                assertThat(arrived).hasSize(count);
            });
        }
        return arrived;
    }

    private static void declare(ProvisionedBroker target, String vhost, String queue, Map<String, Object> arguments) {
        target.management().put(ManagementClient.path("api", "queues", vhost, queue),
                Map.of("durable", true, "auto_delete", false, "arguments", arguments));
    }

    private static Map<String, List<String>> queueNames(ProvisionedBroker target) {
        Map<String, List<String>> names = new TreeMap<>();
        for (Environment env : target.environments().all()) {
            names.put(env.name(), target.management().list(ManagementClient.path("api", "queues", env.vhost())).stream()
                    .map(q -> q.path("name").asString()).sorted().toList());
        }
        return names;
    }

    private static int bindingCount(ProvisionedBroker target) {
        int count = 0;
        for (Environment env : target.environments().all()) {
            count += target.management().list(ManagementClient.path("api", "bindings", env.vhost())).size();
        }
        return count;
    }
}
