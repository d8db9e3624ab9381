package io.stagecoach.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.Release;
import io.stagecoach.events.RollbackFailed;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.platform.topology.DeadLetterQueues;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.Publisher;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static io.stagecoach.local.Releases.build;
import static io.stagecoach.local.Releases.release;
import static io.stagecoach.local.Releases.runId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults while 200 builds are in flight through the whole pipeline (every service of dev, staging and prod on the
 * real broker, a real GitOps repository), each case with services of its own. Afterwards every run is reconciled from
 * the audit streams and the Git history: lost (a build whose run never ended: not at the prod gate, not blocked,
 * not superseded), duplicated side effects (a second commit or a second {@code deployment.completed} of one run in
 * one environment), and how long after the fault ended the broker connections were back and the last run ended.
 * Each case prints one line of figures ({@code [fault]}), which the README's table quotes.
 */
@RealBroker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteEndToEndTests {

    private static final int SERVICES = 10;
    private static final int VERSIONS = 20;
    private static final String RUN_ID = "Stagecoach-Run-Id";
    private static final List<String> ENVIRONMENTS = List.of("dev", "staging", "prod");
    private static final Duration SETTLE = Duration.ofMinutes(4);
    private static final List<String> CASES = List.of("closed", "cut", "duplicated", "git");
    private static final Duration BREAKER_OPEN = Duration.ofSeconds(2);

    @TempDir
    static Path workdir;

    private static TestPipeline broker;
    private static TestBroker testBroker;
    private static LocalPipeline pipeline;
    private static GitOpsHistory git;

    @BeforeAll
    static void startThePipeline(TestBroker given) throws Exception {
        testBroker = given;
        broker = TestPipeline.provision(testBroker);
        List<String> services = new ArrayList<>();
        CASES.forEach(c -> services.addAll(services(c)));
        LocalPipelineSettings.Builder settings = EndToEndPipelines.settings(testBroker, workdir, services, "1h",
                "fault-suite-tests.log")
                .property("stagecoach.resilience.circuit-breaker.wait-in-open-state", BREAKER_OPEN.toMillis() + "ms");
        pipeline = LocalPipeline.start(settings.build(), line -> System.out.println("[local pipeline] " + line));
        git = new GitOpsHistory(pipeline.gitopsRepository());
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
    void everyConnectionOfEveryEnvironmentClosedMidRun() throws Exception {
        List<Release> releases = releases("closed");
        Thread publisher = publishInBackground(releases, false);
        Thread.sleep(3_000);

        long fault = System.nanoTime();
        for (String environment : ENVIRONMENTS) {
            broker.disconnect(environment);
            broker.reconnect(environment);
        }
        double reconnected = awaitConsumers(fault);
        publisher.join();

        reconcile("every connection of every environment closed", releases, fault, reconnected);
    }

    @Test
    @Order(2)
    void stagingCutOffFromTheBrokerForTenSecondsMidRun() throws Exception {
        List<Release> releases = releases("cut");
        Thread publisher = publishInBackground(releases, false);
        Thread.sleep(3_000);

        broker.disconnect("staging");
        Thread.sleep(10_000);
        long faultEnded = System.nanoTime();
        broker.reconnect("staging");
        double reconnected = awaitConsumers(faultEnded);
        publisher.join();

        reconcile("staging cut off from the broker for 10 s", releases, faultEnded, reconnected);
    }

    @Test
    @Order(3)
    void everyBuildPublishedTwiceAndOutOfOrder() throws Exception {
        List<Release> releases = releases("duplicated");
        long start = System.nanoTime();
        Thread publisher = publishInBackground(releases, true);
        publisher.join();

        reconcile("every build published twice, shuffled", releases, start, 0);
    }

    @Test
    @Order(4)
    void theGitOpsRepositoryGoneForThirtySecondsThenTheDeadLettersReplayed() throws Exception {
        List<Release> releases = releases("git");
        Path remote = pipeline.gitopsRepository();
        Path away = remote.resolveSibling(remote.getFileName() + ".away");
        Thread publisher = publishInBackground(releases, false);
        Thread.sleep(3_000);

        java.nio.file.Files.move(remote, away);
        Thread.sleep(30_000);
        java.nio.file.Files.move(away, remote);
        publisher.join();
        Thread.sleep(BREAKER_OPEN.plusMillis(500).toMillis());
        long replayed = System.nanoTime();
        DeadLetterQueues deadLetters = deadLetterQueues();
        long moved = 0;
        for (String environment : ENVIRONMENTS) {
            io.stagecoach.platform.environments.Environment env = broker.environment(environment);
            for (String inbox : DeadLetterQueues.inboxes(broker.environments(), env)) {
                moved += deadLetters.replay(env.vhost(), inbox, line -> System.out.println("[replay] " + line)).moved();
            }
        }
        System.out.println("[fault] the GitOps repository gone for 30 s: " + moved + " dead letters replayed");

        reconcile("the GitOps repository gone for 30 s, then the dead letters replayed", releases, replayed, 0);
    }

    /**
     * Waits until every inbox of every environment has a consumer again, as the management API lists them (it drops
     * a closed connection's consumers within a second), and returns the seconds since {@code since}.
     */
    private static double awaitConsumers(long since) throws InterruptedException {
        Thread.sleep(1_000);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .alias("every inbox consumed again")
                .until(() -> {
                    for (String environment : ENVIRONMENTS) {
                        Map<String, Set<String>> now = broker.consumerConnections(environment);
                        for (String inbox : DeadLetterQueues.inboxes(broker.environments(),
                                broker.environment(environment))) {
                            if (now.getOrDefault(inbox, Set.of()).isEmpty()) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
        return (System.nanoTime() - since) / 1e9;
    }

    /**
     * Every run ended, nothing done twice: prints the figures and asserts lost = 0 and duplicated = 0, and that the
     * last run ended within the settle time.
     */
    private static void reconcile(String fault, List<Release> releases, long faultEnded, double reconnected)
            throws Exception {
        // this test's own readers of the audit streams do not recover from a fault on purpose: read afresh
        ENVIRONMENTS.forEach(broker::forgetAudit);
        Map<String, String> ends = new ConcurrentHashMap<>();
        try {
            await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).until(() -> {
                for (Release release : releases) {
                    String run = runId(release);
                    if (!ends.containsKey(run)) {
                        end(release).ifPresent(end -> ends.put(run, end));
                    }
                }
                return ends.size() == releases.size();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported below as lost
        }
        double settled = (System.nanoTime() - faultEnded) / 1e9;
        List<String> lost = new ArrayList<>();
        for (Release release : releases) {
            if (!ends.containsKey(runId(release))) {
                String last = "nothing";
                for (String environment : ENVIRONMENTS) {
                    List<AuditRecord> run = broker.audit(environment).run(runId(release));
                    if (!run.isEmpty()) {
                        last = run.get(run.size() - 1).event().eventType().eventName() + " in " + environment;
                    }
                }
                lost.add(release.service() + " " + release.version() + " (last: " + last + ")");
            }
        }

        List<String> duplicated = new ArrayList<>();
        int repeatedRecords = 0;
        for (String environment : ENVIRONMENTS) {
            Map<String, Set<String>> deployments = new TreeMap<>();
            int records = 0;
            for (AuditRecord record : broker.audit(environment).caughtUp().records(DeploymentCompleted.class,
                    d -> releases.stream().anyMatch(d.release()::sameBuildAs))) {
                records++;
                deployments.computeIfAbsent(record.event().correlationid(), run -> new java.util.TreeSet<>())
                        .add(record.event().id());
            }
            repeatedRecords += records - deployments.values().stream().mapToInt(Set::size).sum();
            deployments.forEach((run, ids) -> {
                if (ids.size() > 1) {
                    duplicated.add(ids.size() + " deployments of run " + run + " in " + environment);
                }
            });
        }
        Map<String, Integer> commits = new TreeMap<>();
        for (Release release : releases) {
            for (RevCommit commit : git.commitsWithTrailer(RUN_ID, runId(release))) {
                for (String path : git.changedPaths(commit)) {
                    commits.merge(runId(release) + " " + path, 1, Integer::sum);
                }
            }
        }
        commits.forEach((key, count) -> {
            if (count > 1) {
                duplicated.add(count + " commits of run and overlay " + key);
            }
        });
        Map<String, Integer> byEnd = new TreeMap<>();
        ends.values().forEach(end -> byEnd.merge(end, 1, Integer::sum));
        long deadLettered = 0;
        for (String environment : ENVIRONMENTS) {
            for (String inbox : DeadLetterQueues.inboxes(broker.environments(), broker.environment(environment))) {
                deadLettered += deadLetterQueues().peek(broker.vhost(environment), inbox, 1).total();
            }
        }
        String consumed = reconnected > 0 ? String.format("every inbox consumed again %.1f s after the fault, ",
                reconnected) : "";
        System.out.printf("[fault] %s: %d builds, lost %d, duplicated side effects %d, %slast run ended %.1f s "
                + "after the fault; ends %s; the same record twice %d; dead letters %d%s%s%n", fault,
                releases.size(), lost.size(), duplicated.size(), consumed, settled, byEnd, repeatedRecords,
                deadLettered, lost.isEmpty() ? "" : "; lost: " + lost.subList(0, Math.min(5, lost.size())),
                duplicated.isEmpty() ? "" : "; twice: " + duplicated.subList(0, Math.min(5, duplicated.size())));
        assertThat(lost).as("runs that never ended").isEmpty();
        assertThat(duplicated).as("side effects done twice").isEmpty();
        assertThat(reconnected).as("seconds until every inbox was consumed again").isLessThanOrEqualTo(15);
    }

    private static DeadLetterQueues deadLetterQueues() {
        return new DeadLetterQueues(new ManagementClient(testBroker.managementUrl(), testBroker.adminUser(),
                testBroker.adminPassword()));
    }

    /**
     * How the run of {@code release} ended, if it did: at the prod gate, blocked, superseded, or failed (its
     * deployment, or the rollback after it) where a fault made it fail.
     */
    private static java.util.Optional<String> end(Release release) throws Exception {
        String run = runId(release);
        for (String environment : ENVIRONMENTS) {
            for (AuditRecord record : broker.audit(environment).run(run)) {
                if (record.event().data() instanceof PromotionBlocked blocked) {
                    return java.util.Optional.of("blocked " + blocked.reason());
                }
                if (record.event().data() instanceof ApprovalExpired expired) {
                    return java.util.Optional.of("approval " + expired.reason());
                }
                if (record.event().data() instanceof DeploymentFailed) {
                    return java.util.Optional.of("deployment failed in " + environment);
                }
                if (record.event().data() instanceof RollbackFailed) {
                    return java.util.Optional.of("rollback failed in " + environment);
                }
                if (record.event().data() instanceof ApprovalRequested) {
                    return java.util.Optional.of("at the prod gate");
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static List<String> services(String fault) {
        return IntStream.range(0, SERVICES).mapToObj(i -> String.format("svc-%s-%02d", fault, i)).toList();
    }

    private static List<Release> releases(String fault) {
        List<Release> releases = new ArrayList<>();
        for (int version = 0; version < VERSIONS; version++) {
            for (String service : services(fault)) {
                releases.add(release(service, "1.0." + version, "jane"));
            }
        }
        return releases;
    }

    /** Publishes the builds as CI does, 40 a second; {@code twiceShuffled}: each twice, in a shuffled order. */
    private static Thread publishInBackground(List<Release> releases, boolean twiceShuffled) {
        List<Release> order = new ArrayList<>(releases);
        if (twiceShuffled) {
            order.addAll(releases);
            Collections.shuffle(order, new Random(20_261_204L));
        }
        Thread thread = new Thread(() -> {
            try {
                Publisher ci = broker.as("dev", Principal.CI).withoutUserId();
                for (int i = 0; i < order.size(); i += 4) {
                    List<Publisher.Message> batch = order.subList(i, Math.min(order.size(), i + 4)).stream()
                            .map(r -> Publisher.Message.of(build(r).routingKey(), build(r))).toList();
                    publishPatiently(ci, batch);
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "fault-suite-ci");
        thread.start();
        return thread;
    }

    /** CI retries a publish the broker did not confirm (its connection was closed under it): same event, same id. */
    private static void publishPatiently(Publisher ci, List<Publisher.Message> batch) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                ci.publishAll(batch);
                return;
            } catch (Exception e) {
                if (attempt == 50) {
                    throw new IllegalStateException("CI could not publish for 25 s", e);
                }
                Thread.sleep(500);
            }
        }
    }
}
