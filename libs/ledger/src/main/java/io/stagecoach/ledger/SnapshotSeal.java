package io.stagecoach.ledger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * The key a service seals its ledger snapshot with (HMAC-SHA256): a snapshot it reads back must carry a seal made
 * with this key, or it is not the service's own and the stream is replayed instead (ADR 19). Whoever can write the
 * snapshot's file but does not hold the key cannot make the service believe anything: not a release that runs, not
 * an approval granted.
 *
 * <p>The key is derived from a secret the service alone holds (its broker password, or a key of its own) and from
 * whose snapshot it is ({@code vhost} and {@code user}), so a snapshot sealed for one service, environment or user is
 * refused by every other, even where two of them were given the same secret.
 */
public final class SnapshotSeal {

    private static final String ALGORITHM = "HmacSHA256";
    /** Length of a seal in bytes. */
    public static final int LENGTH = 32;

    private final SecretKeySpec key;
    private final String holder;

    private SnapshotSeal(byte[] key, String holder) {
        this.key = new SecretKeySpec(key, ALGORITHM);
        this.holder = holder;
    }

    /**
     * The seal of {@code user}'s snapshots on {@code vhost}, derived from {@code secret} (its broker password, or a
     * key of its own).
     *
     * @throws IllegalArgumentException when the secret is empty: a key anyone can derive would seal nothing
     */
    public static SnapshotSeal derive(String secret, String vhost, String user) {
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(user, "user");
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("no secret to seal the ledger snapshot of " + user + " on " + vhost
                    + " with: set its broker password or stagecoach.ledger.snapshot-key");
        }
        byte[] derived = mac(secret.getBytes(StandardCharsets.UTF_8),
                ("stagecoach ledger snapshot\0" + vhost + "\0" + user).getBytes(StandardCharsets.UTF_8));
        return new SnapshotSeal(derived, user + " on " + vhost);
    }

    /** A key of its own, never written anywhere: for snapshots that live no longer than the process. */
    public static SnapshotSeal random(String holder) {
        byte[] key = new byte[LENGTH];
        new SecureRandom().nextBytes(key);
        return new SnapshotSeal(key, holder);
    }

    /** The seal of {@code content}. */
    byte[] seal(byte[] content) {
        return mac(key.getEncoded(), content);
    }

    /** Whether {@code seal} is this key's seal of {@code content} (compared in constant time). */
    boolean opens(byte[] content, byte[] seal) {
        return MessageDigest.isEqual(seal(content), seal);
    }

    private static byte[] mac(byte[] key, byte[] content) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has " + ALGORITHM, e);
        }
    }

    /** Whose seal it is; never the key. */
    @Override
    public String toString() {
        return "the snapshot seal of " + holder;
    }
}
