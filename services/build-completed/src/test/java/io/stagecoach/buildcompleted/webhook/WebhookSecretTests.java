package io.stagecoach.buildcompleted.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookSecretTests {

    @TempDir
    Path secrets;

    @Test
    void takesThePropertyFirst() throws Exception {
        Files.writeString(secrets.resolve("webhook-secret"), "from-file");

        WebhookSecret secret = WebhookSecret.resolve(properties("from-variable", null), secrets.toString());

        assertThat(new String(secret.key(), StandardCharsets.UTF_8)).isEqualTo("from-variable");
    }

    @Test
    void readsTheSecretsDirectoryWithoutTheTrailingLineBreak() throws Exception {
        Files.writeString(secrets.resolve("webhook-secret"), "It's a Secret to Everybody\n");

        WebhookSecret secret = WebhookSecret.resolve(properties(null, null), secrets.toString());

        assertThat(secret.isConfigured()).isTrue();
        assertThat(new String(secret.key(), StandardCharsets.UTF_8)).isEqualTo("It's a Secret to Everybody");
    }

    @Test
    void readsAnExplicitFile() throws Exception {
        Path file = secrets.resolve("hmac-secret");
        Files.writeString(file, "mounted\r\n");

        WebhookSecret secret = WebhookSecret.resolve(properties(null, file), null);

        assertThat(new String(secret.key(), StandardCharsets.UTF_8)).isEqualTo("mounted");
    }

    @Test
    void isUnconfiguredWithNothingSet() {
        assertThat(WebhookSecret.resolve(properties(null, null), secrets.toString()).isConfigured())
                .isFalse();
        assertThat(WebhookSecret.resolve(properties("", null), null).isConfigured()).isFalse();
    }

    @Test
    void neverShowsTheSecret() {
        WebhookProperties properties = properties("hunter2", null);

        assertThat(properties.toString()).doesNotContain("hunter2");
        assertThat(WebhookSecret.resolve(properties, null).toString()).doesNotContain("hunter2");
    }

    private static WebhookProperties properties(String secret, Path secretFile) {
        return new WebhookProperties(secret, secretFile, 10, Duration.ofMinutes(5));
    }
}
