package io.stagecoach.smoketest;

import java.util.List;
import java.util.stream.Collectors;

import io.stagecoach.events.SmokeCheck;

/**
 * The outcome of a deployment's smoke tests from its checks. Pure. No checks is an ERROR: a release nobody checked is
 * not verified.
 */
final class SmokeTestDecision {

    enum Outcome {
        /** Every check passed: the release is verified here. */
        PASSED,
        /** At least one check got a wrong answer: a business result. */
        FAILED,
        /** The checks could not run (none configured, bad URL, no answer): a technical status. */
        ERROR
    }

    private SmokeTestDecision() {
    }

    static Outcome decide(List<SmokeCheck> checks) {
        if (checks.isEmpty()) {
            return Outcome.ERROR;
        }
        if (checks.stream().anyMatch(check -> check.result() == SmokeCheck.Result.FAILED)) {
            return Outcome.FAILED;
        }
        if (checks.stream().anyMatch(check -> check.result() == SmokeCheck.Result.ERROR)) {
            return Outcome.ERROR;
        }
        return Outcome.PASSED;
    }

    /** One line for people: what did not pass and why, e.g. {@code 1 of 2 checks failed: health: answered 503...}. */
    static String summary(List<SmokeCheck> checks, String service, String environment) {
        if (checks.isEmpty()) {
            return "no smoke checks are configured for " + service + " in " + environment
                    + " (stagecoach.smoke-test.services." + service + ".checks)";
        }
        Outcome outcome = decide(checks);
        if (outcome == Outcome.PASSED) {
            return "all " + checks.size() + " checks passed";
        }
        SmokeCheck.Result shown = outcome == Outcome.FAILED ? SmokeCheck.Result.FAILED : SmokeCheck.Result.ERROR;
        List<SmokeCheck> notPassed = checks.stream().filter(check -> check.result() == shown).toList();
        String verb = outcome == Outcome.FAILED ? "failed" : "could not run";
        return notPassed.size() + " of " + checks.size() + " checks " + verb + ": " + notPassed.stream()
                .map(check -> check.name() + ": " + check.detail()).collect(Collectors.joining("; "));
    }
}
