package io.stagecoach.events;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The examples shipped in the jar are what producers copy: each must be a valid event of its type. */
class ExampleEventsTests {

    private final EventCodec codec = new EventCodec();

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyShippedExampleValidates(EventType type) {
        assertThat(codec.problems(example(type))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyShippedExampleDecodesToTheRecordOfItsType(EventType type) {
        CloudEvent<?> event = codec.decode(example(type));

        assertThat(event.data()).isInstanceOf(type.dataType());
        assertThat(event.eventType()).isEqualTo(type);
        assertThat(event.subject()).isEqualTo(type.eventName().startsWith("line.") ? event.environment()
                : "knative-lambda-builder");
        assertThat(event.specversion()).isEqualTo("1.0");
        assertThat(event.causationid() != null || type == EventType.BUILD_COMPLETED).isTrue();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void reEncodingAnExampleGivesTheSameJson(EventType type) {
        byte[] example = example(type);

        byte[] encoded = codec.encode(codec.decode(example));

        assertThat(tree(encoded)).isEqualTo(tree(example));
    }

    static byte[] example(EventType type) {
        try (InputStream in = ExampleEventsTests.class.getResourceAsStream(type.exampleResource())) {
            assertThat(in).as("example of %s", type).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode tree(byte[] json) {
        return EventCodec.mapper().readTree(json);
    }
}
