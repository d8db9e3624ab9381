package io.stagecoach.buildcompleted.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookSecretTests {

    @TempDir
    Path secrets;

    @Test
    void takesThePropertyFirst() throws Exception {
        Files.writeString(secrets.resolve("webhook-secret"), "from-file");

        WebhookSecret secret = WebhookSecret.resolve(new WebhookProperties("from-variable", null, 10), secrets.toString());

        assertThat(new String(secret.key(), StandardCharsets.UTF_8)).isEqualTo("from-variable");
    }

    @Test
    void readsTheSecretsDirectoryWithoutTheTrailingLineBreak() throws Exception {
        Files.writeString(secrets.resolve("webhook-secret"), "It's a Secret to Everybody\n");

        WebhookSecret secret = WebhookSecret.resolve(new WebhookProperties(null, null, 10), secrets.toString());

        assertThat(secret.isConfigured()).isTrue();
        assertThat(new String(secret.key(), StandardCharsets.UTF_8)).isEqualTo("It's a Secret to Everybody");
    }

    @Test
    void readsAnExplicitFile() throws Exception {
        Path file = secrets.resolve("hmac-secret");
        Files.writeString(file, "mounted\r\n");

        WebhookSecret secret = WebhookSecret.resolve(new WebhookProperties(null, file, 10), null);

        assertThat(new String(secret.key(), StandardCharsets.UTF_8)).isEqualTo("mounted");
    }

    @Test
    void isUnconfiguredWithNothingSet() {
        assertThat(WebhookSecret.resolve(new WebhookProperties(null, null, 10), secrets.toString()).isConfigured())
                .isFalse();
        assertThat(WebhookSecret.resolve(new WebhookProperties("", null, 10), null).isConfigured()).isFalse();
    }

    @Test
    void neverShowsTheSecret() {
        WebhookProperties properties = new WebhookProperties("hunter2", null, 10);

        assertThat(properties.toString()).doesNotContain("hunter2");
        assertThat(WebhookSecret.resolve(properties, null).toString()).doesNotContain("hunter2");
    }
}
