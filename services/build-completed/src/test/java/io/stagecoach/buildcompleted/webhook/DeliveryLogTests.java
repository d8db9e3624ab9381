package io.stagecoach.buildcompleted.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeliveryLogTests {

    @Test
    void refusesADeliveryAcceptedBeforeOrInFlight() {
        DeliveryLog log = new DeliveryLog(10);

        assertThat(log.begin("a")).isTrue();
        assertThat(log.begin("a")).as("in flight").isFalse();
        log.accepted("a");
        assertThat(log.begin("a")).as("accepted").isFalse();
    }

    @Test
    void letsAnAbandonedDeliveryBeTriedAgain() {
        DeliveryLog log = new DeliveryLog(10);

        log.begin("a");
        log.abandoned("a");

        assertThat(log.begin("a")).isTrue();
    }

    @Test
    void forgetsTheOldestBeyondItsCapacity() {
        DeliveryLog log = new DeliveryLog(2);
        for (String id : new String[] {"a", "b", "c"}) {
            log.begin(id);
            log.accepted(id);
        }

        assertThat(log.begin("a")).isTrue();
        assertThat(log.begin("c")).isFalse();
    }
}
