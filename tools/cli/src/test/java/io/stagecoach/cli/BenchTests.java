package io.stagecoach.cli;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.Release;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    private static CloudEvent<?> at(CloudEvent<?> event, long millis) {
        return event.withTime(T0.plusMillis(millis));
    }
}
