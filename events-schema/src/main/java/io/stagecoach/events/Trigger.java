package io.stagecoach.events;

/**
 * What made the rollback service act.
 *
 * @param type    the kind of event
 * @param eventId the id of that event
 */
public record Trigger(Type type, String eventId) {

    public enum Type {
        SMOKETEST_FAILED(EventType.SMOKETEST_FAILED),
        DEPLOYMENT_FAILED(EventType.DEPLOYMENT_FAILED),
        ALERT_FIRING(EventType.ALERT_FIRING),
        ROLLBACK_REQUESTED(EventType.ROLLBACK_REQUESTED);

        private final EventType eventType;

        Type(EventType eventType) {
            this.eventType = eventType;
        }

        public EventType eventType() {
            return eventType;
        }

        /** The trigger type of an event type, if the rollback service reacts to it. */
        public static java.util.Optional<Type> of(EventType eventType) {
            return java.util.Arrays.stream(values()).filter(t -> t.eventType == eventType).findFirst();
        }
    }

    /** The trigger an event makes. */
    public static Trigger of(CloudEvent<?> event) {
        EventType eventType = event.data().eventType();
        Type type = Type.of(eventType).orElseThrow(
                () -> new IllegalArgumentException(eventType.eventName() + " does not trigger a rollback"));
        return new Trigger(type, event.id());
    }
}
