package io.stagecoach.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.stagecoach.events.Release;
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

/**
 * Faults of the broker's side, the input and the GitOps repository while 200 builds are in flight through the whole
 * pipeline (every service of dev, staging and prod on the real broker, a real GitOps repository), each case with
 * services of its own, reconciled as {@link FaultSuite} does. {@code ServiceFaultsEndToEndTests} kills services and
 * blackholes their connections.
 */
@RealBroker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteEndToEndTests {

    private static final List<String> ENVIRONMENTS = FaultSuite.ENVIRONMENTS;
    private static final List<String> CASES = List.of("closed", "cut", "duplicated", "git");
    private static final Duration BREAKER_OPEN = Duration.ofSeconds(2);
    private static final Duration GIT_OUTAGE = Duration.ofMinutes(1);

    @TempDir
    static Path workdir;

    private static TestPipeline broker;
    private static TestBroker testBroker;
    private static LocalPipeline pipeline;
    private static FaultSuite suite;

    @BeforeAll
    static void startThePipeline(TestBroker given) throws Exception {
        testBroker = given;
        broker = TestPipeline.provision(testBroker);
        List<String> services = new ArrayList<>();
        CASES.forEach(c -> services.addAll(FaultSuite.services(c)));
        LocalPipelineSettings.Builder settings = EndToEndPipelines.settings(testBroker, workdir, services, "1h",
                "fault-suite-tests.log")
                .property("stagecoach.resilience.circuit-breaker.wait-in-open-state", BREAKER_OPEN.toMillis() + "ms");
        pipeline = LocalPipeline.start(settings.build(), line -> System.out.println("[local pipeline] " + line));
        suite = new FaultSuite(broker, testBroker, new GitOpsHistory(pipeline.gitopsRepository()));
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
        List<Release> releases = FaultSuite.releases("closed");
        Thread publisher = suite.publishInBackground(releases, false);
        Thread.sleep(3_000);

        long fault = System.nanoTime();
        for (String environment : ENVIRONMENTS) {
            broker.disconnect(environment);
            broker.reconnect(environment);
        }
        double reconnected = suite.awaitConsumers(fault);
        publisher.join();

        suite.reconcile("every connection of every environment closed", releases, fault, reconnected);
    }

    @Test
    @Order(2)
    void stagingCutOffFromTheBrokerForTenSecondsMidRun() throws Exception {
        List<Release> releases = FaultSuite.releases("cut");
        Thread publisher = suite.publishInBackground(releases, false);
        Thread.sleep(3_000);

        broker.disconnect("staging");
        Thread.sleep(10_000);
        long faultEnded = System.nanoTime();
        broker.reconnect("staging");
        double reconnected = suite.awaitConsumers(faultEnded);
        publisher.join();

        suite.reconcile("staging cut off from the broker for 10 s", releases, faultEnded, reconnected);
    }

    @Test
    @Order(3)
    void everyBuildPublishedTwiceAndOutOfOrder() throws Exception {
        List<Release> releases = FaultSuite.releases("duplicated");
        long start = System.nanoTime();
        Thread publisher = suite.publishInBackground(releases, true);
        publisher.join();

        suite.reconcile("every build published twice, shuffled", releases, start, 0);
    }

    @Test
    @Order(4)
    void theGitOpsRepositoryGoneForAMinuteThenTheDeadLettersReplayed() throws Exception {
        List<Release> releases = FaultSuite.releases("git");
        Path remote = pipeline.gitopsRepository();
        Path away = remote.resolveSibling(remote.getFileName() + ".away");
        Thread publisher = suite.publishInBackground(releases, false);
        Thread.sleep(3_000);

        java.nio.file.Files.move(remote, away);
        Thread.sleep(GIT_OUTAGE.toMillis());
        GitOpsHistory.bringBack(away, remote);
        publisher.join();
        Thread.sleep(BREAKER_OPEN.plusMillis(500).toMillis());
        long replayed = System.nanoTime();
        long moved = suite.replayDeadLetters();
        System.out.println("[fault] the GitOps repository gone for " + GIT_OUTAGE.toSeconds() + " s: " + moved + " dead letters replayed");

        suite.reconcile("the GitOps repository gone for " + GIT_OUTAGE.toSeconds() + " s, then the dead letters replayed", releases, replayed, 0);
    }

}
