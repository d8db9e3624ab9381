package io.stagecoach.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.HoldReleased;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.RollbackFailed;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.platform.topology.DeadLetterQueues;
import io.stagecoach.platform.topology.DeadLetterQueues.DeadLetter;
import io.stagecoach.platform.topology.DeadLetterQueues.InboxDeadLetters;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.AuditTrail;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.stagecoach.local.Releases.build;
import static io.stagecoach.local.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Holds on the whole pipeline, real broker and Git (ADR 32): a GitOps remote that is unreachable during a promotion
 * holds nothing, and once it is back the release is deployed and goes on; a release held after a failed smoke test
 * is lifted by the environment's operator only, and CI's retry of the same build then promotes it again.
 */
@RealBroker
class ReleaseHoldsEndToEndTests {

    private static final String OUTAGE = "svc-git-outage";
    private static final String HELD = "svc-held";
    private static final Duration BREAKER_OPEN = Duration.ofSeconds(2);

    @TempDir
    static Path workdir;

    private static TestPipeline broker;
    private static LocalPipeline pipeline;
    private static DeadLetterQueues deadLetters;

    @BeforeAll
    static void startThePipeline(TestBroker testBroker) throws Exception {
        broker = TestPipeline.provision(testBroker);
        LocalPipelineSettings.Builder settings = EndToEndPipelines.settings(testBroker, workdir, List.of(OUTAGE, HELD),
                "30s", "release-holds-tests.log")
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
    void aGitOutageDuringAPromotionHoldsNothingAndTheReleaseIsDeployedOnceTheRemoteIsBack() throws Exception {
        Release release = release(OUTAGE, "1.0.0", "jane");
        Path remote = pipeline.gitopsRepository();
        Path away = remote.resolveSibling(remote.getFileName() + ".away");
        String vhost = broker.vhost("dev");
        String inbox = "promotion.promotion-requested";
        AuditTrail dev = broker.audit("dev");

        Files.move(remote, away);
        broker.as("dev", Principal.CI).withoutUserId().publish(build(release));

        // the target could not be reached: the request is set aside to be replayed, nothing says the release failed
        InboxDeadLetters letters = await().atMost(TestPipeline.WAIT).until(() -> deadLetters.peek(vhost, inbox, 10),
                l -> l.total() == 1);
        DeadLetter letter = letters.first().get(0);
        assertThat(letter.type()).isEqualTo("promotion.requested");
        assertThat(letter.subject()).isEqualTo(OUTAGE);
        assertThat(letter.reasonClass()).isEqualTo("failed");
        dev.caughtUp();
        assertThat(dev.events(DeploymentFailed.class, f -> f.release().sameBuildAs(release)))
                .as("deployment.failed for an unreachable target").isEmpty();
        assertThat(dev.events(RollbackCompleted.class, r -> OUTAGE.equals(r.service()))).isEmpty();
        assertThat(dev.events(RollbackFailed.class, r -> OUTAGE.equals(r.service()))).isEmpty();
        assertThat(dev.ledger().isHeld(release)).isFalse();

        GitOpsHistory.bringBack(away, remote);
        Thread.sleep(BREAKER_OPEN.plusMillis(500).toMillis());
        assertThat(deadLetters.replay(vhost, inbox, line -> System.out.println("[replay] " + line)).moved())
                .isEqualTo(1);

        dev.await(DeploymentCompleted.class, d -> d.release().sameBuildAs(release));
        dev.await(SmokeTestPassed.class, p -> p.release().sameBuildAs(release));
        // it goes on by itself, as any release dev verified
        broker.audit("staging").await(DeploymentCompleted.class, d -> d.release().sameBuildAs(release));
        assertThat(dev.caughtUp().ledger().isHeld(release)).as("held in dev").isFalse();
        assertThat(dev.events(DeploymentFailed.class, f -> f.release().sameBuildAs(release))).isEmpty();
    }

    @Test
    void aReleaseHeldAfterAFailedSmokeTestIsLiftedByTheOperatorOnlyAndCisRetryThenPromotesIt() throws Exception {
        Release good = release(HELD, "1.0.0", "jane");
        Release held = release(HELD, "1.1.0-bad", "jane");
        AuditTrail dev = broker.audit("dev");
        broker.as("dev", Principal.CI).withoutUserId().publish(build(good));
        dev.await(SmokeTestPassed.class, p -> p.release().sameBuildAs(good));
        broker.as("dev", Principal.CI).withoutUserId().publish(build(held));
        dev.await(RollbackCompleted.class, r -> held.sameBuildAs(r.from()));
        await().atMost(TestPipeline.WAIT).until(() -> dev.ledger().isHeld(held));

        // CI's retry of the same build is the same event: while the release is held it leads nowhere
        broker.as("dev", Principal.CI).withoutUserId().publish(build(held));
        assertThat(requests(dev.caughtUp(), held)).hasSize(1);

        // as `stagecoach release-hold` builds it: a person's request names itself as its cause
        String liftId = EventIds.derive(EventType.HOLD_RELEASED.type(), "dev", held.digest());
        CloudEvent<HoldReleased> lift = CloudEvent.of(new HoldReleased(held, "dev", "sam",
                "the smoke test's database was down"), "/stagecoach/dev/operator", "dev", Releases.runId(held), liftId,
                liftId);
        // CI may not lift it: the broker refuses the key, and its own key with a lift in it counts for nothing
        Throwable refused = catchThrowable(() -> broker.as("dev", Principal.CI).publish(lift));
        assertThat(refused).as("a lift published as CI").isNotNull();
        assertThat(chain(refused)).contains("ACCESS_REFUSED");
        broker.as("dev", Principal.CI).publish("build.completed.dev", lift);
        AuditRecord forged = dev.awaitRecord(HoldReleased.class, h -> h.release().sameBuildAs(held));
        assertThat(forged.publisher()).isEqualTo(broker.user("dev", Principal.CI));
        assertThat(dev.caughtUp().ledger().isHeld(held)).as("held after CI's lift").isTrue();

        // a lift without a reason is not one: the rollback service sets it aside, saying why, and it lifts nothing
        String blankId = EventIds.derive("a lift without a reason", liftId);
        String blank = new String(new EventCodec().encode(lift), StandardCharsets.UTF_8)
                .replace("the smoke test's database was down", " ").replace(liftId, blankId);
        broker.as("dev", Principal.OPERATOR).publish("hold.released.dev", blankId,
                blank.getBytes(StandardCharsets.UTF_8));
        String setAside = "rollback.hold-released.dlq";
        await().atMost(TestPipeline.WAIT).until(() -> broker.messagesIn("dev", setAside) == 1);
        assertThat(deadLetters.peek(broker.vhost("dev"), "rollback.hold-released", 10).first()).singleElement()
                .satisfies(letter -> {
                    assertThat(letter.reasonClass()).isEqualTo("invalid");
                    assertThat(letter.reason()).contains("data.reason");
                });
        assertThat(dev.caughtUp().ledger().isHeld(held)).as("held after a lift without a reason").isTrue();

        broker.publish("dev", Principal.OPERATOR, lift);
        await().atMost(TestPipeline.WAIT).until(() -> !dev.ledger().isHeld(held));
        // the rollback service took the operator's lift from its inbox and set nothing aside
        await().atMost(TestPipeline.WAIT).until(() -> broker.messagesIn("dev", "rollback.hold-released") == 0);
        assertThat(broker.messagesIn("dev", setAside)).isEqualTo(1);
        assertThat(dev.ledger().lastLift(held)).get().satisfies(l -> {
            assertThat(l.publisher()).isEqualTo(broker.user("dev", Principal.OPERATOR));
            assertThat(l.released().releasedBy()).isEqualTo("sam");
            assertThat(l.released().reason()).isEqualTo("the smoke test's database was down");
        });

        // the same retry now is a new request in the same run, and it is deployed again
        broker.as("dev", Principal.CI).withoutUserId().publish(build(held));
        await().atMost(TestPipeline.WAIT).until(() -> dev.events(DeploymentCompleted.class,
                d -> d.release().sameBuildAs(held)).size() == 2);
        List<CloudEvent<PromotionRequested>> requests = requests(dev, held);
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).correlationid()).isEqualTo(Releases.runId(held));
        assertThat(dev.causedBy(DeploymentCompleted.class, requests.get(1))).hasSize(1);
        // this build really is bad here: it fails its smoke tests again and is held again
        await().atMost(TestPipeline.WAIT).until(() -> dev.events(RollbackCompleted.class,
                r -> held.sameBuildAs(r.from())).size() == 2 && dev.ledger().isHeld(held));
    }

    /** The promotion requests of exactly this build into dev. */
    private static List<CloudEvent<PromotionRequested>> requests(AuditTrail trail, Release release) {
        return trail.events(PromotionRequested.class, p -> p.release().sameBuildAs(release)).stream()
                .filter(p -> p.environment().equals("dev")).toList();
    }

    private static String chain(Throwable failure) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            messages.append(t).append('\n');
        }
        return messages.toString();
    }
}
