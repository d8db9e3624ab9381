package io.stagecoach.support;

import java.util.List;

import io.stagecoach.events.CloudEvent;

/**
 * What a service's policy made of one event, as a value: every service has the same shape, a listener that checks
 * and hands over, a handler that reads state and does the side effect, and a pure policy that returns a sealed
 * decision extending this. The decision knows the events it announces, in the order they are published; a decision
 * that still waits for a side effect (a deployment, a smoke test) names its events once the outcome is known.
 */
public interface Decision {

    /** The events to publish for this decision, in order; empty when nothing is announced. */
    List<CloudEvent<?>> events();
}
