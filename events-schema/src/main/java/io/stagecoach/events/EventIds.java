package io.stagecoach.events;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Deterministic event ids: the same parts always give the same id, so a retried publish is a duplicate
 * the consumer skips. The id is a name-based UUID (RFC 9562 version 5, SHA-1) in the {@link #NAMESPACE}
 * over the parts joined with a line feed, so a shell script can compute the same id:
 * {@code uuidgen --sha1 --namespace 498db77a-95a3-54b7-ac7a-7c1f1d467bc0 --name "$(printf '%s\n%s' a b)"}.
 */
public final class EventIds {

    /** {@code uuidgen --sha1 --namespace @url --name https://stagecoach.io/events} */
    public static final UUID NAMESPACE = UUID.fromString("498db77a-95a3-54b7-ac7a-7c1f1d467bc0");

    private static final char SEPARATOR = '\n';

    private EventIds() {
    }

    /**
     * The id named by {@code parts}, e.g. {@code derive(causeId, type, environment)}.
     *
     * @throws IllegalArgumentException if there are no parts, or a part is null or holds a line feed
     *                                  (which would make two different part lists give the same id)
     */
    public static String derive(String... parts) {
        if (parts == null || parts.length == 0) {
            throw new IllegalArgumentException("an event id needs at least one part");
        }
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part == null) {
                throw new IllegalArgumentException("part " + i + " of an event id is null");
            }
            if (part.indexOf(SEPARATOR) >= 0) {
                throw new IllegalArgumentException("part " + i + " of an event id holds a line feed");
            }
            if (i > 0) {
                name.append(SEPARATOR);
            }
            name.append(part);
        }
        return nameBased(NAMESPACE, name.toString()).toString();
    }

    static UUID nameBased(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
        sha1.update(ByteBuffer.allocate(16)
                .putLong(namespace.getMostSignificantBits())
                .putLong(namespace.getLeastSignificantBits())
                .array());
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bytes.getLong(), bytes.getLong());
    }
}
