package io.stagecoach.events;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventIdsTests {

    @Test
    void theSamePartsAlwaysGiveTheSameId() {
        assertThat(EventIds.derive("build.completed", "knative-lambda-builder", "1.4.2"))
                .isEqualTo(EventIds.derive("build.completed", "knative-lambda-builder", "1.4.2"));
    }

    @Test
    void idsAreVersion5UuidsThatUuidgenReproduces() {
        // uuidgen --sha1 --namespace 498db77a-95a3-54b7-ac7a-7c1f1d467bc0 \
        //   --name "$(printf '%s\n%s\n%s' build.completed knative-lambda-builder 1.4.2)"
        String id = EventIds.derive("build.completed", "knative-lambda-builder", "1.4.2");

        assertThat(id).isEqualTo("1177afca-5a5b-5866-8f99-00e8ee8677d3");
        assertThat(UUID.fromString(id).version()).isEqualTo(5);
        assertThat(UUID.fromString(id).variant()).isEqualTo(2);
    }

    @Test
    void theNamespaceIsTheUrlNameOfStagecoachEvents() {
        // uuidgen --sha1 --namespace @url --name https://stagecoach.io/events
        assertThat(EventIds.nameBased(UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
                "https://stagecoach.io/events")).isEqualTo(EventIds.NAMESPACE);
    }

    @Test
    void differentPartsGiveDifferentIds() {
        assertThat(EventIds.derive("a", "b")).isNotEqualTo(EventIds.derive("b", "a"))
                .isNotEqualTo(EventIds.derive("ab"))
                .isNotEqualTo(EventIds.derive("a", "b", ""));
    }

    @Test
    void partsThatCouldBeConfusedAreRefused() {
        assertThatThrownBy(() -> EventIds.derive("a\nb")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("part 0 of an event id holds a line feed");
        assertThatThrownBy(() -> EventIds.derive("a", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("part 1 of an event id is null");
        assertThatThrownBy(EventIds::derive).isInstanceOf(IllegalArgumentException.class);
    }
}
