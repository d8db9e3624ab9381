package io.stagecoach.cli;

import io.stagecoach.events.EventType;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;

import java.util.ArrayList;
import java.util.List;

/**
 * The events a release passes on its way from CI to the first manual gate (or through the last environment when
 * no gate is manual), in order: {@code build.completed}, then per automatic environment {@code promotion.requested},
 * {@code deployment.completed} and {@code smoketest.passed}, then {@code approval.requested} into the gated one.
 */
record BenchPath(List<Step> steps) {

    /** One event of the way: its type and the environment it is about. */
    record Step(EventType type, String environment) {

        String label() {
            return type.eventName() + " (" + environment + ")";
        }
    }

    /** From one step to the next. */
    record Hop(Step from, Step to) {

        String label() {
            return from.label() + " -> " + to.label();
        }
    }

    BenchPath {
        steps = List.copyOf(steps);
    }

    static BenchPath of(Environments environments) {
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(EventType.BUILD_COMPLETED, environments.first().name()));
        for (Environment environment : environments.all()) {
            if (environment.isManual()) {
                steps.add(new Step(EventType.APPROVAL_REQUESTED, environment.name()));
                break;
            }
            steps.add(new Step(EventType.PROMOTION_REQUESTED, environment.name()));
            steps.add(new Step(EventType.DEPLOYMENT_COMPLETED, environment.name()));
            steps.add(new Step(EventType.SMOKETEST_PASSED, environment.name()));
        }
        return new BenchPath(steps);
    }

    List<Hop> hops() {
        List<Hop> hops = new ArrayList<>();
        for (int i = 1; i < steps.size(); i++) {
            hops.add(new Hop(steps.get(i - 1), steps.get(i)));
        }
        return hops;
    }

    Step last() {
        return steps.get(steps.size() - 1);
    }

    /** Where the way ends: {@code the prod gate}, or {@code through prod}. */
    String end() {
        Step last = last();
        return last.type() == EventType.APPROVAL_REQUESTED ? "the " + last.environment() + " gate"
                : "through " + last.environment();
    }
}
