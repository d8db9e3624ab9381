package io.stagecoach.ledger;

import java.util.List;
import java.util.UUID;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventData;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.events.Trigger;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LedgerViewTests {

    static final String SERVICE = "knative-lambda-builder";
    static final Provenance PROVENANCE = Provenance.of(Environments.loadDefault());

    final EnvironmentLedger ledger = new EnvironmentLedger("staging", PROVENANCE);
    final LedgerView view = LedgerView.of(ledger);
    long offset;

    static Release release(String version) {
        return new Release(SERVICE, version, "ghcr.io/example/knative-lambda-builder",
                "sha256:" + String.valueOf(version.hashCode() & 0xf).repeat(64).substring(0, 64), "abc1234",
                "carol");
    }

    /** Applies {@code data} as its producer in {@code environment} publishes it. */
    CloudEvent<?> apply(EventData data, String environment) {
        CloudEvent<?> event = CloudEvent.of(data, "/test", environment, "run-1", "cause", UUID.randomUUID().toString());
        String producer = PROVENANCE.publishersOf(event.eventType(), environment).iterator().next();
        ledger.apply(new AuditRecord(event, event.eventType().routingKey(environment), producer, offset++));
        return event;
    }

    @Test
    void readsTheReleasesTheLedgerFoldedAsTheyChange() {
        assertThat(view.running(SERVICE)).isEmpty();
        assertThat(view.runningSince(SERVICE)).isEmpty();

        apply(new DeploymentCompleted(release("1.0.0"), "staging", "gitops", "r1", null, false), "staging");
        apply(new SmokeTestPassed(release("1.0.0"), "staging", List.of()), "staging");
        apply(new DeploymentCompleted(release("1.1.0"), "staging", "gitops", "r2", "1.0.0", false), "staging");
        apply(new SmokeTestPassed(release("1.1.0"), "staging", List.of()), "staging");
        CloudEvent<?> rollback = apply(new RollbackCompleted("staging", SERVICE, release("1.1.0"), release("1.0.0"),
                new Trigger(Trigger.Type.ALERT_FIRING, "a1"), "r3"), "staging");

        assertThat(view.running(SERVICE)).contains(release("1.0.0"));
        assertThat(view.runningSince(SERVICE)).contains(rollback.time());
        assertThat(view.isHeld(release("1.1.0"))).isTrue();
        assertThat(view.isVerified(release("1.1.0"))).isTrue();
        assertThat(view.isVerified(release("1.2.0"))).isFalse();
        assertThat(view.lastVerified(SERVICE, release("1.0.0"))).isEmpty();
        assertThat(view.lastVerified(SERVICE, null)).contains(release("1.0.0"));
        assertThat(view.verifiedVersion(SERVICE, "1.1.0")).contains(release("1.1.0"));
        assertThat(view.verifiedVersion(SERVICE, "0.9.0")).isEmpty();
    }

    @Test
    void readsWithdrawalsOfExactlyThatBuild() {
        apply(new ReleaseWithdrawn(release("1.3.0"), "staging", "dev", new Trigger(Trigger.Type.ALERT_FIRING, "a2"),
                "1.3.0 was rolled back in dev"), "staging");

        assertThat(view.withdrawals(release("1.3.0"))).singleElement()
                .extracting(w -> w.withdrawal().withdrawnIn()).isEqualTo("dev");
        assertThat(view.withdrawals(release("1.2.0"))).isEmpty();
    }
}
