package io.stagecoach.events;

/**
 * A person's request to a chat platform's app, exactly as the platform signed it, carried with a decision so that
 * the approval service can verify who decided instead of trusting the name the publisher asserts.
 *
 * @param scheme    how it is signed: {@value #SLACK_V0} (Slack's request signing: HMAC-SHA256 with the app's
 *                  signing secret of {@code v0:<timestamp>:<body>})
 * @param timestamp the platform's {@code X-Slack-Request-Timestamp}, Unix seconds
 * @param signature the platform's {@code X-Slack-Signature}, {@code v0=} and 64 hex digits
 * @param body      the request's raw body, byte for byte as signed (for Slack interactivity,
 *                  {@code payload=<url-encoded JSON>})
 */
public record SignedRequest(String scheme, String timestamp, String signature, String body) {

    /** Slack's v0 request signature. */
    public static final String SLACK_V0 = "slack-v0";
}
