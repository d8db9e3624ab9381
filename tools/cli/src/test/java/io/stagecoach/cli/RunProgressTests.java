package io.stagecoach.cli;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.Release;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a run stands after its events, and whether `build --wait` may stop with success or failure. */
class RunProgressTests {

    static final Release R = Events.release("1.0.0");
    static final Release OLD = Events.release("0.9.0");

    static Stream<Arguments> runs() {
        return Stream.of(
                Arguments.of("nothing yet", List.of(), RunProgress.Stage.NOT_SEEN, "nothing of the run"),
                Arguments.of("entering dev", List.of(Events.promotionRequested(R, "dev")), RunProgress.Stage.TRAVELLING,
                        "on its way into dev"),
                Arguments.of("verified in dev", List.of(Events.deployed(R, "dev", null), Events.passed(R, "dev")),
                        RunProgress.Stage.TRAVELLING, "verified in dev"),
                Arguments.of("at the prod gate", List.of(Events.passed(R, "staging"),
                        Events.approvalRequested(R, "prod", Events.passed(R, "staging").id())), RunProgress.Stage.AT_GATE,
                        "waits for approval into prod: request " + Events.requestId(R, "prod")),
                Arguments.of("approved, deploying", List.of(Events.approvalRequested(R, "prod", "x"),
                        Events.granted(R, "prod")), RunProgress.Stage.TRAVELLING, "approved into prod"),
                Arguments.of("verified in the last environment", List.of(Events.granted(R, "prod"),
                        Events.deployed(R, "prod", null), Events.passed(R, "prod")), RunProgress.Stage.DONE,
                        "passed the last environment, prod"),
                Arguments.of("smoke tests failed", List.of(Events.deployed(R, "staging", null), Events.failed(R, "staging")),
                        RunProgress.Stage.FAILING, "FAILED smoke tests in staging"),
                Arguments.of("rolled back", List.of(Events.failed(R, "staging"), Events.rolledBack(R, OLD, "staging", "x")),
                        RunProgress.Stage.FAILED, "ROLLED BACK in staging, 0.9.0 running"),
                Arguments.of("the same build published again after the run ended", List.of(Events.passed(R, "prod"),
                        Events.event(new io.stagecoach.events.BuildCompleted(R), "dev", R)), RunProgress.Stage.DONE,
                        "passed the last environment"),
                Arguments.of("blocked", List.of(Events.held(R, "staging")), RunProgress.Stage.FAILED,
                        "BLOCKED before staging"),
                Arguments.of("the build itself was refused where builds enter", List.of(Events.event(
                        new PromotionBlocked(R, "dev", PromotionBlocked.Reason.BUILD_REFUSED, "the build was refused: "
                                + "version 1.0.0 of knative-lambda-builder was already built as digest sha256:aa", null),
                        "dev", R, "refused")), RunProgress.Stage.FAILED, "already built as digest"),
                Arguments.of("a newer release replaced it before it moved on", List.of(Events.deployed(R, "dev", null),
                        Events.passed(R, "dev"), Events.superseded(R, "dev", "1.0.1")), RunProgress.Stage.SUPERSEDED,
                        "superseded in dev by 1.0.1"),
                Arguments.of("older than what runs by the time it arrived", List.of(Events.passed(R, "dev"),
                        Events.blocked(R, "staging", "1.2.0")), RunProgress.Stage.SUPERSEDED,
                        "superseded in staging by 1.2.0 (it is older than what runs)"),
                Arguments.of("a newer release asked for approval", List.of(Events.approvalRequested(R, "prod", "x"),
                        Events.approvalEnded(R, "prod", io.stagecoach.events.ApprovalExpired.Reason.SUPERSEDED,
                                "1.1.0")), RunProgress.Stage.SUPERSEDED, "superseded in prod by 1.1.0"),
                Arguments.of("withdrawn while it waited for approval", List.of(Events.approvalRequested(R, "prod", "x"),
                        Events.withdrawal(R, "prod", "staging"), Events.approvalEnded(R, "prod",
                                io.stagecoach.events.ApprovalExpired.Reason.WITHDRAWN, null)),
                        RunProgress.Stage.FAILED, "withdrawn: staging withdrew 1.0.0: latency"),
                Arguments.of("parked by prod's freeze, then decided", List.of(Events.granted(R, "prod"),
                        Events.event(new io.stagecoach.events.PromotionFrozen(R, "prod",
                                java.time.Instant.parse("2026-12-07T07:00:00Z"), List.of("weekly Fri 16:00 - Mon 08:00 "
                                + "(Europe/Berlin)"), "prod is frozen until Monday: 1.0.0 waits", null), "prod", R)),
                        RunProgress.Stage.FROZEN, "waits: prod is frozen until Monday"),
                Arguments.of("deployed when the freeze ended", List.of(Events.event(new io.stagecoach.events
                        .PromotionFrozen(R, "prod", java.time.Instant.parse("2026-12-07T07:00:00Z"), List.of("w"),
                        "frozen", null), "prod", R), Events.deployed(R, "prod", null)), RunProgress.Stage.TRAVELLING,
                        "running in prod"),
                Arguments.of("withdrawn", List.of(Events.approvalRequested(R, "prod", "x"),
                        Events.withdrawal(R, "prod", "staging")), RunProgress.Stage.FAILED,
                        "withdrawn from prod by staging: 1.0.0 is held in staging"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void aRunStandsWhereItsLastDecisiveEventPutIt(String name, List<CloudEvent<?>> events, RunProgress.Stage stage,
                                                  String description) {
        RunProgress progress = new RunProgress("prod");

        events.forEach(progress::apply);

        assertThat(progress.stage()).isEqualTo(stage);
        assertThat(progress.description()).contains(description);
    }

    @org.junit.jupiter.api.Test
    void aReleaseVerifiedWhereASoakIsAskedSoaksFromItsDeploymentAndTheFollowEndsSayingUntilWhen() {
        RunProgress progress = new RunProgress("prod", java.util.Map.of("dev", java.time.Duration.ofMinutes(30),
                "staging", java.time.Duration.ZERO));
        CloudEvent<?> deployed = Events.deployed(R, "dev", null);

        progress.apply(deployed);
        progress.apply(Events.passed(R, "dev"));

        assertThat(progress.stage()).isEqualTo(RunProgress.Stage.SOAKING);
        assertThat(progress.stage().settled()).isTrue();
        assertThat(progress.description()).isEqualTo("knative-lambda-builder 1.0.0 verified in dev; it soaks there 30m from its "
                + "deployment, until about " + EventLines.TIMESTAMP.format(deployed.time().plusSeconds(1800))
                + ", then moves on by itself (an alert firing for its service starts the soak again)");

        progress.apply(Events.passed(R, "staging"));
        assertThat(progress.stage()).as("staging asks for none").isEqualTo(RunProgress.Stage.TRAVELLING);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void onlyAGateOrTheEndIsASuccessAndOnlyThoseFailuresAndSupersessionsAreSettled(String name, List<CloudEvent<?>> events,
                                                                       RunProgress.Stage stage, String description) {
        assertThat(stage.success()).isEqualTo(stage == RunProgress.Stage.AT_GATE || stage == RunProgress.Stage.FROZEN
                || stage == RunProgress.Stage.SOAKING || stage == RunProgress.Stage.DONE);
        assertThat(stage.settled()).isEqualTo(stage.success() || stage == RunProgress.Stage.FAILED
                || stage == RunProgress.Stage.SUPERSEDED);
    }
}
