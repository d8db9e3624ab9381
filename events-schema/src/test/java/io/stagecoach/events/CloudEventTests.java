package io.stagecoach.events;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CloudEventTests {

    private final CloudEvent<DeploymentCompleted> deployment = CloudEvent.of(
            new DeploymentCompleted(SampleEvents.RELEASE, "staging", "gitops", "abc123", "1.4.1", false),
            "/stagecoach/staging/promotion", "staging", SampleEvents.RUN, EventIds.derive("cause"),
            EventIds.derive("deployment"));

    @Test
    void ofTakesTypeAndSubjectFromTheData() {
        assertThat(deployment.specversion()).isEqualTo("1.0");
        assertThat(deployment.type()).isEqualTo("io.stagecoach.deployment.completed.v1");
        assertThat(deployment.subject()).isEqualTo("knative-lambda-builder");
        assertThat(deployment.datacontenttype()).isEqualTo("application/json");
        assertThat(deployment.time()).isCloseTo(Instant.now(), within(5, ChronoUnit.SECONDS));
    }

    @Test
    void routingKeyIsTheEventNameAndTheEnvironment() {
        assertThat(deployment.routingKey()).isEqualTo("deployment.completed.staging");
    }

    @Test
    void causedByContinuesTheRunAndPointsAtTheCause() {
        SmokeTestPassed passed = new SmokeTestPassed(SampleEvents.RELEASE, "staging", List.of(new SmokeCheck(
                "health", "http://knative-lambda-builder/healthz", 200, 200, SmokeCheck.Result.PASSED, "", 5)));

        CloudEvent<SmokeTestPassed> event = CloudEvent.causedBy(deployment, passed, "/stagecoach/staging/smoke-test",
                "staging");

        assertThat(event.correlationid()).isEqualTo(deployment.correlationid());
        assertThat(event.causationid()).isEqualTo(deployment.id());
        assertThat(event.id()).isEqualTo(EventIds.derive(deployment.id(), "io.stagecoach.smoketest.passed.v1", "staging"));
    }

    @Test
    void handlingTheSameCauseTwiceGivesTheSameIdSoTheRetryIsADuplicate() {
        PromotionRequested next = PromotionRequested.verified(SampleEvents.RELEASE, "prod",
                new Verification("staging", deployment.id()));

        String first = CloudEvent.causedBy(deployment, next, "/s", "prod").id();
        String retry = CloudEvent.causedBy(deployment, next, "/s", "prod").id();
        String elsewhere = CloudEvent.causedBy(deployment, next, "/s", "qa").id();
        String distinguished = CloudEvent.causedBy(deployment, next, "/s", "prod", "second").id();

        assertThat(retry).isEqualTo(first);
        assertThat(elsewhere).isNotEqualTo(first);
        assertThat(distinguished).isNotEqualTo(first);
    }

    @Test
    void aTriggerNamesTheEventThatCausedTheRollback() {
        CloudEvent<?> failed = SampleEvents.full().get(6);

        assertThat(Trigger.of(failed)).isEqualTo(new Trigger(Trigger.Type.SMOKETEST_FAILED, failed.id()));
        assertThatThrownBy(() -> Trigger.of(deployment)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deployment.completed does not trigger a rollback");
    }

    @Test
    void aReleaseIsDeployedByDigestAndComparedByBuild() {
        Release release = SampleEvents.RELEASE;
        Release sameBuildOtherAuthor = new Release(release.service(), release.version(), release.image(),
                release.digest(), release.commit(), "someone-else");

        assertThat(release.imageReference()).isEqualTo("ghcr.io/acme/knative-lambda-builder@sha256:" + "a".repeat(64));
        assertThat(release.sameBuildAs(sameBuildOtherAuthor)).isTrue();
        assertThat(release.sameBuildAs(SampleEvents.PREVIOUS)).isFalse();
    }

    @Test
    void aDecisionNamesExactlyOneBuild() {
        ApprovalDecided decision = new ApprovalDecided(EventIds.derive("r"), "knative-lambda-builder", "1.4.2",
                SampleEvents.RELEASE.digest(), "prod", ApprovalDecided.Decision.APPROVE, "priya", null, false);

        assertThat(decision.names(SampleEvents.RELEASE)).isTrue();
        assertThat(decision.names(SampleEvents.release("1.4.2", 'c'))).isFalse();
    }
}
