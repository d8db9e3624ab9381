package io.stagecoach.rollback;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.stagecoach.events.EventCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.stagecoach.rollback.AlertmanagerPayloads.alert;
import static io.stagecoach.rollback.AlertmanagerPayloads.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlertBatchTests {

    private static final String SOURCE = "/stagecoach/dev/rollback";

    @Test
    void turnsTheFiringAlertsOfThisEnvironmentIntoEventsAndIgnoresTheRest() {
        String body = payload(alert("firing", "dev", "0123456789abcdef", "2026-11-26T10:00:00.123+01:00"),
                alert("resolved", "dev", "1123456789abcdef", "2026-11-26T09:00:00Z"),
                alert("firing", "prod", "2123456789abcdef", "2026-11-26T09:00:00Z"));

        AlertBatch batch = AlertBatch.read(body.getBytes(StandardCharsets.UTF_8), "dev", SOURCE);

        assertThat(batch.ignored()).isEqualTo(2);
        assertThat(batch.firing()).singleElement().satisfies(event -> {
            assertThat(event.routingKey()).isEqualTo("alert.firing.dev");
            assertThat(event.data().service()).isEqualTo("knative-lambda-builder");
            assertThat(event.data().alertname()).isEqualTo("HighErrorRate");
            assertThat(event.data().severity()).isEqualTo("critical");
            assertThat(event.data().summary()).isEqualTo("5xx above 5% for 5 minutes");
            assertThat(event.data().startsAt()).isEqualTo(Instant.parse("2026-11-26T09:00:00.123Z"));
            assertThat(event.causationid()).isEqualTo(event.id());
            assertThat(new EventCodec().encode(event)).isNotEmpty();
        });
    }

    @Test
    void givesARepeatedAlertTheSameIdAndANewFiringANewOne() {
        byte[] first = payload(alert("firing", "dev", "0123456789abcdef", "2026-11-26T10:00:00Z"))
                .getBytes(StandardCharsets.UTF_8);
        byte[] repeat = payload(alert("firing", "dev", "0123456789abcdef", "2026-11-26T11:00:00+01:00"))
                .getBytes(StandardCharsets.UTF_8);
        byte[] later = payload(alert("firing", "dev", "0123456789abcdef", "2026-11-26T12:00:00Z"))
                .getBytes(StandardCharsets.UTF_8);

        String id = AlertBatch.read(first, "dev", SOURCE).firing().get(0).id();

        assertThat(AlertBatch.read(repeat, "dev", SOURCE).firing().get(0).id()).isEqualTo(id);
        assertThat(AlertBatch.read(later, "dev", SOURCE).firing().get(0).id()).isNotEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not json",
            "[]",
            "{\"status\": \"firing\"}",
            "{\"alerts\": {}}",
            "{\"alerts\": [42]}",
            "{\"alerts\": [{\"labels\": {}}]}",
    })
    void refusesWhatIsNotAnAlertmanagerPayload(String body) {
        assertThatThrownBy(() -> AlertBatch.read(body.getBytes(StandardCharsets.UTF_8), "dev", SOURCE))
                .isInstanceOf(AlertBatch.MalformedAlertsException.class);
    }

    @Test
    void refusesAFiringAlertOfThisEnvironmentItCannotActOnNamingEveryProblem() {
        String body = payload(alert("firing", "dev", "XYZ", "yesterday")
                .replace("\"service\": \"knative-lambda-builder\",", ""));

        assertThatThrownBy(() -> AlertBatch.read(body.getBytes(StandardCharsets.UTF_8), "dev", SOURCE))
                .isInstanceOfSatisfying(AlertBatch.MalformedAlertsException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("alerts[0].labels.service"))
                        .anySatisfy(p -> assertThat(p).startsWith("alerts[0].fingerprint"))
                        .anySatisfy(p -> assertThat(p).startsWith("alerts[0].startsAt")));
    }
}
