package io.stagecoach.smoketest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import io.stagecoach.events.SmokeCheck;
import io.stagecoach.smoketest.SmokeTestDecision.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmokeTestDecisionTests {

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
            "PASSED               | PASSED",
            "PASSED PASSED PASSED | PASSED",
            "FAILED               | FAILED",
            "PASSED FAILED        | FAILED",
            // a wrong answer outweighs a check that could not run: the release is known to be wrong
            "ERROR FAILED         | FAILED",
            "ERROR                | ERROR",
            "PASSED ERROR         | ERROR",
            "''                   | ERROR",
    })
    void decidesFromTheChecks(String results, Outcome expected) {
        assertThat(SmokeTestDecision.decide(checks(results))).isEqualTo(expected);
    }

    @Test
    void noChecksIsAnErrorNamingWhereToConfigureThem() {
        assertThat(SmokeTestDecision.decide(List.of())).isEqualTo(Outcome.ERROR);
        assertThat(SmokeTestDecision.summary(List.of(), "payments", "dev"))
                .isEqualTo("no smoke checks are configured for payments in dev "
                        + "(stagecoach.smoke-test.services.payments.checks)");
    }

    @Test
    void theSummaryNamesWhatDidNotPass() {
        assertThat(SmokeTestDecision.summary(checks("PASSED FAILED"), "s", "dev"))
                .isEqualTo("1 of 2 checks failed: check-2: detail of check-2");
        assertThat(SmokeTestDecision.summary(checks("ERROR PASSED ERROR"), "s", "dev"))
                .isEqualTo("2 of 3 checks could not run: check-1: detail of check-1; check-3: detail of check-3");
    }

    static List<SmokeCheck> checks(String results) {
        String[] names = results.isBlank() ? new String[0] : results.trim().split("\\s+");
        return Arrays.stream(names).map(new java.util.function.Function<String, SmokeCheck>() {
            int index;

            @Override
            public SmokeCheck apply(String result) {
                index++;
                return new SmokeCheck("check-" + index, "http://app/check-" + index, 200,
                        result.equals("ERROR") ? null : 200, SmokeCheck.Result.valueOf(result),
                        "detail of check-" + index, 5);
            }
        }).toList();
    }
}
