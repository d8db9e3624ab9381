package io.stagecoach.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.stagecoach.events.Release;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults of the whole broker while 200 builds are in flight through the whole pipeline: the RabbitMQ application
 * stopped and started again, and a memory alarm that blocks every publisher. The shared broker must never be stopped
 * or alarmed, so the pipeline runs on a private node of its own ({@link PrivateBroker}); every run is reconciled like
 * the rest of the fault suite ({@link FaultSuite}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(PrivateBroker.LOCK)
class BrokerFaultsEndToEndTests {

    private static final int SERVICES = 10;
    private static final int VERSIONS = 20;
    private static final List<String> CASES = List.of("stopped", "alarm");
    private static final int FAULT_SECONDS = 10;

    @TempDir
    static Path workdir;

    private static PrivateBroker node;
    private static TestPipeline broker;
    private static LocalPipeline pipeline;
    private static FaultSuite faults;

    @BeforeAll
    static void startThePipelineOnAPrivateNode() throws Exception {
        node = PrivateBroker.single();
        TestBroker testBroker = node.broker();
        broker = TestPipeline.provision(testBroker);
        List<String> services = new ArrayList<>();
        CASES.forEach(c -> services.addAll(FaultSuite.services(c, SERVICES)));
        LocalPipelineSettings.Builder settings = EndToEndPipelines.settings(testBroker, workdir, services, "1h",
                "broker-faults-tests.log")
                // the services' own retry waits (1 s, 2 s, 4 s), not the end-to-end classes' 100 ms: a delivery
                // handled while the broker is away waits for its ledger to read back its event, and retries
                .property("spring.rabbitmq.listener.simple.retry.initial-interval", "1s");
        pipeline = LocalPipeline.start(settings.build(), line -> System.out.println("[local pipeline] " + line));
        faults = new FaultSuite(broker, testBroker, new GitOpsHistory(pipeline.gitopsRepository()));
    }

    @AfterAll
    static void stopThePipelineAndTheNode() {
        try {
            if (pipeline != null) {
                pipeline.close();
            }
            if (broker != null) {
                broker.close();
            }
        } finally {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    @Order(1)
    void theBrokerApplicationStoppedForTenSecondsMidRun() throws Exception {
        List<Release> releases = releases("stopped");
        Thread publisher = faults.publishInBackground(releases, false);
        Thread.sleep(3_000);

        node.stopApp(0);
        Thread.sleep(FAULT_SECONDS * 1_000L);
        node.startApp(0);
        long faultEnded = System.nanoTime();
        double reconnected = faults.awaitConsumers(faultEnded);
        publisher.join();
        // a handler that could not reach the broker or its ledger sends its delivery back to the inbox: an outage
        // longer than the retries (1, 2 and 4 s) leaves no dead letter for an operator to replay
        long deadLetters = faults.reconcile("the broker stopped (stop_app) for " + FAULT_SECONDS
                + " s, then started (start_app)", releases, faultEnded, reconnected);
        assertThat(deadLetters).as("dead letters after the broker came back").isZero();
    }

    @Test
    @Order(2)
    void aMemoryAlarmHeldForTenSecondsMidRun() throws Exception {
        List<Release> releases = releases("alarm");
        Thread publisher = faults.publishInBackground(releases, false);
        Thread.sleep(3_000);

        node.raiseMemoryAlarm(0);
        Thread.sleep(FAULT_SECONDS * 1_000L);
        node.clearMemoryAlarm(0);
        long faultEnded = System.nanoTime();
        double reconnected = faults.awaitConsumers(faultEnded);
        publisher.join();

        long deadLetters = faults.reconcile("a memory alarm held for " + FAULT_SECONDS + " s", releases, faultEnded,
                reconnected);
        assertThat(deadLetters).as("dead letters after the alarm cleared").isZero();
    }

    private static List<Release> releases(String fault) {
        return FaultSuite.releases(FaultSuite.services(fault, SERVICES), VERSIONS);
    }
}
