package io.stagecoach.platform.slack;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slack's request signing, version 0: {@code X-Slack-Signature} is {@code v0=} and the hex HMAC-SHA256, keyed with
 * the app's signing secret, of {@code v0:<X-Slack-Request-Timestamp>:<raw body>}. A request is Slack's when the
 * signature matches (compared in constant time) and its timestamp is within {@link #WINDOW} of when it is judged.
 */
public final class SlackSignature {

    /** How far a request's timestamp may be from the time it is judged by: Slack's own advice, five minutes. */
    public static final Duration WINDOW = Duration.ofMinutes(5);

    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,12}");
    private static final Pattern SIGNATURE = Pattern.compile("v0=[0-9a-f]{64}");

    private SlackSignature() {
    }

    /** The {@code X-Slack-Signature} of {@code body} sent at {@code timestamp}, signed with {@code signingSecret}. */
    public static String sign(String signingSecret, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(("v0:" + timestamp + ":" + body)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("no HmacSHA256 in this JVM", e);
        }
    }

    /**
     * Why the request is not Slack's: empty when {@code signature} is the signature of {@code body} at
     * {@code timestamp} and {@code timestamp} is within {@code window} of {@code judgedAt}; otherwise the reason, in
     * words that name no part of the secret.
     */
    public static Optional<String> problem(String signingSecret, String timestamp, String body, String signature,
            Instant judgedAt, Duration window) {
        if (timestamp == null || !TIMESTAMP.matcher(timestamp).matches()) {
            return Optional.of("no Slack request timestamp (Unix seconds)");
        }
        if (signature == null || !SIGNATURE.matcher(signature).matches()) {
            return Optional.of("no Slack v0 signature (v0= and 64 hex digits)");
        }
        Instant sent = Instant.ofEpochSecond(Long.parseLong(timestamp));
        Duration apart = Duration.between(sent, judgedAt).abs();
        if (apart.compareTo(window) > 0) {
            return Optional.of("signed at " + sent + ", " + apart.toSeconds() + " s from " + judgedAt
                    + ", more than the " + window.toSeconds() + " s a signature holds");
        }
        byte[] expected = sign(signingSecret, timestamp, body).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of("the signature is not the app's signature of this body");
        }
        return Optional.empty();
    }
}
