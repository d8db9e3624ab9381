package io.stagecoach.buildcompleted.webhook;

import java.time.Clock;

import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class WebhookConfiguration {

    private static final Logger log = LoggerFactory.getLogger(WebhookConfiguration.class);

    @Bean
    WebhookSecret webhookSecret(WebhookProperties properties, Environment environment) {
        WebhookSecret secret = WebhookSecret.resolve(properties,
                environment.getProperty(Credentials.SECRETS_DIR_VARIABLE));
        if (secret.isConfigured()) {
            log.info("POST /builds verifies signatures with the key from {}", secret.origin());
        } else {
            log.warn("POST /builds refuses every request: no webhook secret (set STAGECOACH_WEBHOOK_SECRET, or put "
                    + "it in $STAGECOACH_SECRETS_DIR/{})", WebhookSecret.FILE_NAME);
        }
        return secret;
    }

    @Bean
    SignatureWindow signatureWindow(WebhookProperties properties, Environments environments) {
        SignatureWindow window = new SignatureWindow(properties.signatureWindow(), Clock.systemUTC());
        window.requireRetention(environments.first().name(), environments.first().auditRetention());
        return window;
    }

    @Bean
    DeliveryLog deliveryLog(WebhookProperties properties) {
        return new DeliveryLog(properties.rememberedDeliveries());
    }
}
