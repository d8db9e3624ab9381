package io.stagecoach.smoketest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.ledger.EnvironmentLedger.Deployed;
import io.stagecoach.smoketest.SmokeTestDecision.CheckedBefore;
import io.stagecoach.smoketest.SmokeTestDecision.Checking;
import io.stagecoach.smoketest.SmokeTestDecision.Failed;
import io.stagecoach.smoketest.SmokeTestDecision.Passed;
import io.stagecoach.smoketest.SmokeTestDecision.Replaced;
import io.stagecoach.smoketest.SmokeTestPolicy.Outcome;
import io.stagecoach.smoketest.SmokeTestPolicy.Situation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmokeTestPolicyTests {

    static final String SOURCE = "/stagecoach/dev/smoke-test";

    private final EventCodec codec = new EventCodec();

    static CloudEvent<DeploymentCompleted> deployment(String version) {
        Release release = new Release("knative-lambda-builder", version, "ghcr.io/acme/knative-lambda-builder",
                "sha256:" + "a".repeat(64), "096a8cbc4bf9cc786c545235c3b4d54204b8c1c3", "jane");
        String runId = EventIds.derive("run", version);
        return CloudEvent.of(new DeploymentCompleted(release, "dev", "gitops", "3f9c2d7a", "1.4.1", false),
                "/stagecoach/dev/promotion", "dev", runId, EventIds.derive("request", version),
                EventIds.derive("deployment", version));
    }

    /** The ledger after {@code deployment} itself: it runs, nothing was published for it yet. */
    static Situation running(CloudEvent<DeploymentCompleted> deployment) {
        return new Situation(Optional.empty(), Optional.of(deployed(deployment)), false);
    }

    static Deployed deployed(CloudEvent<DeploymentCompleted> deployment) {
        return new Deployed(deployment.data().release(), "3f9c2d7a", deployment.id(), Instant.EPOCH, false);
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
    void theOutcomeFollowsFromTheChecks(String results, Outcome expected) {
        assertThat(SmokeTestPolicy.outcome(checks(results))).isEqualTo(expected);
    }

    @Test
    void noChecksIsAnErrorNamingWhereToConfigureThem() {
        assertThat(SmokeTestPolicy.outcome(List.of())).isEqualTo(Outcome.ERROR);
        assertThat(SmokeTestPolicy.summary(List.of(), "payments", "dev"))
                .isEqualTo("no smoke checks are configured for payments in dev "
                        + "(stagecoach.smoke-test.services.payments.checks)");
    }

    @Test
    void theSummaryNamesWhatDidNotPass() {
        assertThat(SmokeTestPolicy.summary(checks("PASSED FAILED"), "s", "dev"))
                .isEqualTo("1 of 2 checks failed: check-2: detail of check-2");
        assertThat(SmokeTestPolicy.summary(checks("ERROR PASSED ERROR"), "s", "dev"))
                .isEqualTo("2 of 3 checks could not run: check-1: detail of check-1; check-3: detail of check-3");
    }

    @Test
    void aDeploymentThatRunsAndWasNotCheckedIsChecked() {
        CloudEvent<DeploymentCompleted> deployment = deployment("1.4.2");

        assertThat(SmokeTestPolicy.beforeChecks(deployment, running(deployment), SOURCE)).isInstanceOf(Checking.class);
        assertThat(SmokeTestPolicy.beforeChecks(deployment, new Situation(Optional.empty(), Optional.empty(), false),
                SOURCE)).as("nothing known to run yet").isInstanceOf(Checking.class);
    }

    @Test
    void aDeploymentWhoseOutcomeIsInTheAuditStreamIsNotCheckedAgain() {
        CloudEvent<DeploymentCompleted> deployment = deployment("1.4.2");
        String published = SmokeTestPolicy.possibleIds(deployment).get(1);

        SmokeTestDecision decision = SmokeTestPolicy.beforeChecks(deployment,
                new Situation(Optional.of(published), Optional.of(deployed(deployment)), false), SOURCE);

        assertThat(decision).isEqualTo(new CheckedBefore(published));
    }

    @Test
    void allChecksPassedVerifiesTheRelease() {
        CloudEvent<DeploymentCompleted> deployment = deployment("1.4.2");
        List<SmokeCheck> checks = checks("PASSED PASSED");

        CloudEvent<SmokeTestPassed> event = ((Passed) SmokeTestPolicy.afterChecks(deployment, checks,
                running(deployment), SOURCE)).passed();

        assertThat(event.data()).isEqualTo(new SmokeTestPassed(deployment.data().release(), "dev", checks));
        assertThat(event.routingKey()).isEqualTo("smoketest.passed.dev");
        assertThat(event.causationid()).isEqualTo(deployment.id());
        assertThat(event.correlationid()).isEqualTo(deployment.correlationid());
        assertThat(SmokeTestPolicy.possibleIds(deployment)).contains(event.id());
        assertThat(codec.encode(event)).isNotEmpty();
    }

    @Test
    void aFailedCheckFailsTheReleaseNamingTheCheck() {
        CloudEvent<DeploymentCompleted> deployment = deployment("1.5.0-bad.1");

        CloudEvent<SmokeTestFailed> event = ((Failed) SmokeTestPolicy.afterChecks(deployment,
                checks("PASSED FAILED"), running(deployment), SOURCE)).failed();

        assertThat(event.data().status()).isEqualTo(SmokeTestFailed.Status.FAILED);
        assertThat(event.data().summary()).isEqualTo("1 of 2 checks failed: check-2: detail of check-2");
        assertThat(event.routingKey()).isEqualTo("smoketest.failed.dev");
        assertThat(SmokeTestPolicy.possibleIds(deployment)).contains(event.id());
        assertThat(codec.encode(event)).isNotEmpty();
    }

    @Test
    void noChecksIsAnErrorNotAResult() {
        CloudEvent<DeploymentCompleted> deployment = deployment("1.4.2");

        CloudEvent<SmokeTestFailed> event = ((Failed) SmokeTestPolicy.afterChecks(deployment, List.of(),
                running(deployment), SOURCE)).failed();

        assertThat(event.data().status()).isEqualTo(SmokeTestFailed.Status.ERROR);
        assertThat(event.data().checks()).isEmpty();
        assertThat(codec.encode(event)).isNotEmpty();
    }

    @Test
    void checkingTheSameDeploymentAgainGivesTheSameId() {
        CloudEvent<DeploymentCompleted> deployment = deployment("1.4.2");

        SmokeTestDecision first = SmokeTestPolicy.afterChecks(deployment, checks("PASSED"), running(deployment), SOURCE);
        SmokeTestDecision again = SmokeTestPolicy.afterChecks(deployment, checks("PASSED"), running(deployment), SOURCE);
        SmokeTestDecision failedInstead = SmokeTestPolicy.afterChecks(deployment, checks("FAILED"),
                running(deployment), SOURCE);

        assertThat(again.events().get(0).id()).isEqualTo(first.events().get(0).id());
        assertThat(SmokeTestPolicy.possibleIds(deployment)).contains(first.events().get(0).id(),
                failedInstead.events().get(0).id());
    }

    @ParameterizedTest(name = "{0} replaced by {1}, held {2}, {4}: {3}")
    @CsvSource({
            "1.4.2, 1.4.3, false, SUPERSEDED, before, 1.4.3 replaced it",
            "1.4.2, 1.4.1, true,  HELD,       before, rolled back before its smoke tests ran",
            "1.4.2, 1.4.3, false, SUPERSEDED, after,  1.4.3 replaced it",
            "1.4.2, 1.4.1, true,  HELD,       after,  rolled back before its smoke tests ran",
    })
    void aDeploymentReplacedBeforeOrWhileItWasCheckedEndsItsRunWithABlock(String version, String runs, boolean held,
            PromotionBlocked.Reason reason, String when, String message) {
        CloudEvent<DeploymentCompleted> deployment = deployment(version);
        Deployed running = deployed(deployment(runs));
        Situation now = new Situation(Optional.empty(), Optional.of(running), held);

        SmokeTestDecision decision = when.equals("before") ? SmokeTestPolicy.beforeChecks(deployment, now, SOURCE)
                : SmokeTestPolicy.afterChecks(deployment, checks("PASSED"), now, SOURCE);

        Replaced replaced = (Replaced) decision;
        assertThat(replaced.running()).isEqualTo(running);
        assertThat(replaced.when()).isEqualTo(when.equals("before") ? "before it was checked"
                : "while it was checked");
        CloudEvent<PromotionBlocked> blocked = replaced.blocked();
        assertThat(blocked.routingKey()).isEqualTo("promotion.blocked.dev");
        assertThat(blocked.data().reason()).isEqualTo(reason);
        assertThat(blocked.data().release()).isEqualTo(deployment.data().release());
        assertThat(blocked.data().runningVersion()).isEqualTo(runs);
        assertThat(blocked.data().supersededBy()).isEqualTo(held ? null : runs);
        assertThat(blocked.data().message()).contains(message);
        assertThat(blocked.correlationid()).as("the run of the replaced release").isEqualTo(deployment.correlationid());
        assertThat(blocked.causationid()).isEqualTo(deployment.id());
        assertThat(SmokeTestPolicy.possibleIds(deployment)).contains(blocked.id());
        assertThat(codec.encode(blocked)).isNotEmpty();
    }
}
