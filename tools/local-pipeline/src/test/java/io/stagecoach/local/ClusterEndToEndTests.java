package io.stagecoach.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import io.stagecoach.events.Release;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.PrivateBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole pipeline on a RabbitMQ cluster of three private nodes ({@link PrivateBroker}), every service given every
 * node's address: its quorum queues and audit streams have a replica on each node, and it keeps promoting while the
 * node every client connected to is stopped, and after that node rejoined. Each phase's builds are reconciled like
 * the rest of the fault suite ({@link FaultSuite}); 100 builds a phase keep three replicating nodes and the
 * whole pipeline within minutes on two cores.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(PrivateBroker.LOCK)
class ClusterEndToEndTests {

    private static final int SERVICES = 10;
    private static final int VERSIONS = 10;
    private static final List<String> PHASES = List.of("down", "rejoined");
    private static final int DOWN_SECONDS = 10;

    @TempDir
    static Path workdir;

    private static PrivateBroker cluster;
    private static TestBroker testBroker;
    private static TestPipeline broker;
    private static LocalPipeline pipeline;
    private static FaultSuite faults;

    @BeforeAll
    static void startThePipelineOnAClusterOfThree() throws Exception {
        cluster = PrivateBroker.cluster();
        testBroker = cluster.broker();
        broker = TestPipeline.provision(testBroker);
        List<String> services = new ArrayList<>();
        PHASES.forEach(phase -> services.addAll(FaultSuite.services(phase, SERVICES)));
        LocalPipelineSettings settings = EndToEndPipelines.settings(testBroker, workdir, services, "1h",
                "cluster-tests.log")
                // the services' own retry waits (1 s, 2 s, 4 s), as in BrokerFaultsEndToEndTests
                .property("spring.rabbitmq.listener.simple.retry.initial-interval", "1s").build();
        assertThat(settings.amqpAddresses()).containsExactly(cluster.amqpAddress(0), cluster.amqpAddress(1),
                cluster.amqpAddress(2));
        pipeline = LocalPipeline.start(settings, line -> System.out.println("[local pipeline] " + line));
        faults = new FaultSuite(broker, testBroker, new GitOpsHistory(pipeline.gitopsRepository()));
    }

    @AfterAll
    static void stopThePipelineAndTheCluster() {
        try {
            if (pipeline != null) {
                pipeline.close();
            }
            if (broker != null) {
                broker.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    @Order(1)
    void everyQuorumQueueAndAuditStreamHasAReplicaOnEveryNode() {
        // the management API lists a new stream's members only once its statistics came in (every few seconds)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(ClusterEndToEndTests::everyQueueHasAReplicaOnEveryNode);
    }

    private static void everyQueueHasAReplicaOnEveryNode() {
        Set<String> nodes = Set.of(cluster.node(0), cluster.node(1), cluster.node(2));
        List<String> underReplicated = new ArrayList<>();
        int replicated = 0;
        for (String environment : FaultSuite.ENVIRONMENTS) {
            JsonNode queues = testBroker.management().get("/api/queues/"
                    + ManagementApi.encode(broker.vhost(environment))).orElseThrow();
            for (JsonNode queue : queues) {
                String type = queue.path("type").asString();
                if (!type.equals("quorum") && !type.equals("stream")) {
                    continue;
                }
                Set<String> members = new TreeSet<>();
                queue.path("members").forEach(member -> members.add(member.asString()));
                if (members.equals(nodes)) {
                    replicated++;
                } else {
                    underReplicated.add(type + " " + environment + "/" + queue.path("name").asString() + " on "
                            + members);
                }
            }
        }
        System.out.println("[cluster] " + replicated + " quorum queues and streams with a replica on each of "
                + nodes.size() + " nodes");
        assertThat(underReplicated).as("queues without a replica on every node").isEmpty();
        assertThat(replicated).as("replicated queues").isGreaterThan(FaultSuite.ENVIRONMENTS.size());
    }

    @Test
    @Order(2)
    void theNodeEveryClientConnectedToStoppedMidRunAndThePipelineKeepsPromoting() throws Exception {
        // the management API lists connections from its statistics, which come in every few seconds
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> connectionsByNode().values().stream().mapToLong(Long::longValue).sum() > 0);
        Map<String, Long> byNode = connectionsByNode();
        System.out.println("[cluster] AMQP connections by node before the first node stops: " + byNode);
        assertThat(byNode.values().stream().mapToLong(Long::longValue).sum()).as("client connections").isPositive();
        List<Release> releases = releases("down");
        Thread publisher = faults.publishInBackground(releases, false);
        Thread.sleep(3_000);

        long stopping = System.nanoTime();
        cluster.stop(0);
        long stopped = System.nanoTime();
        // from the moment the node is down (rabbitmqctl stop returned and the node no longer answers)
        double reconnected = faults.awaitConsumers(stopped);
        publisher.join();

        faults.reconcile(String.format("a cluster node (the one every client connected to) stopped, which took %.1f s",
                (stopped - stopping) / 1e9), releases, stopped, reconnected);
        Thread.sleep(Math.max(0, DOWN_SECONDS * 1_000L - (System.nanoTime() - stopped) / 1_000_000));
    }

    @Test
    @Order(3)
    void afterTheNodeRejoinedTheClusterLaterBuildsStillPromote() throws Exception {
        long restarted = System.nanoTime();
        cluster.restart(0);
        double rejoined = (System.nanoTime() - restarted) / 1e9;
        assertThat(runningNodes()).as("nodes running after the restart").isEqualTo(3);
        System.out.printf("[cluster] the stopped node rejoined and runs again %.1f s after its restart%n", rejoined);

        List<Release> releases = releases("rejoined");
        long start = System.nanoTime();
        faults.publishInBackground(releases, false).join();

        faults.reconcile("builds after the stopped node rejoined the cluster", releases, start, 0);
    }

    private static Map<String, Long> connectionsByNode() {
        return StreamSupport.stream(testBroker.management().get("/api/connections").orElseThrow().spliterator(),
                false).collect(Collectors.groupingBy(c -> c.path("node").asString(), TreeMap::new,
                Collectors.counting()));
    }

    private static long runningNodes() {
        return StreamSupport.stream(testBroker.management().get("/api/nodes").orElseThrow().spliterator(), false)
                .filter(n -> n.path("running").asBoolean()).count();
    }

    private static List<Release> releases(String phase) {
        return FaultSuite.releases(FaultSuite.services(phase, SERVICES), VERSIONS);
    }
}
