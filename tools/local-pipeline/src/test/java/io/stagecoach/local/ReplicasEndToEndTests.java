package io.stagecoach.local;

import static io.stagecoach.local.Releases.build;
import static io.stagecoach.local.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.Principal;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.platform.topology.BrokerDefinitions;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Two instances of every service of dev, on the real broker: each inbox has one active consumer and a standby, each
 * service one replica that leads its sweeps. Stopping the promotion instance whose consumers are active hands its
 * inboxes to the other, and the next release still goes through within 15 s.
 */
@RealBroker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasEndToEndTests {

    private static final String DEV = "dev";
    private static final String SERVICE = "svc-replicas";
    private static final Duration FAILOVER = Duration.ofSeconds(15);
    /** The instance in a connection name: {@code stagecoach <user> (dev-promotion-2)}. */
    private static final Pattern INSTANCE = Pattern.compile("\\(" + DEV + "-[a-z-]+-(\\d+)\\)$");

    @TempDir
    static Path workdir;

    private static TestBroker testBroker;
    private static TestPipeline broker;
    private static LocalPipeline pipeline;

    @BeforeAll
    static void startTwoInstancesOfEveryServiceOfDev(TestBroker given) throws Exception {
        testBroker = given;
        broker = TestPipeline.provision(given);
        LocalPipelineSettings.Builder settings = EndToEndPipelines.settings(given, workdir, List.of(SERVICE), "30s",
                "local-pipeline-replicas-tests.log")
                .environmentNames(List.of(DEV))
                .replicas(2)
                .webServers(false)
                .property("stagecoach.promotion.checkpoint-check", "300ms");
        pipeline = LocalPipeline.start(settings.build(), line -> System.out.println("[replicas] " + line));
    }

    @AfterAll
    static void stopThePipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void everyInboxHasOneActiveConsumerAndAStandbyAndEveryServiceOneLeaderWhoAloneSweeps() {
        assertThat(pipeline.services()).hasSize(8);
        List<String> inboxes = inboxes();
        // build-completed 1, promotion 2, smoke-test 1, rollback 5 (smoke failed, deployment failed, alert,
        // rollback requested, hold released)
        assertThat(inboxes).hasSize(9);
        await("one active and one waiting consumer on every inbox").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> {
                    for (String inbox : inboxes) {
                        JsonNode queue = queue(inbox);
                        assertThat(queue.path("consumers").asInt()).as(inbox).isEqualTo(2);
                        assertThat(queue.path("arguments").path("x-single-active-consumer").asBoolean()).as(inbox)
                                .isTrue();
                        assertThat(consumers(inbox)).as(inbox).extracting(c -> c.path("active").asBoolean())
                                .containsExactlyInAnyOrder(true, false);
                    }
                });
        for (String service : List.of("build-completed", "promotion", "smoke-test", "rollback")) {
            await(service + " has one leader").atMost(FAILOVER).untilAsserted(() ->
                    assertThat(leaders(service)).as(service).hasSize(1));
        }

        // promotion's ledger checkpoints are looked for every 300 ms, by the leader only
        int leader = leaders("promotion").get(0);
        await("the leader looks for due checkpoints").atMost(Duration.ofSeconds(10))
                .until(() -> checkpointChecks(leader) >= 3);
        pipeline.replicas(DEV, "promotion").keySet().stream().filter(replica -> replica != leader)
                .forEach(standby -> assertThat(checkpointChecks(standby)).as("checks of standby #" + standby)
                        .isZero());
    }

    @Test
    @Order(2)
    void whenTheActivePromotionInstanceStopsTheStandbyTakesOverAndTheNextReleaseGoesThroughWithinFifteenSeconds()
            throws Exception {
        Release first = release(SERVICE, "1.0.0", "jane");
        broker.as(DEV, Principal.CI).withoutUserId().publish(build(first));
        broker.audit(DEV).await(SmokeTestPassed.class, s -> s.release().sameBuildAs(first));

        String inbox = BrokerNames.inboxQueue(Principal.PROMOTION.id(), io.stagecoach.events.EventType.PROMOTION_REQUESTED);
        int active = activeReplica(inbox);
        int standby = pipeline.replicas(DEV, "promotion").keySet().stream().filter(r -> r != active).findFirst()
                .orElseThrow();
        boolean activeLed = leaders("promotion").contains(active);
        System.out.println("[replicas] promotion #" + active + " holds the active consumers"
                + (activeLed ? " and leads" : "; #" + standby + " leads"));

        Release next = release(SERVICE, "1.1.0", "jane");
        long stopping = System.nanoTime();
        pipeline.stop(DEV, "promotion", active);
        Duration stop = since(stopping);
        broker.as(DEV, Principal.CI).withoutUserId().publish(build(next));

        await("the next release deployed and verified in dev").atMost(FAILOVER).pollInterval(Duration.ofMillis(50))
                .until(() -> !broker.audit(DEV).events(SmokeTestPassed.class, s -> s.release().sameBuildAs(next))
                        .isEmpty());
        Duration through = since(stopping);
        await("promotion #" + standby + " leads").atMost(FAILOVER).until(() -> leaders("promotion")
                .equals(List.of(standby)));
        Duration led = since(stopping);
        System.out.printf("[replicas] stopping promotion #%d took %d ms; the next release was verified %d ms after "
                        + "the stop began; promotion #%d led after %d ms%n", active, stop.toMillis(), through.toMillis(),
                standby, led.toMillis());

        assertThat(through).isLessThan(FAILOVER);
        assertThat(broker.audit(DEV).events(DeploymentCompleted.class, d -> d.release().sameBuildAs(next)))
                .as("deployed once").hasSize(1);
        await("the remaining instance's consumers are the active ones").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> {
                    for (String queue : List.of(inbox, BrokerNames.inboxQueue(Principal.PROMOTION.id(),
                            io.stagecoach.events.EventType.SMOKETEST_PASSED))) {
                        assertThat(consumers(queue)).as(queue).singleElement().satisfies(c -> {
                            assertThat(c.path("active").asBoolean()).isTrue();
                            assertThat(instance(c)).isEqualTo(standby);
                        });
                    }
                });
        double before = checkpointChecks(standby);
        await("the new leader looks for due checkpoints").atMost(Duration.ofSeconds(10))
                .until(() -> checkpointChecks(standby) > before);
    }

    /** dev's inboxes, as the plan declares them. */
    private static List<String> inboxes() {
        List<String> inboxes = new ArrayList<>();
        BrokerDefinitions.plan(broker.environments()).queues().stream()
                .filter(q -> q.vhost().equals(broker.vhost(DEV)) && BrokerDefinitions.isInbox(q.name()))
                .forEach(q -> inboxes.add(q.name()));
        return inboxes;
    }

    private static JsonNode queue(String name) {
        return testBroker.management().get("/api/queues/" + ManagementApi.encode(broker.vhost(DEV)) + "/"
                + ManagementApi.encode(name)).orElseThrow();
    }

    /** The consumers of {@code queue} as the management API lists them (each with {@code active}). */
    private static List<JsonNode> consumers(String queue) {
        List<JsonNode> consumers = new ArrayList<>();
        testBroker.management().get("/api/consumers/" + ManagementApi.encode(broker.vhost(DEV))).orElseThrow()
                .forEach(c -> {
                    if (c.path("queue").path("name").asString().equals(queue)) {
                        consumers.add(c);
                    }
                });
        return consumers;
    }

    /** The replica whose consumer of {@code queue} is the active one. */
    private static int activeReplica(String queue) {
        return await("an active consumer on " + queue).atMost(Duration.ofSeconds(30)).until(() -> consumers(queue)
                .stream().filter(c -> c.path("active").asBoolean()).map(ReplicasEndToEndTests::instance).findFirst()
                .orElse(-1), replica -> replica > 0);
    }

    /** The replica a consumer belongs to, from the name its connection gave itself. */
    private static int instance(JsonNode consumer) {
        String connection = consumer.path("channel_details").path("connection_name").asString("");
        String named = testBroker.management().get("/api/connections/" + ManagementApi.encode(connection))
                .map(c -> c.path("client_properties").path("connection_name").asString("")).orElse("");
        Matcher matcher = INSTANCE.matcher(named);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    /** The replicas of {@code service} whose {@code stagecoach.leader} gauge says they lead. */
    private static List<Integer> leaders(String service) {
        List<Integer> leaders = new ArrayList<>();
        Map<Integer, ConfigurableApplicationContext> replicas = new LinkedHashMap<>(pipeline.replicas(DEV, service));
        replicas.forEach((replica, context) -> {
            if (context.getBean(MeterRegistry.class).get("stagecoach.leader").gauge().value() == 1) {
                leaders.add(replica);
            }
        });
        return leaders;
    }

    private static double checkpointChecks(int replica) {
        return pipeline.replicas(DEV, "promotion").get(replica).getBean(MeterRegistry.class)
                .get("stagecoach.ledger.checkpoint.checks").counter().count();
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }
}
