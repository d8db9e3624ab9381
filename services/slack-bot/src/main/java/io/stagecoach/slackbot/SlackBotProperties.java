package io.stagecoach.slackbot;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The bot of one manual gate.
 *
 * @param environment    the gated environment, e.g. {@code prod}
 * @param vhostPrefix    the prefix of Stagecoach's vhosts on the broker, if any
 * @param amqpAddresses  the broker's nodes, {@code host:port} each
 * @param user           its RabbitMQ user; none: the environment's chatops user ({@code prod-chatops})
 * @param password       that user's password; none: from {@code STAGECOACH_PASSWORD_<USER>} or the secrets folder
 * @param signingSecret  the Slack app's signing secret (the approval service verifies clicks with it too)
 * @param botToken       the Slack app's bot token ({@code xoxb-…}), for {@code chat.postMessage} and
 *                       {@code chat.update}
 * @param channel        the channel requests are posted to
 * @param apiUrl         Slack's Web API
 * @param people         Slack people ({@code <team id>/<user id>}) to their names as approvers, the approval
 *                       service's own map: a click by anyone else is answered at once and sent nowhere
 * @param window         how old a click may be when it arrives
 * @param confirmTimeout how long a click waits for the broker's confirm of its decision; Slack waits 3 s
 */
@ConfigurationProperties("stagecoach.slack-bot")
public record SlackBotProperties(String environment, @DefaultValue("") String vhostPrefix,
        @DefaultValue("127.0.0.1:5672") List<String> amqpAddresses, @Nullable String user, @Nullable String password,
        String signingSecret, String botToken, String channel, @DefaultValue("https://slack.com/api") URI apiUrl,
        @DefaultValue Map<String, String> people, @DefaultValue("5m") Duration window,
        @DefaultValue("2s") Duration confirmTimeout) {

    public SlackBotProperties {
        for (Map.Entry<String, String> required : Map.of("environment", String.valueOf(environment),
                "signing-secret", String.valueOf(signingSecret), "bot-token", String.valueOf(botToken),
                "channel", String.valueOf(channel)).entrySet()) {
            if (required.getValue().isBlank() || required.getValue().equals("null")) {
                throw new IllegalArgumentException("stagecoach.slack-bot." + required.getKey() + " is required");
            }
        }
    }

    /** The gated environment's vhost. */
    public String vhost() {
        return vhostPrefix.isBlank() ? environment : vhostPrefix + "-" + environment;
    }
}
