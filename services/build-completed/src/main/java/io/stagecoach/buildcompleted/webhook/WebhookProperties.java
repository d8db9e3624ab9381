package io.stagecoach.buildcompleted.webhook;

import java.nio.file.Path;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The CI webhook {@code POST /builds}.
 *
 * @param secret               the HMAC key CI signs with; usually the environment variable
 *                             {@code STAGECOACH_WEBHOOK_SECRET}. Never logged.
 * @param secretFile           a file holding the key, when {@code secret} is not set; default
 *                             {@code $STAGECOACH_SECRETS_DIR/webhook-secret}
 * @param rememberedDeliveries how many accepted delivery ids are kept in memory for fast replay refusal (the
 *                             audit stream remembers them while their signatures are valid)
 * @param signatureWindow      how far a signed timestamp may be from this service's clock, either way; the first
 *                             environment's audit retention must be longer than twice this
 */
@ConfigurationProperties("stagecoach.webhook")
public record WebhookProperties(@Nullable String secret, @Nullable Path secretFile,
        @DefaultValue("10000") int rememberedDeliveries, @DefaultValue("5m") Duration signatureWindow) {

    @Override
    public String toString() {
        return "WebhookProperties[secret=" + (secret == null ? "unset" : "******") + ", secretFile=" + secretFile
                + ", rememberedDeliveries=" + rememberedDeliveries + ", signatureWindow=" + signatureWindow + "]";
    }
}
