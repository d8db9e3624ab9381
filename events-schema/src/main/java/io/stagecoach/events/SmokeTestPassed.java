package io.stagecoach.events;

import java.util.List;

/**
 * Every smoke check passed: the release is verified in this environment.
 *
 * @param release     the release that was checked
 * @param environment the environment it was checked in
 * @param checks      the checks that ran, all {@code PASSED}
 */
public record SmokeTestPassed(Release release, String environment, List<SmokeCheck> checks) implements EventData {

    public SmokeTestPassed {
        checks = List.copyOf(checks);
    }

    /** The verification this event stands for, to carry into the next environment. */
    public Verification verification(String eventId) {
        return new Verification(environment, eventId);
    }

    @Override
    public EventType eventType() {
        return EventType.SMOKETEST_PASSED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
