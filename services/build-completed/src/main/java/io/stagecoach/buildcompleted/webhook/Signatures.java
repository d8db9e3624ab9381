package io.stagecoach.buildcompleted.webhook;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signatures: {@code X-Stagecoach-Signature: v1=<hex HMAC-SHA256>} of the string
 * {@code v1 LF <timestamp> LF <delivery id> LF <raw body>}, where the timestamp is the sender's clock in Unix seconds
 * ({@code X-Stagecoach-Timestamp}) and the delivery id is {@code X-Stagecoach-Delivery}. Neither the timestamp (digits)
 * nor the delivery id may hold a line feed, so the signed string has one reading: a signature is valid for one body,
 * one delivery and one moment only.
 */
public final class Signatures {

    public static final String HEADER = "X-Stagecoach-Signature";
    public static final String TIMESTAMP_HEADER = "X-Stagecoach-Timestamp";

    /** The body-only signature of earlier versions: it covers neither delivery nor time, so it is refused. */
    public static final String BODY_ONLY_HEADER = "X-Hub-Signature-256";

    static final String VERSION = "v1";
    static final String PREFIX = VERSION + "=";

    private static final String ALGORITHM = "HmacSHA256";
    private static final Pattern WELL_FORMED = Pattern.compile("v1=[0-9a-fA-F]{64}");
    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,12}");

    /** Whether a request may be trusted. */
    public enum Verdict {
        VALID,
        /** No signature header at all. */
        MISSING,
        /** A header that is not {@code v1=} and 64 hex digits. */
        MALFORMED,
        /** A well-formed signature of some other body, delivery, timestamp or secret. */
        MISMATCH
    }

    private Signatures() {
    }

    /** Whether {@code value} is a timestamp as signed: Unix seconds, digits only. */
    static boolean isTimestamp(String value) {
        return value != null && TIMESTAMP.matcher(value).matches();
    }

    /** The exact bytes signed: {@code v1 LF <timestamp> LF <delivery id> LF <body>}. */
    static byte[] signedBytes(String timestamp, String deliveryId, byte[] body) {
        if (!isTimestamp(timestamp) || deliveryId.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a timestamp is digits, a delivery id holds no line feed");
        }
        ByteArrayOutputStream signed = new ByteArrayOutputStream(body.length + 64);
        signed.writeBytes((VERSION + "\n" + timestamp + "\n" + deliveryId + "\n").getBytes(StandardCharsets.UTF_8));
        signed.writeBytes(body);
        return signed.toByteArray();
    }

    /** The header value for {@code body} of delivery {@code deliveryId} sent at {@code timestamp}. */
    public static String sign(byte[] secret, String timestamp, String deliveryId, byte[] body) {
        return PREFIX + HexFormat.of().formatHex(hmac(secret, signedBytes(timestamp, deliveryId, body)));
    }

    /** Checks {@code header} against the HMAC of timestamp, delivery id and body, in constant time. */
    public static Verdict verify(byte[] secret, String timestamp, String deliveryId, byte[] body, String header) {
        if (header == null || header.isBlank()) {
            return Verdict.MISSING;
        }
        String value = header.trim();
        if (!WELL_FORMED.matcher(value).matches()) {
            return Verdict.MALFORMED;
        }
        byte[] given = HexFormat.of().parseHex(value.substring(PREFIX.length()));
        return MessageDigest.isEqual(hmac(secret, signedBytes(timestamp, deliveryId, body)), given) ? Verdict.VALID
                : Verdict.MISMATCH;
    }

    /** The plain HMAC-SHA256 of {@code message}, as {@code openssl dgst -sha256 -hmac} prints it. */
    static String hmacHex(byte[] secret, byte[] message) {
        return HexFormat.of().formatHex(hmac(secret, message));
    }

    private static byte[] hmac(byte[] secret, byte[] message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every Java platform has " + ALGORITHM, e);
        }
    }
}
