package io.stagecoach.local;

import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;

/**
 * One record a credential can put into an audit stream although it is not an event its holder may publish: as
 * {@code principal}'s user of {@code environment}, under {@code routingKey} (which its topic permission admits), a
 * body of type {@code bodyType} addressed to {@code bodyEnvironment}.
 *
 * <p>The body is addressed to the routing key's environment, or, for a hand-off key (one of the next environment,
 * moved there by the shovel), also to the publisher's own environment, whose stream keeps it too.
 */
record ForgedRecordCase(String environment, Principal principal, String routingKey, EventType bodyType,
                        String bodyEnvironment) {

    /** The environment a routing key {@code <subject>.<outcome>.<environment>} is addressed to. */
    static String environmentOf(String routingKey) {
        String[] parts = routingKey.split("\\.", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a routing key <subject>.<outcome>.<environment>: " + routingKey);
        }
        return parts[2];
    }

    String keyEnvironment() {
        return environmentOf(routingKey);
    }

    /** Whether the key is addressed to the next environment, so the shovel carries the record there. */
    boolean handOff() {
        return !keyEnvironment().equals(environment);
    }

    /** The group of cases published by one user: {@code prod-chatops}, the user's name without a vhost prefix. */
    String publisher() {
        return environment + "-" + principal.id();
    }

    /**
     * How a failure names the attack: {@code prod-chatops approval.decided.prod <- approval.granted}, with
     * {@code (for staging)} when the body is addressed elsewhere than the key.
     */
    String name() {
        return publisher() + " " + routingKey + " <- " + bodyType.eventName()
                + (bodyEnvironment.equals(keyEnvironment()) ? "" : " (for " + bodyEnvironment + ")");
    }

    @Override
    public String toString() {
        return name();
    }
}
