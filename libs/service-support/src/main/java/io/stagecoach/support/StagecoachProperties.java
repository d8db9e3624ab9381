package io.stagecoach.support;

import java.nio.file.Path;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who this process is and where it runs. Host, port and TLS of the broker stay in {@code spring.rabbitmq.*};
 * the virtual host, user and password are always derived from {@code environment} and {@code service}.
 *
 * @param environment name of the environment this process serves (required, one of the environments file)
 * @param service the {@link io.stagecoach.events.Principal} id of this application, e.g. {@code promotion}
 * @param environmentsFile an environments file to use instead of the one shipped on the classpath
 * @param vhostPrefix prefix of every vhost and namespace (isolates test runs on a shared broker)
 * @param publish how publishing waits for the broker
 * @param instance which replica this process is (e.g. its pod's name), shown in its connection names so that the
 *                 management UI says which replica holds an inbox's active consumer; none: the names say only the user
 * @param inbox what a listener does with a delivery its handler could not handle
 */
@ConfigurationProperties("stagecoach")
public record StagecoachProperties(
        @Nullable String environment,
        @Nullable String service,
        @Nullable Path environmentsFile,
        @Nullable String vhostPrefix,
        @DefaultValue Publish publish,
        @Nullable String instance,
        @DefaultValue Inbox inbox) {

    /**
     * @param confirmTimeout how long a publish waits for the broker's confirm before it counts as failed
     */
    public record Publish(@DefaultValue("10s") Duration confirmTimeout) {
    }

    /**
     * @param outageWait how long a delivery whose handler could not reach the broker or the ledger waits, after the
     *                   listener's retries, for the broker to answer before it goes back to its inbox (it is never
     *                   dead-lettered for an outage before its last delivery)
     */
    public record Inbox(@DefaultValue("60s") Duration outageWait) {
    }
}
