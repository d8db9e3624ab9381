package io.stagecoach.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.Deployment;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.Release;
import io.stagecoach.local.FaultInjection.Instance;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults of the services' side while 200 builds are in flight, with two instances of every service (one active
 * consumer per inbox, ADR 22) and staging's services connected to the broker through a {@link BlackholeProxy};
 * reconciled as {@link FaultSuite} does (lost = 0, done twice = 0, every inbox consumed again within 15 s).
 *
 * <p>"Killed" ({@link FaultInjection#kill}): the instance's TCP connections to the broker are reset (RST: no AMQP
 * close, no ack of what it holds) and its context is closed at once, so nothing in it reconnects; the thread that was
 * deploying is held at the hook point and never goes on. The broker sees what it sees when a process dies: the
 * connections drop with deliveries unacknowledged, and it redelivers them to the standby. What differs from a
 * {@code kill -9} is that the instance's other threads are stopped by the context's close, a few milliseconds later,
 * with their connections gone already: none of them can ack, publish or reconnect in between.
 */
@RealBroker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceFaultsEndToEndTests {

    private static final String DEV = "dev";
    private static final String STAGING = "staging";
    private static final List<String> CASES = List.of("before", "after", "blackholed", "replicas");
    /** Short heartbeats, so that a silent connection is noticed in about 10 s (two missed beats) rather than 2 min. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(4);
    private static final Duration BLACKHOLE = Duration.ofSeconds(15);
    /** The instance in a connection name: {@code stagecoach <user> (dev-promotion-2)}. */
    private static final Pattern INSTANCE = Pattern.compile("\\(([a-z]+)-([a-z-]+)-(\\d+)\\)$");

    @TempDir
    static Path workdir;

    private static TestPipeline broker;
    private static TestBroker testBroker;
    private static BlackholeProxy proxy;
    private static LocalPipeline pipeline;
    private static GitOpsHistory git;
    private static FaultSuite suite;

    @BeforeAll
    static void startTwoInstancesOfEveryServiceStagingBehindTheProxy(TestBroker given) throws Exception {
        testBroker = given;
        broker = TestPipeline.provision(testBroker);
        proxy = BlackholeProxy.start(testBroker.host(), testBroker.amqpPort());
        FaultInjection.reset();
        FaultInjection.redirect(STAGING, proxy.port());
        List<String> services = new ArrayList<>();
        CASES.forEach(c -> services.addAll(FaultSuite.services(c)));
        Map.Entry<String, String> injection = FaultInjection.property();
        LocalPipelineSettings.Builder settings = EndToEndPipelines.settings(testBroker, workdir, services, "1h",
                        "service-faults-tests.log")
                .replicas(2)
                .webServers(false)
                .property(injection.getKey(), injection.getValue())
                .property("spring.rabbitmq.requested-heartbeat", HEARTBEAT.toSeconds() + "s")
                .property("stagecoach.resilience.circuit-breaker.wait-in-open-state", "2s");
        pipeline = LocalPipeline.start(settings.build(), line -> System.out.println("[local pipeline] " + line));
        git = new GitOpsHistory(pipeline.gitopsRepository());
        suite = new FaultSuite(broker, testBroker, git);
    }

    @AfterAll
    static void stopThePipeline() {
        FaultInjection.reset();
        if (pipeline != null) {
            pipeline.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void thePromotionInstanceThatTookARequestKilledBeforeItsGitCommit() throws Exception {
        killedAt(DEV, false);
    }

    @Test
    @Order(2)
    void thePromotionInstanceThatTookARequestKilledAfterItsGitPushBeforeItsAck() throws Exception {
        killedAt(STAGING, true);
    }

    @Test
    @Order(3)
    void stagingsConnectionsBlackholedForFifteenSecondsMidRun() throws Exception {
        List<Release> releases = FaultSuite.releases("blackholed");
        Thread publisher = suite.publishInBackground(releases, false);
        Thread.sleep(3_000);

        Set<String> silenced = inboxConnections(STAGING);
        int accepted = proxy.accepted();
        proxy.blackhole();
        Thread.sleep(BLACKHOLE.toMillis());
        long faultEnded = System.nanoTime();
        proxy.resume();
        // every inbox of staging consumed by a connection opened after the silence was noticed, and the others back
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .alias("staging's inboxes consumed over new connections")
                .until(() -> inboxes(STAGING).stream().allMatch(inbox -> broker.consumerConnections(STAGING)
                        .getOrDefault(inbox, Set.of()).stream().anyMatch(c -> !silenced.contains(c))));
        double reconnected = suite.awaitConsumers(faultEnded);
        publisher.join();

        // the broker ends a silenced connection after two missed heartbeats, and its management API lists its
        // consumers until its next statistics: both are bounded, neither is immediate
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(inboxConnections(STAGING)).as("staging's silenced connections")
                        .doesNotContainAnyElementsOf(silenced));
        assertThat(proxy.accepted()).as("connections through the proxy").isGreaterThan(accepted);
        suite.reconcile("staging's connections blackholed for " + BLACKHOLE.toSeconds() + " s (heartbeat "
                + HEARTBEAT.toSeconds() + " s)", releases, faultEnded, reconnected);
    }

    @Test
    @Order(4)
    void theActiveInstanceOfEveryServiceOfDevKilledMidRun() throws Exception {
        List<Release> releases = FaultSuite.releases("replicas");
        Thread publisher = suite.publishInBackground(releases, false);
        Thread.sleep(3_000);

        List<Instance> active = activeInstances(DEV);
        assertThat(active).extracting(Instance::service)
                .containsExactlyInAnyOrder("build-completed", "promotion", "smoke-test", "rollback");
        long fault = System.nanoTime();
        FaultInjection.kill(pipeline, active);
        System.out.println("[fault] killed " + active);
        double reconnected = suite.awaitConsumers(fault);
        publisher.join();

        suite.reconcile("the active instance of every service of dev killed", releases, fault, reconnected);
    }

    /**
     * Holds the first {@code environment} promotion thread that deploys one of this case's releases, before or after
     * its commit reached the GitOps repository, kills that instance, and checks the standby deployed the release once.
     * The killed instance starts again afterwards, as its supervisor would start it.
     */
    private static void killedAt(String environment, boolean afterCommit) throws Exception {
        String name = afterCommit ? "after" : "before";
        List<Release> releases = FaultSuite.releases(name);
        Hold hold = new Hold(environment, "promotion", afterCommit, Set.copyOf(FaultSuite.services(name)));
        FaultInjection.hook(hold);
        Instance killed = null;
        try {
            Thread publisher = suite.publishInBackground(releases, false);
            assertThat(hold.held.await(60, TimeUnit.SECONDS)).as("a deployment held").isTrue();
            killed = hold.instance;
            String run = hold.deployment.trailers().get(Deployment.RUN_ID);
            assertThat(commits(run, environment)).as("commits of the held run").isEqualTo(afterCommit ? 1 : 0);

            long fault = System.nanoTime();
            FaultInjection.kill(pipeline, List.of(killed));
            System.out.println("[fault] killed " + killed + " holding run " + run + " (" + hold.deployment.service()
                    + " " + hold.deployment.version() + ") " + name + " its commit");
            double reconnected = suite.awaitConsumers(fault);
            publisher.join();

            suite.reconcile("the promotion instance that took a request killed " + name + " its Git commit"
                    + (afterCommit ? ", before its ack" : ""), releases, fault, reconnected);
            assertThat(commits(run, environment)).as("commits of the held run").isEqualTo(1);
            assertThat(broker.audit(environment).caughtUp().records(DeploymentCompleted.class, d -> true).stream()
                    .filter(r -> r.event().correlationid().equals(run)).map(r -> r.event().id()).distinct())
                    .as("deployment.completed of the held run").hasSize(1);
        } finally {
            FaultInjection.hook(FaultInjection.Hook.NONE);
            hold.released.countDown();
            if (killed != null) {
                pipeline.restart(killed.environment(), killed.service(), killed.replica());
            }
        }
    }

    private static long commits(String run, String environment) {
        return git.commitsWithTrailer(FaultSuite.RUN_ID, run).stream()
                .filter(c -> git.changedPaths(c).stream().anyMatch(p -> p.startsWith(GitOpsHistory.overlay(
                        environment))))
                .count();
    }

    /** The connections of the consumers of {@code environment}'s inboxes, as the management API names them. */
    private static Set<String> inboxConnections(String environment) {
        List<String> inboxes = inboxes(environment);
        return broker.consumerConnections(environment).entrySet().stream().filter(e -> inboxes.contains(e.getKey()))
                .flatMap(e -> e.getValue().stream()).collect(Collectors.toSet());
    }

    private static List<String> inboxes(String environment) {
        return BrokerDefinitions.plan(broker.environments()).queues().stream()
                .filter(q -> q.vhost().equals(broker.vhost(environment)) && BrokerDefinitions.isInbox(q.name()))
                .map(q -> q.name()).toList();
    }

    /** Per service of {@code environment}, the instance that holds most of its inboxes' active consumers. */
    private static List<Instance> activeInstances(String environment) {
        Map<String, Map<Integer, Integer>> active = new TreeMap<>();
        Map<String, String> names = new HashMap<>();
        testBroker.management().get("/api/consumers/" + ManagementApi.encode(broker.vhost(environment)))
                .orElseThrow().forEach(consumer -> {
                    if (!consumer.path("active").asBoolean()
                            || !BrokerDefinitions.isInbox(consumer.path("queue").path("name").asString())) {
                        return;
                    }
                    String connection = consumer.path("channel_details").path("connection_name").asString("");
                    String named = names.computeIfAbsent(connection, c -> testBroker.management()
                            .get("/api/connections/" + ManagementApi.encode(c))
                            .map(n -> n.path("client_properties").path("connection_name").asString(""))
                            .orElse(""));
                    Matcher matcher = INSTANCE.matcher(named);
                    if (matcher.find()) {
                        active.computeIfAbsent(matcher.group(2), s -> new TreeMap<>())
                                .merge(Integer.parseInt(matcher.group(3)), 1, Integer::sum);
                    }
                });
        List<Instance> instances = new ArrayList<>();
        active.forEach((service, replicas) -> instances.add(new Instance(environment, service, replicas.entrySet()
                .stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey())));
        return instances;
    }

    /** The thread that dies with its instance: what a hook throws once the instance was killed. */
    private static final class Killed extends Error {

        Killed(Instance instance) {
            super(instance + " was killed");
        }
    }

    /**
     * Holds the first thread of {@code service} in {@code environment} that deploys one of {@code services}, just
     * before or just after its commit, until released; it then dies with its instance.
     */
    private static final class Hold implements FaultInjection.Hook {

        private final String environment;
        private final String service;
        private final boolean afterCommit;
        private final Set<String> services;
        private final AtomicBoolean armed = new AtomicBoolean(true);
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private volatile Instance instance;
        private volatile Deployment deployment;

        Hold(String environment, String service, boolean afterCommit, Set<String> services) {
            this.environment = environment;
            this.service = service;
            this.afterCommit = afterCommit;
            this.services = services;
        }

        @Override
        public void beforeCommit(Instance at, Deployment what) {
            if (!afterCommit) {
                hold(at, what);
            }
        }

        @Override
        public void afterCommit(Instance at, Deployment what, DeployResult result) {
            if (afterCommit) {
                hold(at, what);
            }
        }

        private void hold(Instance at, Deployment what) {
            if (!at.environment().equals(environment) || !at.service().equals(service)
                    || !services.contains(what.service()) || !armed.compareAndSet(true, false)) {
                return;
            }
            instance = at;
            deployment = what;
            held.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new Killed(at);
        }
    }
}
