package io.stagecoach.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.Principal;
import io.stagecoach.events.Release;
import io.stagecoach.platform.topology.DeadLetterQueues;
import io.stagecoach.platform.topology.DeadLetterQueues.DeadLetter;
import io.stagecoach.platform.topology.DeadLetterQueues.InboxDeadLetters;
import io.stagecoach.platform.topology.DeadLetterQueues.Replayed;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.stagecoach.local.Releases.build;
import static io.stagecoach.local.Releases.release;
import static io.stagecoach.local.Releases.runId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A GitOps outage that outlives every retry sets a release aside as a dead letter; once the repository is back, a
 * replay puts it back, and it is handled once: one commit, one deployment, however many copies were replayed. On the
 * real broker with the whole pipeline, as an operator would do it ({@code stagecoach dead-letters} runs the same
 * {@link DeadLetterQueues}).
 */
@RealBroker
class DeadLetterReplayEndToEndTests {

    private static final String SERVICE = "svc-outage";
    private static final String RUN_ID = "Stagecoach-Run-Id";
    private static final Duration BREAKER_OPEN = Duration.ofSeconds(2);

    @TempDir
    static Path workdir;

    private static TestPipeline broker;
    private static LocalPipeline pipeline;
    private static DeadLetterQueues deadLetters;

    @BeforeAll
    static void startThePipeline(TestBroker testBroker) throws Exception {
        broker = TestPipeline.provision(testBroker);
        LocalPipelineSettings.Builder settings = EndToEndPipelines.settings(testBroker, workdir, List.of(SERVICE),
                "30s", "dead-letter-replay-tests.log")
                .property("stagecoach.resilience.circuit-breaker.wait-in-open-state", BREAKER_OPEN.toMillis() + "ms");
        pipeline = LocalPipeline.start(settings.build(), line -> System.out.println("[local pipeline] " + line));
        deadLetters = new DeadLetterQueues(new ManagementClient(testBroker.managementUrl(), testBroker.adminUser(),
                testBroker.adminPassword()));
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
    void aReleaseSetAsideByAGitOutageIsReplayedOnceTheRepositoryIsBackAndDeployedOnce() throws Exception {
        Release release = release(SERVICE, "1.0.0", "jane");
        Path remote = pipeline.gitopsRepository();
        Path away = remote.resolveSibling(remote.getFileName() + ".away");
        String vhost = broker.vhost("dev");

        Files.move(remote, away);
        broker.as("dev", Principal.CI).withoutUserId().publish(build(release));

        // the outage outlives the target's retries and the listener's: the request is set aside, with why
        InboxDeadLetters letters = await().atMost(TestPipeline.WAIT).until(() -> holding(vhost), l -> l.total() == 1);
        String inbox = letters.inbox();
        DeadLetter letter = letters.first().get(0);
        assertThat(inbox).isEqualTo("promotion.promotion-requested");
        assertThat(letter.type()).isEqualTo("promotion.requested");
        assertThat(letter.subject()).isEqualTo(SERVICE);
        assertThat(letter.version()).isEqualTo("1.0.0");
        assertThat(letter.routingKey()).as("the routing key it was published with").isEqualTo("promotion.requested.dev");
        assertThat(letter.publisher()).as("its publisher").isEqualTo(broker.user("dev", Principal.BUILD_COMPLETED));
        assertThat(letter.reasonClass()).isEqualTo("failed");
        assertThat(letter.reason()).startsWith("handler failed: ").containsAnyOf("cannot fetch",
                "CircuitBreaker 'deploy-target-gitops' is OPEN");
        assertThat(letter.count()).isEqualTo(1);

        // replayed while Git is still down, it fails again and comes back, counted
        Replayed early = deadLetters.replay(vhost, inbox, line -> System.out.println("[replay] " + line));
        assertThat(early.moved()).isEqualTo(1);
        await().atMost(TestPipeline.WAIT).until(() -> deadLetters.peek(vhost, inbox, 10),
                l -> l.total() == 1 && l.first().get(0).count() == 2);
        DeadLetter again = deadLetters.peek(vhost, inbox, 10).first().get(0);
        assertThat(again.routingKey()).as("a replay that failed keeps where it came from")
                .isEqualTo("promotion.requested.dev");
        assertThat(again.publisher()).isEqualTo(broker.user("dev", Principal.BUILD_COMPLETED));
        assertThat(again.messageId()).isEqualTo(letter.messageId());

        // a second copy of the same dead letter, as a redelivery set aside twice would leave
        copyDeadLetter(inbox);
        assertThat(deadLetters.peek(vhost, inbox, 10).total()).isEqualTo(2);

        Files.move(away, remote);
        // the repeated failures opened the target's circuit breaker: replaying before it lets calls through again
        // would only set them aside once more
        Thread.sleep(BREAKER_OPEN.plusMillis(500).toMillis());
        Replayed replayed = deadLetters.replay(vhost, inbox, line -> System.out.println("[replay] " + line));
        assertThat(replayed.moved()).isEqualTo(2);

        broker.audit("dev").await(DeploymentCompleted.class, d -> d.release().sameBuildAs(release));
        await().atMost(TestPipeline.WAIT).until(() -> deadLetters.peek(vhost, inbox, 10).total() == 0);
        // both copies were consumed: the second found the first's outcome and did nothing
        await().atMost(TestPipeline.WAIT).until(() -> broker.messagesIn("dev", inbox) == 0);
        assertThat(broker.audit("dev").caughtUp().events(DeploymentCompleted.class,
                d -> d.release().sameBuildAs(release))).as("deployments of the replayed release").hasSize(1);
        GitOpsHistory git = new GitOpsHistory(remote);
        // it goes on to staging by itself, as any release that passed dev does: one commit in each
        List<RevCommit> intoDev = git.commitsWithTrailer(RUN_ID, runId(release)).stream()
                .filter(c -> git.changedPaths(c).contains(GitOpsHistory.overlay("dev"))).toList();
        assertThat(intoDev).as("commits of the replayed release into dev").hasSize(1);
        assertThat(git.changedPaths(intoDev.get(0))).containsExactly(GitOpsHistory.overlay("dev"));
        assertThat(holding(vhost).total()).as("dead letters left in dev").isZero();
    }

    /** The first inbox of dev holding dead letters, or an empty result. */
    private static InboxDeadLetters holding(String vhost) {
        for (String inbox : DeadLetterQueues.inboxes(broker.environments(), broker.environment("dev"))) {
            InboxDeadLetters letters = deadLetters.peek(vhost, inbox, 10);
            if (letters.total() > 0) {
                return letters;
            }
        }
        return new InboxDeadLetters("", 0, List.of());
    }

    /** Publishes a copy of the dead letter in {@code inbox}'s queue as the consumer that set it aside would. */
    private static void copyDeadLetter(String inbox) throws Exception {
        String queue = BrokerNames.deadLetterQueue(inbox);
        GetResponse original;
        try (Connection connection = broker.adminConnectionFactory("dev").newConnection("stagecoach-test-peek");
             Channel channel = connection.createChannel()) {
            original = channel.basicGet(queue, false);
            assertThat(original).isNotNull();
            channel.basicNack(original.getEnvelope().getDeliveryTag(), false, true);
        }
        String user = broker.user("dev", Principal.PROMOTION);
        com.rabbitmq.client.ConnectionFactory factory = broker.adminConnectionFactory("dev").clone();
        factory.setUsername(user);
        factory.setPassword(Credentials.passwordFor(user));
        try (Connection connection = factory.newConnection("stagecoach-test-dead-letter-copy");
             Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish(BrokerNames.DEAD_LETTER_EXCHANGE, inbox, true, original.getProps(),
                    original.getBody());
            channel.waitForConfirmsOrDie(10_000);
        }
    }
}
