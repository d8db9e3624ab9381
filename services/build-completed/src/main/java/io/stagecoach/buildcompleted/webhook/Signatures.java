package io.stagecoach.buildcompleted.webhook;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * GitHub-style webhook signatures: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>}.
 */
public final class Signatures {

    public static final String HEADER = "X-Hub-Signature-256";

    static final String PREFIX = "sha256=";

    private static final String ALGORITHM = "HmacSHA256";
    private static final Pattern WELL_FORMED = Pattern.compile("sha256=[0-9a-fA-F]{64}");

    /** Whether a request may be trusted. */
    public enum Verdict {
        VALID,
        /** No signature header at all. */
        MISSING,
        /** A header that is not {@code sha256=} and 64 hex digits. */
        MALFORMED,
        /** A well-formed signature of some other body or secret. */
        MISMATCH
    }

    private Signatures() {
    }

    /** The header value for {@code body} signed with {@code secret}. */
    public static String sign(byte[] secret, byte[] body) {
        return PREFIX + HexFormat.of().formatHex(hmac(secret, body));
    }

    /** Checks {@code header} against the body's HMAC, in constant time. */
    public static Verdict verify(byte[] secret, byte[] body, String header) {
        if (header == null || header.isBlank()) {
            return Verdict.MISSING;
        }
        String value = header.trim();
        if (!WELL_FORMED.matcher(value).matches()) {
            return Verdict.MALFORMED;
        }
        byte[] given = HexFormat.of().parseHex(value.substring(PREFIX.length()));
        return MessageDigest.isEqual(hmac(secret, body), given) ? Verdict.VALID : Verdict.MISMATCH;
    }

    private static byte[] hmac(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every Java platform has " + ALGORITHM, e);
        }
    }
}
