package io.stagecoach.smoketest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.Release;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmokeTestPolicyTests {

    private static final String SOURCE = "/stagecoach/dev/smoke-test";

    private final EventCodec codec = new EventCodec();

    static CloudEvent<DeploymentCompleted> deployment(String version) {
        Release release = new Release("knative-lambda-builder", version, "ghcr.io/acme/knative-lambda-builder",
                "sha256:" + "a".repeat(64), "096a8cbc4bf9cc786c545235c3b4d54204b8c1c3", "jane");
        String runId = EventIds.derive("run", version);
        return CloudEvent.of(new DeploymentCompleted(release, "dev", "gitops", "3f9c2d7a", "1.4.1", false),
                "/stagecoach/dev/promotion", "dev", runId, EventIds.derive("request", version),
                EventIds.derive("deployment", version));
    }

    @Test
    void allChecksPassedVerifiesTheRelease() {
        CloudEvent<DeploymentCompleted> deployment = deployment("1.4.2");
        List<SmokeCheck> checks = SmokeTestDecisionTests.checks("PASSED PASSED");

        CloudEvent<?> event = SmokeTestPolicy.decide(deployment, checks, SOURCE);

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

        CloudEvent<?> event = SmokeTestPolicy.decide(deployment, SmokeTestDecisionTests.checks("PASSED FAILED"),
                SOURCE);

        SmokeTestFailed failed = (SmokeTestFailed) event.data();
        assertThat(failed.status()).isEqualTo(SmokeTestFailed.Status.FAILED);
        assertThat(failed.summary()).isEqualTo("1 of 2 checks failed: check-2: detail of check-2");
        assertThat(event.routingKey()).isEqualTo("smoketest.failed.dev");
        assertThat(SmokeTestPolicy.possibleIds(deployment)).contains(event.id());
        assertThat(codec.encode(event)).isNotEmpty();
    }

    @Test
    void noChecksIsAnErrorNotAResult() {
        CloudEvent<DeploymentCompleted> deployment = deployment("1.4.2");

        CloudEvent<?> event = SmokeTestPolicy.decide(deployment, List.of(), SOURCE);

        SmokeTestFailed failed = (SmokeTestFailed) event.data();
        assertThat(failed.status()).isEqualTo(SmokeTestFailed.Status.ERROR);
        assertThat(failed.checks()).isEmpty();
        assertThat(codec.encode(event)).isNotEmpty();
    }

    @Test
    void checkingTheSameDeploymentAgainGivesTheSameId() {
        CloudEvent<DeploymentCompleted> deployment = deployment("1.4.2");

        CloudEvent<?> first = SmokeTestPolicy.decide(deployment, SmokeTestDecisionTests.checks("PASSED"), SOURCE);
        CloudEvent<?> again = SmokeTestPolicy.decide(deployment, SmokeTestDecisionTests.checks("PASSED"), SOURCE);
        CloudEvent<?> failedInstead = SmokeTestPolicy.decide(deployment, SmokeTestDecisionTests.checks("FAILED"),
                SOURCE);

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(SmokeTestPolicy.possibleIds(deployment)).contains(first.id(), failedInstead.id());
    }

    @ParameterizedTest(name = "{0} replaced by {1}, held {2}: {3}")
    @CsvSource({
            "1.4.2, 1.4.3, false, SUPERSEDED, 1.4.3 replaced it",
            "1.4.2, 1.4.1, true,  HELD,       rolled back before its smoke tests ran",
    })
    void aDeploymentReplacedBeforeItsChecksEndsItsRunWithABlock(String version, String runs, boolean held,
            PromotionBlocked.Reason reason, String message) {
        CloudEvent<DeploymentCompleted> deployment = deployment(version);
        Release running = deployment(runs).data().release();

        CloudEvent<PromotionBlocked> blocked = SmokeTestPolicy.replaced(deployment, running, held, SOURCE);

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
