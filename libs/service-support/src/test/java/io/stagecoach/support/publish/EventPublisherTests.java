package io.stagecoach.support.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.support.TestEvents;
import org.junit.jupiter.api.Test;

/** Publishing a decision's events on a redelivery: what the audit stream holds already is not published again. */
class EventPublisherTests {

    private final List<CloudEvent<?>> sent = new ArrayList<>();
    private final Set<String> nacked = new HashSet<>();

    private final EventPublisher publisher = event -> {
        if (nacked.contains(event.id())) {
            throw new PublishFailedException(PublishFailedException.Cause.NACKED, "nacked " + event.id());
        }
        sent.add(event);
    };

    @Test
    void publishesInOrderOnlyTheEventsNotSeenAndReturnsThem() {
        CloudEvent<?> first = TestEvents.deploymentCompleted("dev", "1.0.0");
        CloudEvent<?> seen = TestEvents.deploymentCompleted("dev", "1.1.0");
        CloudEvent<?> last = TestEvents.deploymentCompleted("dev", "1.2.0");

        List<CloudEvent<?>> published = publisher.publishUnseen(List.of(first, seen, last), Set.of(seen.id())::contains);

        assertThat(sent).containsExactly(first, last);
        assertThat(published).containsExactly(first, last);
    }

    @Test
    void handsOverEachEventAsSoonAsItWasPublishedSoAFailureAfterItLeavesItCounted() {
        CloudEvent<?> first = TestEvents.deploymentCompleted("dev", "1.0.0");
        CloudEvent<?> refused = TestEvents.deploymentCompleted("dev", "1.1.0");
        nacked.add(refused.id());
        List<CloudEvent<?>> counted = new ArrayList<>();

        assertThatThrownBy(() -> publisher.publishUnseen(List.of(first, refused), id -> false, counted::add))
                .isInstanceOf(PublishFailedException.class);

        assertThat(counted).containsExactly(first);
    }
}
