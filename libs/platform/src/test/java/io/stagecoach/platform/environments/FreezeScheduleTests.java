package io.stagecoach.platform.environments;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Decision table: a schedule as written in environments.yaml and an instant -> frozen or not, and until when. */
class FreezeScheduleTests {

    private static final String BERLIN_WEEKEND = """
            time-zone: Europe/Berlin
            weekly: ["Fri 16:00 - Mon 08:00"]
            dates: ["2026-12-24 - 2027-01-01"]
            """;

    static Stream<Arguments> table() {
        return Stream.of(
                // 2026-12-04 is a Friday; Berlin is UTC+1 in winter
                row("before the weekend window", BERLIN_WEEKEND, "2026-12-04T14:59:59Z", null),
                row("at its start", BERLIN_WEEKEND, "2026-12-04T15:00:00Z", "2026-12-07T07:00:00Z"),
                row("over the week's end, on Sunday", BERLIN_WEEKEND, "2026-12-06T12:00:00Z", "2026-12-07T07:00:00Z"),
                row("a second before its end", BERLIN_WEEKEND, "2026-12-07T06:59:59Z", "2026-12-07T07:00:00Z"),
                row("at its end", BERLIN_WEEKEND, "2026-12-07T07:00:00Z", null),
                row("in the middle of the week", BERLIN_WEEKEND, "2026-12-09T12:00:00Z", null),
                // 2027-01-02 is a Saturday: the dates end in the weekend window
                row("the first frozen day, midnight in Berlin", BERLIN_WEEKEND, "2026-12-23T23:00:00Z",
                        "2027-01-04T07:00:00Z"),
                row("the dates run into a weekend: one freeze to its end", BERLIN_WEEKEND.replace("2027-01-01",
                        "2027-01-08"), "2026-12-28T12:00:00Z", "2027-01-11T07:00:00Z"),
                row("the weekend runs into the dates: one freeze", BERLIN_WEEKEND.replace("2026-12-24", "2026-12-21"),
                        "2026-12-19T12:00:00Z", "2027-01-04T07:00:00Z"),
                row("summer time in Berlin (UTC+2)", BERLIN_WEEKEND, "2026-07-03T14:30:00Z", "2026-07-06T06:00:00Z"),
                row("UTC when no zone is named", "weekly: [\"Wed 10:00 - Wed 11:30\"]\n", "2026-12-09T10:15:00Z",
                        "2026-12-09T11:30:00Z"),
                row("a window with seconds", "weekly: [\"Fri 22:30:15 - Fri 22:30:45\"]\n", "2026-12-04T22:30:20Z",
                        "2026-12-04T22:30:45Z"),
                row("one frozen day", "dates: [\"2026-12-31\"]\n", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z"),
                row("the day after it", "dates: [\"2026-12-31\"]\n", "2027-01-01T00:00:00Z", null),
                row("a window that covers almost the whole week", "weekly: [\"Mon 09:00 - Mon 08:00\"]\n",
                        "2026-12-07T10:00:00Z", "2026-12-14T08:00:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String row, String freeze, String at, String until) {
        Optional<FreezeSchedule.Frozen> frozen = schedule(freeze).at(Instant.parse(at));

        assertThat(frozen.map(FreezeSchedule.Frozen::until)).as(row)
                .isEqualTo(Optional.ofNullable(until).map(Instant::parse));
    }

    @Test
    void namesTheWindowsThatHoldTheFreeze() {
        FreezeSchedule.Frozen frozen = schedule(BERLIN_WEEKEND.replace("2026-12-24", "2026-12-21"))
                .at(Instant.parse("2026-12-19T12:00:00Z")).orElseThrow();

        assertThat(frozen.describe()).isEqualTo("weekly Fri 16:00 - Mon 08:00 (Europe/Berlin), then from "
                + "2026-12-21 - 2027-01-01 (Europe/Berlin)");
    }

    @Test
    void aSoakIsReadAsADurationAndNoneMeansAtOnce() {
        Environments parsed = Environments.parse(EnvironmentsValidationTests.VALID.replace(
                "    namespace: knative-lambda-dev\n", "    namespace: knative-lambda-dev\n    soak: 30m\n"),
                "environments.yaml");

        assertThat(parsed.get("dev").soak()).isEqualTo(java.time.Duration.ofMinutes(30));
        assertThat(parsed.get("staging").soak()).isZero();
    }

    @Test
    void anEnvironmentWithoutFreezeIsNeverFrozen() {
        Environment prod = Environments.parse(EnvironmentsValidationTests.VALID, "environments.yaml").all().get(2);

        assertThat(prod.freeze()).isEqualTo(FreezeSchedule.NONE);
        assertThat(prod.freeze().at(Instant.parse("2026-12-05T12:00:00Z"))).isEmpty();
    }

    private static FreezeSchedule schedule(String freeze) {
        String indented = ("freeze:\n" + freeze.indent(2)).indent(4);
        String yaml = EnvironmentsValidationTests.VALID.replace("    namespace: knative-lambda-prod\n",
                "    namespace: knative-lambda-prod\n" + indented);
        return Environments.parse(yaml, "environments.yaml").all().get(2).freeze();
    }

    private static Arguments row(String row, String freeze, String at, String until) {
        return Arguments.of(row, freeze, at, until);
    }
}
