package io.stagecoach.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.LineRestarted;
import io.stagecoach.events.LineStopped;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.AuditTrail;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static io.stagecoach.local.Releases.build;
import static io.stagecoach.local.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A freeze on the whole pipeline, real broker and Git (ADR 38): staging is frozen by a weekly window of its
 * environments file from the pipeline's start for {@link #FREEZE}; releases verified in dev meanwhile are parked there,
 * announced with the window's end, and once it ended the newest is deployed by itself, the older one blocked as older,
 * and the run goes on to prod's gate. Dev asks for a {@link #SOAK}: each release is handed off from there only after
 * it. Then dev's operator stops dev's line: a build is parked there until the restart.
 */
@RealBroker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FreezeEndToEndTests {

    private static final String SERVICE = "svc-frozen";
    private static final String STOPPED = "svc-stopped";
    private static final Duration FREEZE = Duration.ofSeconds(120);
    private static final Duration SOAK = Duration.ofSeconds(15);

    @TempDir
    static Path workdir;

    private static TestPipeline broker;
    private static LocalPipeline pipeline;
    private static Instant freezeEnds;

    @BeforeAll
    static void startThePipeline(TestBroker testBroker) throws Exception {
        broker = TestPipeline.provision(testBroker);
        LocalPipelineSettings.Builder settings = EndToEndPipelines.settings(testBroker, workdir, List.of(SERVICE, STOPPED),
                "30s", "freeze-tests.log");
        ZonedDateTime from = Instant.now().minusSeconds(60).atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        ZonedDateTime to = Instant.now().plus(FREEZE).atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        freezeEnds = to.toInstant();
        Path file = workdir.resolve("environments.yaml");
        String window = "\"" + weekly(from) + " - " + weekly(to) + "\"";
        Files.writeString(file, Files.readString(file).replace("    namespace: knative-lambda-staging\n",
                "    namespace: knative-lambda-staging\n    freeze:\n      weekly: [" + window + "]\n")
                .replace("    namespace: knative-lambda-dev\n", "    namespace: knative-lambda-dev\n    soak: "
                        + SOAK.toSeconds() + "s\n"));
        System.out.println("[freeze] staging frozen by " + window + " (UTC)");
        settings.environmentsFile(file);
        pipeline = LocalPipeline.start(settings.build(), line -> System.out.println("[local pipeline] " + line));
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
    void releasesVerifiedDuringStagingsFreezeAreParkedThenTheNewestGoesAheadByItselfWhenItEnds() throws Exception {
        Release older = release(SERVICE, "1.0.0", "jane");
        Release newer = release(SERVICE, "1.1.0", "jane");
        AuditTrail dev = broker.audit("dev");
        AuditTrail staging = broker.audit("staging");

        for (Release release : List.of(older, newer)) {
            broker.as("dev", Principal.CI).withoutUserId().publish(build(release));
            dev.await(SmokeTestPassed.class, p -> p.release().sameBuildAs(release));
            CloudEvent<PromotionFrozen> frozen = staging.await(PromotionFrozen.class,
                    f -> f.release().sameBuildAs(release));
            // dev asks for a soak: the hand-off waited for it after the deployment
            Instant deployedInDev = dev.await(DeploymentCompleted.class, d -> d.release().sameBuildAs(release)).time();
            Duration soaked = Duration.between(deployedInDev, frozen.data().parked().time());
            System.out.printf("[soak] %s handed off from dev %.1f s after its deployment there (soak %d s)%n",
                    release.version(), soaked.toMillis() / 1000.0, SOAK.toSeconds());
            assertThat(soaked).isGreaterThanOrEqualTo(SOAK);
            System.out.println("[freeze] " + release.version() + ": " + frozen.data().message());
            assertThat(frozen.data().until()).isEqualTo(freezeEnds);
            assertThat(frozen.data().parked().publisher()).as("the request's validated publisher")
                    .isEqualTo(Principal.PROMOTION.userIn(broker.vhost("dev")));
            assertThat(frozen.data().parked().request().release()).isEqualTo(release);
        }
        AuditRecord parking = staging.awaitRecord(PromotionFrozen.class, f -> f.release().sameBuildAs(newer));
        assertThat(parking.publisher()).isEqualTo(Principal.PROMOTION.userIn(broker.vhost("staging")));
        assertThat(staging.caughtUp().ledger().parked()).hasSize(2);
        // nothing goes in while the freeze holds
        Duration left = Duration.between(Instant.now(), freezeEnds).minusSeconds(2);
        if (!left.isNegative()) {
            Thread.sleep(left.toMillis());
        }
        assertThat(staging.caughtUp().events(DeploymentCompleted.class, d -> d.release().service().equals(SERVICE)))
                .as("deployed in frozen staging").isEmpty();

        CloudEvent<DeploymentCompleted> deployed = await().atMost(TestPipeline.WAIT).until(
                () -> staging.events(DeploymentCompleted.class, d -> d.release().sameBuildAs(newer)),
                list -> !list.isEmpty()).get(0);
        double afterTheEnd = Duration.between(freezeEnds, deployed.time()).toMillis() / 1000.0;
        System.out.printf("[freeze] %s deployed in staging %.1f s after the freeze ended%n", newer.version(),
                afterTheEnd);
        assertThat(deployed.time()).isAfterOrEqualTo(freezeEnds);
        assertThat(afterTheEnd).as("seconds from the freeze's end to the deployment").isLessThan(20);
        PromotionBlocked blocked = staging.awaitData(PromotionBlocked.class, b -> b.release().sameBuildAs(older));
        assertThat(blocked.reason()).isEqualTo(PromotionBlocked.Reason.OLDER_THAN_RUNNING);
        // the run goes on: verified in staging, asked for at prod's gate
        broker.audit("prod").await(ApprovalRequested.class, r -> r.release().sameBuildAs(newer));
        await().atMost(TestPipeline.WAIT).until(() -> staging.caughtUp().ledger().parked().isEmpty());
        assertThat(staging.events(DeploymentCompleted.class, d -> d.release().sameBuildAs(older))).isEmpty();
    }

    /** After the freeze: dev's operator stops dev's line, as `stagecoach stop-line` does, then restarts it. */
    @Test
    @Order(2)
    void aBuildArrivingWhileTheOperatorStoppedTheLineIsParkedUntilTheRestart() throws Exception {
        Release release = release(STOPPED, "1.0.0", "jane");
        AuditTrail dev = broker.audit("dev");
        String stopId = EventIds.derive("freeze test stop", STOPPED);
        broker.as("dev", Principal.OPERATOR).publish(CloudEvent.of(new LineStopped("dev", "sam",
                "INC-512: nothing goes in", null), "/stagecoach/cli", "dev", stopId, stopId, stopId));
        await().atMost(TestPipeline.WAIT).until(() -> dev.caughtUp().ledger().lineStop().isPresent());

        broker.as("dev", Principal.CI).withoutUserId().publish(build(release));
        PromotionFrozen parked = dev.awaitData(PromotionFrozen.class, f -> f.release().sameBuildAs(release));
        assertThat(parked.until()).as("only a restart ends it").isNull();
        assertThat(parked.windows()).containsExactly("the line stopped by sam: INC-512: nothing goes in");
        Thread.sleep(6_000);
        assertThat(dev.caughtUp().events(DeploymentCompleted.class, d -> d.release().sameBuildAs(release))).isEmpty();

        String restartId = EventIds.derive("freeze test restart", STOPPED);
        broker.as("dev", Principal.OPERATOR).publish(CloudEvent.of(new LineRestarted("dev", "sam", "INC-512 resolved",
                stopId), "/stagecoach/cli", "dev", stopId, restartId, restartId));
        Instant restarted = Instant.now();
        CloudEvent<DeploymentCompleted> deployed = dev.await(DeploymentCompleted.class,
                d -> d.release().sameBuildAs(release));
        System.out.printf("[freeze] %s deployed in dev %.1f s after the line restarted%n", release.version(),
                Duration.between(restarted, deployed.time()).toMillis() / 1000.0);
        // and it goes on as any release dev verified
        broker.audit("staging").await(DeploymentCompleted.class, d -> d.release().sameBuildAs(release));
    }

    private static String weekly(ZonedDateTime at) {
        return at.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH) + " " + at.toLocalTime();
    }
}
