package io.stagecoach.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Records built in Java survive encode and decode unchanged, with and without their optional fields. */
class RoundTripTests {

    private final EventCodec codec = new EventCodec();

    static List<CloudEvent<?>> samples() {
        return SampleEvents.all();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyRecordRoundTripsThroughJson(CloudEvent<?> event) {
        byte[] json = codec.encode(event);

        assertThat(codec.problems(json)).isEmpty();
        assertThat(codec.decode(json)).isEqualTo(event);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void typedDecodingGivesTheRecordOfTheType(CloudEvent<?> event) {
        CloudEvent<? extends EventData> decoded = codec.decode(codec.encode(event), event.data().getClass());

        assertThat(decoded.data()).isEqualTo(event.data());
    }

    @Test
    void absentOptionalFieldsAreLeftOutRatherThanWrittenAsNull() {
        for (CloudEvent<?> event : SampleEvents.minimal()) {
            String json = new String(codec.encode(event));

            assertThat(json).as(event.type()).doesNotContain("null");
        }
        assertThat(new String(codec.encode(SampleEvents.minimal().get(0)))).doesNotContain("causationid");
    }

    @Test
    void everyEventTypeHasAFullAndAMinimalSample() {
        assertThat(SampleEvents.full()).extracting(CloudEvent::eventType).containsExactly(EventType.values());
        assertThat(SampleEvents.minimal()).extracting(CloudEvent::eventType).containsExactly(EventType.values());
    }

    @Test
    void recordsWriteOnlyTheirComponentsNotTheirHelpers() {
        for (CloudEvent<?> event : SampleEvents.full()) {
            JsonNode data = EventCodec.mapper().readTree(codec.encode(event)).get("data");

            assertThat(data.propertyNames()).as(event.type())
                    .doesNotContain("eventType", "subject", "imageReference", "verification")
                    .containsExactlyInAnyOrderElementsOf(components(event.data().getClass()));
        }
    }

    private static List<String> components(Class<?> record) {
        return java.util.Arrays.stream(record.getRecordComponents()).map(c -> c.getName()).toList();
    }
}
