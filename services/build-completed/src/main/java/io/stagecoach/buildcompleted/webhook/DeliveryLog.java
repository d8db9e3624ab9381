package io.stagecoach.buildcompleted.webhook;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Delivery ids this process accepted lately (bounded, oldest forgotten first) and those in flight. Only a fast
 * path: the audit stream, where each delivery's derived event id lands, is what refuses a replay after a restart.
 */
final class DeliveryLog {

    private final int capacity;
    private final Set<String> inFlight = new HashSet<>();
    private final Map<String, Boolean> accepted;

    DeliveryLog(int capacity) {
        this.capacity = Math.max(1, capacity);
        this.accepted = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > DeliveryLog.this.capacity;
            }
        };
    }

    /** Claims a delivery; false when it was accepted before or is being handled right now. */
    synchronized boolean begin(String deliveryId) {
        if (accepted.containsKey(deliveryId) || inFlight.contains(deliveryId)) {
            return false;
        }
        inFlight.add(deliveryId);
        return true;
    }

    /** The delivery was published: a later one with this id is a replay. */
    synchronized void accepted(String deliveryId) {
        inFlight.remove(deliveryId);
        accepted.put(deliveryId, Boolean.TRUE);
    }

    /** The delivery was not published (refused, or the broker failed): the sender may try it again. */
    synchronized void abandoned(String deliveryId) {
        inFlight.remove(deliveryId);
    }
}
