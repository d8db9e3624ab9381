package io.stagecoach.buildcompleted.webhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The webhook's HMAC key, from {@code stagecoach.webhook.secret} ({@code STAGECOACH_WEBHOOK_SECRET}), else
 * {@code stagecoach.webhook.secret-file}, else {@code $STAGECOACH_SECRETS_DIR/webhook-secret}. Its value never
 * appears in {@link #toString()} or a message.
 */
final class WebhookSecret {

    static final String FILE_NAME = "webhook-secret";

    private final byte[] key;
    private final String origin;

    private WebhookSecret(byte[] key, String origin) {
        this.key = key;
        this.origin = origin;
    }

    static WebhookSecret resolve(WebhookProperties properties, String secretsDir) {
        if (properties.secret() != null && !properties.secret().isEmpty()) {
            return new WebhookSecret(properties.secret().getBytes(StandardCharsets.UTF_8), "stagecoach.webhook.secret");
        }
        Optional<Path> file = Optional.ofNullable(properties.secretFile());
        if (file.isEmpty() && secretsDir != null && !secretsDir.isBlank()) {
            file = Optional.of(Path.of(secretsDir, FILE_NAME)).filter(Files::isRegularFile);
        }
        if (file.isEmpty()) {
            return new WebhookSecret(new byte[0], "none");
        }
        try {
            // a mounted or echoed secret ends in a line break that is not part of the key
            String text = Files.readString(file.get(), StandardCharsets.UTF_8).replaceAll("[\\r\\n]+$", "");
            return new WebhookSecret(text.getBytes(StandardCharsets.UTF_8), file.get().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the webhook secret file " + file.get(), e);
        }
    }

    boolean isConfigured() {
        return key.length > 0;
    }

    byte[] key() {
        return Arrays.copyOf(key, key.length);
    }

    /** Where the key came from (a property or file name), for the start-up log. */
    String origin() {
        return origin;
    }

    @Override
    public String toString() {
        return "WebhookSecret[" + origin + "]";
    }
}
