package io.stagecoach.platform.credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Checks a password against the hash RabbitMQ keeps of it, without logging in: {@code password_hash} is
 * base64(salt ++ H(salt ++ password)) with a 4-byte salt, H named by {@code hashing_algorithm}. Lets provisioning
 * say "the configured password is not the broker's" without ever changing it.
 */
public final class PasswordHashes {

    private static final int SALT_BYTES = 4;

    private PasswordHashes() {
    }

    /**
     * Whether {@code password} is the one hashed in {@code passwordHash}; empty when that cannot be told (no hash, or
     * an algorithm other than RabbitMQ's SHA-256, SHA-512 and MD5).
     */
    public static Optional<Boolean> matches(String passwordHash, String hashingAlgorithm, String password) {
        if (passwordHash == null || passwordHash.isEmpty()) {
            return Optional.empty();
        }
        String digest = switch (hashingAlgorithm == null ? "" : hashingAlgorithm) {
            case "rabbit_password_hashing_sha256", "" -> "SHA-256";
            case "rabbit_password_hashing_sha512" -> "SHA-512";
            case "rabbit_password_hashing_md5" -> "MD5";
            default -> null;
        };
        if (digest == null) {
            return Optional.empty();
        }
        byte[] stored;
        try {
            stored = Base64.getDecoder().decode(passwordHash);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (stored.length <= SALT_BYTES) {
            return Optional.empty();
        }
        byte[] salt = Arrays.copyOfRange(stored, 0, SALT_BYTES);
        return Optional.of(MessageDigest.isEqual(stored, hash(digest, salt, password)));
    }

    /** The {@code password_hash} RabbitMQ would keep for {@code password} with {@code salt} (SHA-256). */
    static String sha256(byte[] salt, String password) {
        return Base64.getEncoder().encodeToString(hash("SHA-256", salt, password));
    }

    private static byte[] hash(String digest, byte[] salt, String password) {
        try {
            MessageDigest md = MessageDigest.getInstance(digest);
            md.update(salt);
            md.update(password.getBytes(StandardCharsets.UTF_8));
            byte[] hash = md.digest();
            byte[] salted = Arrays.copyOf(salt, salt.length + hash.length);
            System.arraycopy(hash, 0, salted, salt.length, hash.length);
            return salted;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(digest + " is missing from this JVM", e);
        }
    }
}
