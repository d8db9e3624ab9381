package io.stagecoach.events;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTests {

    private final EventCodec codec = new EventCodec();

    @Test
    void encodeRefusesAnEventThatBreaksItsSchemaNamingTheField() {
        Release bad = new Release("knative-lambda-builder", "1.4.2", "ghcr.io/acme/knative-lambda-builder",
                "sha256:nothex", "a".repeat(40), "jane");
        CloudEvent<BuildCompleted> event = CloudEvent.of(new BuildCompleted(bad), "/ci", "dev",
                SampleEvents.RUN, null, EventIds.derive("bad"));

        assertThatThrownBy(() -> codec.encode(event))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.problems())
                        .containsExactly("data.release.digest: does not match pattern ^sha256:[0-9a-f]{64}$"
                                + " (was 'sha256:nothex')"));
    }

    @Test
    void encodeRefusesAnEventWithoutItsEnvironment() {
        CloudEvent<BuildCompleted> event = CloudEvent.of(new BuildCompleted(SampleEvents.RELEASE), "/ci", null,
                SampleEvents.RUN, null, EventIds.derive("no-env"));

        assertThatThrownBy(() -> codec.encode(event))
                .isInstanceOfSatisfying(InvalidEventException.class,
                        e -> assertThat(e.problems()).containsExactly("environment: required but missing"));
    }

    @Test
    void encodeRefusesATypeThatIsNotTheDataType() {
        CloudEvent<BuildCompleted> build = CloudEvent.of(new BuildCompleted(SampleEvents.RELEASE), "/ci", "dev",
                SampleEvents.RUN, null, EventIds.derive("mismatch"));
        CloudEvent<BuildCompleted> mislabelled = new CloudEvent<>(build.specversion(), build.id(), build.source(),
                EventType.DEPLOYMENT_COMPLETED.type(), build.subject(), build.time(), build.environment(),
                build.correlationid(), build.causationid(), build.data());

        assertThatThrownBy(() -> codec.encode(mislabelled))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("type: 'io.stagecoach.deployment.completed.v1' does not match the data, a BuildCompleted"
                        + " (io.stagecoach.build.completed.v1)");
    }

    @Test
    void encodeWritesStructuredModeCloudEventsInEnvelopeOrder() {
        JsonNode json = EventCodec.mapper().readTree(codec.encode(SampleEvents.full().get(1)));

        assertThat(json.propertyNames()).containsExactly("specversion", "id", "source", "type", "subject", "time",
                "datacontenttype", "environment", "correlationid", "causationid", "data");
        assertThat(json.get("datacontenttype").asString()).isEqualTo("application/json");
        assertThat(json.get("time").asString()).isEqualTo("2026-11-26T09:00:00.250Z");
    }

    @Test
    void decodeWithTheExpectedRecordTypeRefusesAnotherType() {
        byte[] build = ExampleEventsTests.example(EventType.BUILD_COMPLETED);

        assertThat(codec.decode(build, BuildCompleted.class).data().release().version()).isEqualTo("1.4.2");
        assertThatThrownBy(() -> codec.decode(build, SmokeTestPassed.class))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("type: 'io.stagecoach.build.completed.v1' is not the expected io.stagecoach.smoketest.passed.v1");
    }

    @Test
    void timesWithAnOffsetAreReadAsTheSameInstant() {
        String json = new String(ExampleEventsTests.example(EventType.APPROVAL_REQUESTED), StandardCharsets.UTF_8)
                .replace("\"time\": \"2026-11-26T09:21:41.030Z\"", "\"time\": \"2026-11-26T10:21:41.030+01:00\"")
                .replace("\"requestedAt\": \"2026-11-26T09:21:41.030Z\"",
                        "\"requestedAt\": \"2026-11-26T10:21:41.030+01:00\"");

        CloudEvent<ApprovalRequested> event = codec.decode(json.getBytes(StandardCharsets.UTF_8),
                ApprovalRequested.class);

        assertThat(event.time()).isEqualTo(Instant.parse("2026-11-26T09:21:41.030Z"));
        assertThat(event.data().requestedAt()).isEqualTo(Instant.parse("2026-11-26T09:21:41.030Z"));
    }

    @Test
    void aLeapSecondIsRefusedAsAProblemNotAnError() {
        String json = new String(ExampleEventsTests.example(EventType.BUILD_COMPLETED), StandardCharsets.UTF_8)
                .replace("\"time\": \"2026-11-26T09:00:00Z\"", "\"time\": \"2016-12-31T23:59:60Z\"");

        assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("time: '2016-12-31T23:59:60Z'");
    }

    @Test
    void codecsShareOneLoadOfTheSchemas() {
        assertThat(EventSchemas.get()).isSameAs(EventSchemas.get());
    }

    @Test
    void aProducerAndAConsumerAgreeOnEveryEventOfARun() {
        EventCodec producer = new EventCodec();
        EventCodec consumer = new EventCodec();
        CloudEvent<BuildCompleted> build = CloudEvent.of(new BuildCompleted(SampleEvents.RELEASE),
                "https://ci.example.com/acme", "dev", EventIds.derive("run-1"), null, EventIds.derive("run-1"));
        CloudEvent<PromotionRequested> promotion = CloudEvent.causedBy(build,
                PromotionRequested.build(build.data().release(), "dev"), "/stagecoach/dev/build-completed", "dev");

        List<CloudEvent<?>> received = List.of(consumer.decode(producer.encode(build)),
                consumer.decode(producer.encode(promotion)));

        assertThat(received).containsExactly(build, promotion);
        assertThat(received.get(1).causationid()).isEqualTo(build.id());
        assertThat(received.get(1).correlationid()).isEqualTo(build.correlationid());
    }
}
