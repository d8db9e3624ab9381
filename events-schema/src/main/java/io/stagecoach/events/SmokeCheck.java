package io.stagecoach.events;

/**
 * One smoke check against a freshly deployed release.
 *
 * @param name           the check's name, e.g. {@code health}
 * @param url            the URL that was called
 * @param expectedStatus the HTTP status the check expects
 * @param actualStatus   the HTTP status received, or null when no response came
 * @param result         what the check found
 * @param detail         a short human-readable explanation (may be empty)
 * @param durationMs     how long the check took, in milliseconds
 */
public record SmokeCheck(String name, String url, int expectedStatus, Integer actualStatus, Result result,
                         String detail, long durationMs) {

    public enum Result {
        /** The release answered as expected. */
        PASSED,
        /** The release answered, wrongly: a business result. */
        FAILED,
        /** The check could not run (timeout, DNS, connection refused): a technical status. */
        ERROR
    }
}
