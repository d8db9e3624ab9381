package io.stagecoach.platform.topology;

import io.stagecoach.events.EventType;

/** An event type addressed to an environment: {@code <subject>.<outcome>.<environment>}. */
record RoutingKey(EventType type, String environment) {

    @Override
    public String toString() {
        return type.routingKey(environment);
    }
}
