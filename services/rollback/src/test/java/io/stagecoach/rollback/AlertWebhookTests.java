package io.stagecoach.rollback;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.support.publish.EventPublisher;
import io.stagecoach.support.publish.PublishFailedException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AlertWebhookTests {

    private static final byte[] FIRING = AlertmanagerPayloads.payload(AlertmanagerPayloads.alert("firing", "dev",
            "0123456789abcdef", "2026-11-26T10:00:00Z")).getBytes(StandardCharsets.UTF_8);

    private final EnvironmentLedger ledger = new EnvironmentLedger("dev",
            io.stagecoach.platform.topology.Provenance.of(Environments.loadDefault()));
    private final List<CloudEvent<?>> published = new ArrayList<>();

    private AlertWebhook webhook(EventPublisher publisher) {
        return new AlertWebhook(Environments.loadDefault().get("dev"), new EventCodec(), publisher, ledger,
                new RollbackMetrics(new SimpleMeterRegistry()));
    }

    @Test
    void answersA5xxWhenTheBrokerDoesNotTakeTheAlertSoAlertmanagerSendsItAgain() {
        var answer = webhook(event -> {
            throw new PublishFailedException(PublishFailedException.Cause.NACKED, "nacked");
        }).receive(FIRING);

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
    }

    @Test
    void publishesAnAlertOnceTheLedgerHasNotSeenIt() {
        var first = webhook(published::add).receive(FIRING);
        ledger.apply(new io.stagecoach.ledger.AuditRecord(published.get(0), "alert.firing.dev", "dev-rollback", 0));
        var repeat = webhook(published::add).receive(FIRING);

        assertThat(first.getStatusCode().value()).isEqualTo(200);
        assertThat(repeat.getStatusCode().value()).isEqualTo(200);
        assertThat(published).hasSize(1);
        assertThat(repeat.getBody()).containsEntry("duplicates", List.of(published.get(0).id()));
    }

    @Test
    void answersA4xxForABodyThatIsNotAnAlertmanagerPayload() {
        var answer = webhook(published::add).receive("{\"alerts\": 1}".getBytes(StandardCharsets.UTF_8));

        assertThat(answer.getStatusCode().value()).isEqualTo(400);
        assertThat(published).isEmpty();
    }
}
