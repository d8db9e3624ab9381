package io.stagecoach.local;

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
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.Publisher;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.eclipse.jgit.revwalk.RevCommit;

import static io.stagecoach.local.Releases.build;
import static io.stagecoach.local.Releases.release;
import static io.stagecoach.local.Releases.runId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fault suite's load and reconciliation, shared by the classes that inject faults: 200 builds per case (10
 * services of its own × 20 versions) published as CI does while the fault happens, then every run reconciled from the
 * audit streams and the Git history: lost (a build whose run never ended: not at the prod gate, not blocked, not
 * superseded), duplicated side effects (a second commit or a second {@code deployment.completed} of one run in one
 * environment), and how long after the fault ended the broker connections were back, every environment decided
 * again, and the last run ended. Each case prints one line of figures ({@code [fault]}), which the README's table
 * quotes.
 *
 * <p>Recovery is "decided again": for each environment that had work of these runs left when the fault ended, the
 * time until its services published their first decision about one of them (an audit record of this case's runs
 * created after the fault ended, CI's builds aside); the slowest environment's figure. The last run's end is the
 * backlog's drain, which also depends on how many builds the fault held up and how fast the machine is.
 */
final class FaultSuite {

    static final int SERVICES = 10;
    static final int VERSIONS = 20;
    static final String RUN_ID = "Stagecoach-Run-Id";
    static final List<String> ENVIRONMENTS = List.of("dev", "staging", "prod");
    private static final Duration SETTLE = Duration.ofMinutes(4);

    private final TestPipeline broker;
    private final TestBroker testBroker;
    private final GitOpsHistory git;

    FaultSuite(TestPipeline broker, TestBroker testBroker, GitOpsHistory git) {
        this.broker = broker;
        this.testBroker = testBroker;
        this.git = git;
    }

    /**
     * Waits until every inbox of every environment has a consumer again, as the management API lists them (it drops
     * a closed connection's consumers within a second), and returns the seconds since {@code since}.
     */
    double awaitConsumers(long since) throws InterruptedException {
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
     *
     * @return how many dead letters wait in the pipeline's dead-letter queues now
     */
    long reconcile(String fault, List<Release> releases, long faultEnded, double reconnected)
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
        double decided = decidedAgain(releases, faultEnded);
        consumed += decided >= 0 ? String.format("every environment decided again %.1f s after the fault, ", decided)
                : "";
        System.out.printf("[fault] %s: %d builds, lost %d, duplicated side effects %d, %slast run ended %.1f s "
                + "after the fault; ends %s; the same record twice %d; dead letters %d%s%s%n", fault,
                releases.size(), lost.size(), duplicated.size(), consumed, settled, byEnd, repeatedRecords,
                deadLettered, lost.isEmpty() ? "" : "; lost: " + lost.subList(0, Math.min(5, lost.size())),
                duplicated.isEmpty() ? "" : "; twice: " + duplicated.subList(0, Math.min(5, duplicated.size())));
        assertThat(lost).as("runs that never ended").isEmpty();
        assertThat(duplicated).as("side effects done twice").isEmpty();
        assertThat(reconnected).as("seconds until every inbox was consumed again").isLessThanOrEqualTo(15);
        assertThat(decided).as("seconds until every environment decided again").isLessThanOrEqualTo(15);
        return deadLettered;
    }

    /**
     * Seconds from {@code faultEnded} until the slowest environment, of those that published any decision about
     * {@code releases} after it, published its first; -1 when none did (the fault ended after the last decision).
     */
    private double decidedAgain(List<Release> releases, long faultEnded) throws Exception {
        java.time.Instant ended = java.time.Instant.now().minusNanos(System.nanoTime() - faultEnded);
        Set<String> runs = new java.util.HashSet<>();
        releases.forEach(release -> runs.add(runId(release)));
        double slowest = -1;
        for (String environment : ENVIRONMENTS) {
            java.util.Optional<java.time.Instant> first = broker.audit(environment).caughtUp().records().stream()
                    .filter(record -> runs.contains(record.event().correlationid()))
                    .filter(record -> !(record.event().data() instanceof io.stagecoach.events.BuildCompleted))
                    .map(record -> record.event().time())
                    .filter(time -> time.isAfter(ended))
                    .min(java.util.Comparator.naturalOrder());
            if (first.isPresent()) {
                slowest = Math.max(slowest, Duration.between(ended, first.get()).toMillis() / 1e3);
            }
        }
        return slowest;
    }

    /**
     * Moves every dead letter of every inbox of every environment back into its inbox, as {@code stagecoach
     * dead-letters replay} does, and returns how many were moved.
     */
    long replayDeadLetters() throws Exception {
        DeadLetterQueues deadLetters = deadLetterQueues();
        long moved = 0;
        for (String environment : ENVIRONMENTS) {
            io.stagecoach.platform.environments.Environment env = broker.environment(environment);
            for (String inbox : DeadLetterQueues.inboxes(broker.environments(), env)) {
                moved += deadLetters.replay(env.vhost(), inbox, line -> System.out.println("[replay] " + line)).moved();
            }
        }
        return moved;
    }

    DeadLetterQueues deadLetterQueues() {
        return new DeadLetterQueues(new ManagementClient(testBroker.managementUrl(), testBroker.adminUser(),
                testBroker.adminPassword()));
    }

    /**
     * How the run of {@code release} ended, if it did: at the prod gate, blocked, superseded, or failed (its
     * deployment, or the rollback after it) where a fault made it fail.
     */
    java.util.Optional<String> end(Release release) throws Exception {
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

    static List<String> services(String fault) {
        return services(fault, SERVICES);
    }

    static List<Release> releases(String fault) {
        return releases(services(fault), VERSIONS);
    }

    /** {@code services} services of a fault, e.g. {@code svc-cut-00}. */
    static List<String> services(String fault, int services) {
        return IntStream.range(0, services).mapToObj(i -> String.format("svc-%s-%02d", fault, i)).toList();
    }

    /** {@code versions} builds of each service. */
    static List<Release> releases(List<String> services, int versions) {
        List<Release> releases = new ArrayList<>();
        for (int version = 0; version < versions; version++) {
            for (String service : services) {
                releases.add(release(service, "1.0." + version, "jane"));
            }
        }
        return releases;
    }

    /** Publishes the builds as CI does, 40 a second; {@code twiceShuffled}: each twice, in a shuffled order. */
    Thread publishInBackground(List<Release> releases, boolean twiceShuffled) {
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
