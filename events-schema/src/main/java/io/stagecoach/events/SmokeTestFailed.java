package io.stagecoach.events;

import java.util.List;

/**
 * The smoke tests did not pass. {@code status} keeps a failed result apart from a test that could not run.
 *
 * @param release     the release that was checked
 * @param environment the environment it was checked in
 * @param status      {@code FAILED}: at least one check failed; {@code ERROR}: the checks could not run
 * @param checks      the checks that ran (may be empty when they could not run at all)
 * @param summary     a one-line account for people
 */
public record SmokeTestFailed(Release release, String environment, Status status, List<SmokeCheck> checks,
                              String summary) implements EventData {

    public enum Status {
        /** The release answered wrongly: a business result. */
        FAILED,
        /** The smoke tests could not run: a technical error. */
        ERROR
    }

    public SmokeTestFailed {
        checks = List.copyOf(checks);
    }

    @Override
    public EventType eventType() {
        return EventType.SMOKETEST_FAILED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
