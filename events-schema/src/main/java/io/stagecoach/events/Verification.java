package io.stagecoach.events;

/**
 * Where a release was verified: the environment whose smoke tests it passed and the
 * {@code smoketest.passed} event that says so. The next environment trusts only this.
 *
 * @param environment the environment that verified the release
 * @param eventId     the id of the {@code smoketest.passed} event
 */
public record Verification(String environment, String eventId) {
}
