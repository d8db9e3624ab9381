package io.stagecoach.smoketest;

import static io.stagecoach.smoketest.SmokeTestPolicyTests.SOURCE;
import static io.stagecoach.smoketest.SmokeTestPolicyTests.checks;
import static io.stagecoach.smoketest.SmokeTestPolicyTests.deployed;
import static io.stagecoach.smoketest.SmokeTestPolicyTests.deployment;
import static io.stagecoach.smoketest.SmokeTestPolicyTests.running;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.smoketest.SmokeTestDecision.Failed;
import io.stagecoach.smoketest.SmokeTestDecision.Passed;
import io.stagecoach.smoketest.SmokeTestDecision.Replaced;
import io.stagecoach.smoketest.SmokeTestPolicy.Situation;
import org.junit.jupiter.api.Test;

/** What each decision announces: the handler publishes exactly these events. */
class SmokeTestDecisionTests {

    private final CloudEvent<DeploymentCompleted> deployment = deployment("1.4.2");

    @Test
    void aRedeliveryAnnouncesNothing() {
        assertThat(new SmokeTestDecision.CheckedBefore("some-id").events()).isEmpty();
    }

    @Test
    void checkingAnnouncesNothingBeforeTheChecksRan() {
        assertThat(SmokeTestPolicy.beforeChecks(deployment, running(deployment), SOURCE).events()).isEmpty();
    }

    @Test
    void aPassAnnouncesTheVerification() {
        Passed passed = (Passed) SmokeTestPolicy.afterChecks(deployment, checks("PASSED"), running(deployment),
                SOURCE);

        assertThat(passed.events()).containsExactly(passed.passed());
        assertThat(passed.events().get(0).routingKey()).isEqualTo("smoketest.passed.dev");
    }

    @Test
    void aFailureAnnouncesTheFailure() {
        Failed failed = (Failed) SmokeTestPolicy.afterChecks(deployment, checks("ERROR"), running(deployment),
                SOURCE);

        assertThat(failed.events()).containsExactly(failed.failed());
        assertThat(failed.events().get(0).routingKey()).isEqualTo("smoketest.failed.dev");
    }

    @Test
    void aReplacedDeploymentAnnouncesTheEndOfItsRun() {
        Replaced replaced = (Replaced) SmokeTestPolicy.beforeChecks(deployment,
                new Situation(Optional.empty(), Optional.of(deployed(deployment("1.4.3"))), false), SOURCE);

        assertThat(replaced.events()).containsExactly(replaced.blocked());
        assertThat(replaced.events().get(0).routingKey()).isEqualTo("promotion.blocked.dev");
    }
}
