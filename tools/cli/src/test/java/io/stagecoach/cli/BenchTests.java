package io.stagecoach.cli;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.Release;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code stagecoach bench} makes of what it measured: the way, each build's hops, the statistics. */
class BenchTests {

    static final Environments ENVIRONMENTS = Environments.loadDefault();
    static final BenchPath PATH = BenchPath.of(ENVIRONMENTS);
    static final Instant T0 = Instant.parse("2026-12-03T18:00:00Z");

    @Test
    void theWayGoesThroughEveryAutomaticEnvironmentToTheManualGate() {
        assertThat(PATH.steps()).extracting(BenchPath.Step::label).containsExactly(
                "build.completed (dev)",
                "promotion.requested (dev)", "deployment.completed (dev)", "smoketest.passed (dev)",
                "promotion.requested (staging)", "deployment.completed (staging)", "smoketest.passed (staging)",
                "approval.requested (prod)");
        assertThat(PATH.hops()).hasSize(7).first().extracting(BenchPath.Hop::label)
                .isEqualTo("build.completed (dev) -> promotion.requested (dev)");
        assertThat(PATH.end()).isEqualTo("the prod gate");
    }

    @Test
    void aBuildsHopsComeFromTheTimesItsRecordedEventsCarry() {
        Release release = Events.release("0.1.1");
        BuildJourney journey = new BuildJourney(release, PATH, "prod");
        CloudEvent<?> handoff = at(Events.promotionRequested(release, "staging"), 2_400);
        List<CloudEvent<?>> audit = List.of(
                at(Events.event(new io.stagecoach.events.BuildCompleted(release, null), "dev", release), 0),
                at(Events.promotionRequested(release, "dev"), 120),
                at(Events.deployed(release, "dev", null), 900),
                at(Events.passed(release, "dev"), 2_100),
                handoff,
                // the hand-off again, as the next environment's stream holds it: the first sighting counts
                handoff,
                at(Events.deployed(release, "staging", "0.1.0"), 3_000),
                at(Events.passed(release, "staging"), 4_000),
                at(Events.approvalRequested(release, "prod", "x"), 4_250));

        audit.forEach(journey::apply);

        assertThat(PATH.hops()).map(hop -> journey.took(hop).orElseThrow().toMillis())
                .containsExactly(120L, 780L, 1_200L, 300L, 600L, 1_000L, 250L);
        assertThat(journey.whole()).contains(Duration.ofMillis(4_250));
        assertThat(journey.arrived()).isTrue();
        assertThat(journey.settled()).isTrue();
        assertThat(journey.description()).contains("waits for approval into prod");
    }

    @Test
    void aBuildANewerOneReplacedStopsWithTheHopsItMadeAndNoWholeWay() {
        Release release = Events.release("0.1.1");
        BuildJourney journey = new BuildJourney(release, PATH, "prod");

        List.of(at(Events.promotionRequested(release, "dev"), 0), at(Events.deployed(release, "dev", null), 500),
                at(Events.passed(release, "dev"), 1_500), at(Events.superseded(release, "dev", "0.1.2"), 1_600))
                .forEach(journey::apply);

        assertThat(journey.arrived()).isFalse();
        assertThat(journey.settled()).isTrue();
        assertThat(journey.description()).contains("superseded in dev by 0.1.2");
        assertThat(journey.took(PATH.hops().get(1))).contains(Duration.ofMillis(500));
        assertThat(journey.took(PATH.hops().get(0))).as("no build.completed seen").isEmpty();
        assertThat(journey.whole()).isEmpty();
    }

    @Test
    void aBuildStillOnItsWayIsNotSettled() {
        Release release = Events.release("0.1.1");
        BuildJourney journey = new BuildJourney(release, PATH, "prod");

        journey.apply(at(Events.deployed(release, "staging", null), 0));

        assertThat(journey.settled()).isFalse();
        assertThat(journey.arrived()).isFalse();
    }

    @Test
    void aBuildTheBenchApprovesGoesOnThroughTheGateAndSettlesWhenVerifiedBehindIt() {
        Release release = Events.release("0.1.1");
        BuildJourney journey = new BuildJourney(release, PATH, "prod", true);

        journey.apply(at(Events.approvalRequested(release, "prod", "x"), 0));
        assertThat(journey.arrived()).isTrue();
        assertThat(journey.settled()).as("at the gate, the bench approves it").isFalse();

        journey.apply(at(decided(release), 40));
        journey.apply(at(Events.granted(release, "prod"), 90));
        journey.apply(at(Events.deployed(release, "prod", null), 400));
        assertThat(journey.settled()).isFalse();
        journey.apply(at(Events.passed(release, "prod"), 900));
        assertThat(journey.settled()).isTrue();
        assertThat(journey.settledAt()).contains(T0.plusMillis(900));
    }

    @Test
    void theLimitsComeFromEachBuildsEventsAndLeaveOutTheWaitAtTheGate() {
        Release good = Events.release("0.1.1");
        BuildJourney through = new BuildJourney(good, PATH, "prod", true);
        List.of(at(Events.event(new io.stagecoach.events.BuildCompleted(good, null), "dev", good), 0),
                at(Events.passed(good, "dev"), 2_100),
                at(Events.passed(good, "staging"), 4_000),
                at(Events.approvalRequested(good, "prod", "x"), 4_250),
                // a person would take minutes here: it does not count
                at(decided(good), 604_250),
                at(Events.granted(good, "prod"), 604_300),
                at(Events.deployed(good, "prod", null), 605_000),
                at(Events.passed(good, "prod"), 606_250)).forEach(through::apply);
        Release bad = Events.release("0.1.2-bad-in-dev");
        BuildJourney failing = new BuildJourney(bad, PATH, "prod");
        List.of(at(Events.event(new io.stagecoach.events.BuildCompleted(bad, null), "dev", bad), 10_000),
                at(Events.deployed(bad, "dev", "0.1.1"), 11_000),
                at(Events.failed(bad, "dev"), 41_000),
                at(Events.rolledBack(bad, good, "dev", "t"), 41_800)).forEach(failing::apply);

        BenchLimits limits = BenchLimits.of(ENVIRONMENTS, List.of(through, failing), true, 1, "alice");

        assertThat(limits.rows()).extracting(BenchLimits.Row::name)
                .containsExactly("dev -> staging", "staging -> prod", "rollback (dev)");
        BenchLimits.Row toStaging = limits.rows().get(0);
        assertThat(toStaging.measured()).isEqualTo("build.completed (dev) -> smoketest.passed (staging)");
        assertThat(toStaging.summary()).isEqualTo(new LatencySummary(1, 4_000, 4_000, 4_000));
        assertThat(toStaging.within()).contains(true);
        BenchLimits.Row toProd = limits.rows().get(1);
        assertThat(toProd.summary()).as("250 ms to the gate and 2,000 ms from the decision to prod verified")
                .isEqualTo(new LatencySummary(1, 2_250, 2_250, 2_250));
        assertThat(toProd.within()).contains(true);
        assertThat(toProd.note()).contains("approval.requested (prod) -> approval.decided (prod)", "alice",
                "left out");
        BenchLimits.Row rollback = limits.rows().get(2);
        assertThat(rollback.measured()).isEqualTo("smoketest.failed (dev) -> rollback.completed (dev)");
        assertThat(rollback.summary()).isEqualTo(new LatencySummary(1, 800, 800, 800));
        assertThat(rollback.within()).contains(true);
        assertThat(rollback.note()).isNull();
        assertThat(limits.rows()).allSatisfy(row -> assertThat(row.rollout()).isNotBlank());
    }

    @Test
    void withoutApprovalOrAFailingBuildALimitIsOnlyPartlyMeasuredAndNotJudged() {
        Release release = Events.release("0.1.1");
        BuildJourney journey = new BuildJourney(release, PATH, "prod");
        List.of(at(Events.event(new io.stagecoach.events.BuildCompleted(release, null), "dev", release), 0),
                at(Events.passed(release, "staging"), 200_000),
                at(Events.approvalRequested(release, "prod", "x"), 200_300)).forEach(journey::apply);

        BenchLimits limits = BenchLimits.of(ENVIRONMENTS, List.of(journey), false, 0, null);

        assertThat(limits.rows().get(0).within()).as("200 s is over 3 min").contains(false);
        BenchLimits.Row toProd = limits.rows().get(1);
        assertThat(toProd.measured()).isEqualTo("smoketest.passed (staging) -> approval.requested (prod)");
        assertThat(toProd.summary()).isEqualTo(new LatencySummary(1, 300, 300, 300));
        assertThat(toProd.complete()).isFalse();
        assertThat(toProd.within()).isEmpty();
        assertThat(toProd.note()).contains("prod was not approved in this run", "--approve");
        BenchLimits.Row rollback = limits.rows().get(2);
        assertThat(rollback.summary().isEmpty()).isTrue();
        assertThat(rollback.within()).isEmpty();
        assertThat(rollback.note()).contains("--failing");

        StringWriter text = new StringWriter();
        limits.print(new PrintWriter(text));
        assertThat(text.toString())
                .containsPattern("(?m)^dev -> staging +build.completed \\(dev\\) -> smoketest.passed \\(staging\\)"
                        + " +< 3 min +1 +200000 +200000 +200000  no$")
                .containsPattern("(?m)^staging -> prod .* +< 5 min +1 +300 +300 +300  -$")
                .containsPattern("(?m)^rollback \\(dev\\) .* +< 2 min +0 +- +- +-  -$")
                .contains("a real rollout would add:", "Argo CD or Flux", "image pull");
        assertThat(limits.json()).hasSize(3).first().satisfies(row -> assertThat(row)
                .containsEntry("limit", "dev -> staging").containsEntry("limitMillis", 180_000L)
                .containsEntry("p99", 200_000.0).containsEntry("within", false));
    }

    @Test
    void aFailingBuildThatWasNotRolledBackIsNamedInTheRollbacksNote() {
        Release bad = Events.release("0.1.2-bad-in-dev");
        BuildJourney failing = new BuildJourney(bad, PATH, "prod");
        failing.apply(at(Events.failed(bad, "dev"), 0));

        BenchLimits.Row rollback = BenchLimits.of(ENVIRONMENTS, List.of(failing), false, 1, null).rows().get(2);

        assertThat(rollback.summary().isEmpty()).isTrue();
        assertThat(rollback.within()).isEmpty();
        assertThat(rollback.note()).isEqualTo("0 of the 1 failing build rolled back");
    }

    @Test
    void percentilesAreMeasuredSamplesByNearestRank() {
        LatencySummary hundred = LatencySummary.of(IntStream.rangeClosed(1, 100).mapToObj(i -> (double) (101 - i))
                .toList());
        assertThat(hundred).isEqualTo(new LatencySummary(100, 50, 99, 100));

        assertThat(LatencySummary.of(List.of(7.0, 3.0))).isEqualTo(new LatencySummary(2, 3, 7, 7));
        assertThat(LatencySummary.of(List.of(4.5))).isEqualTo(new LatencySummary(1, 4.5, 4.5, 4.5));
        assertThat(LatencySummary.of(List.of()).isEmpty()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"max, 0", "MAX, 0", "4, 4", "0.5, 0.5"})
    void aRateIsBuildsPerSecondOrMax(String rate, double perSecond) {
        assertThat(BenchCommand.rate(rate)).isEqualTo(perSecond);
    }

    @ParameterizedTest
    @CsvSource({"0", "-1", "fast", "NaN"})
    void aRateThatIsNoneIsAUsageError(String rate) {
        assertThatThrownBy(() -> BenchCommand.rate(rate)).isInstanceOf(CliException.class)
                .hasMessageContaining("--rate '" + rate + "'")
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
    }

    @Test
    void theOwnEnvironmentsFileListsTheServicesAsked() {
        String file = """
                # services
                services:
                  - knative-lambda-builder

                teams:
                  sre-team: [alice, bob]
                """;

        assertThat(BenchCommand.withServices(file, List.of("knative-lambda-builder", "service-2", "service-3")))
                .isEqualTo("""
                        # services
                        services:
                          - knative-lambda-builder
                          - service-2
                          - service-3

                        teams:
                          sre-team: [alice, bob]
                        """);
    }

    @Test
    void withNoPipelineRunningAndNoStartItSaysHowToGetOne(@TempDir Path home) {
        Cli.Result result = new Cli(Map.of(), home).run("bench", "--home", home.toString());

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("No pipeline runs in " + home, "stagecoach up", "--start");
    }

    @Test
    void aFailingBuildWaitsUntilTheBuildBeforeItWasVerifiedInTheFirstEnvironment() throws Exception {
        Release release = Events.release("0.1.1");
        BuildJourney before = new BuildJourney(release, PATH, "prod");
        before.apply(at(Events.deployed(release, "dev", null), 0));

        assertThat(before.awaitVerifiedInFirst(Duration.ofMillis(20))).as("deployed, not verified").isFalse();
        before.apply(at(Events.passed(release, "dev"), 500));
        assertThat(before.awaitVerifiedInFirst(Duration.ofMillis(20))).isTrue();

        BuildJourney superseded = new BuildJourney(Events.release("0.1.3"), PATH, "prod");
        superseded.apply(at(Events.superseded(Events.release("0.1.3"), "dev", "0.1.4"), 0));
        assertThat(superseded.awaitVerifiedInFirst(Duration.ofMillis(20))).as("it will go no further").isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--builds 1 --failing 1 | --failing needs --builds 2 or more",
            "--services 1 --builds 2 --failing 2 | --failing 2: only the last build of a service fails",
            "--failing -1 | --failing must be 0 or more, not -1"})
    void aFailingCountThatCannotBeIsAUsageError(String options, String message, @TempDir Path home) {
        List<String> args = new java.util.ArrayList<>(List.of("bench", "--home", home.toString()));
        args.addAll(List.of(options.split(" ")));

        Cli.Result result = new Cli(Map.of(), home).run(args.toArray(String[]::new));

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains(message);
    }

    private static CloudEvent<?> decided(Release release) {
        return Events.event(new ApprovalDecided(Events.requestId(release, "prod"), release.service(),
                release.version(), release.digest(), "prod", ApprovalDecided.Decision.APPROVE, "alice", null, false),
                "prod", release, release.version());
    }

    private static CloudEvent<?> at(CloudEvent<?> event, long millis) {
        return event.withTime(T0.plusMillis(millis));
    }
}
