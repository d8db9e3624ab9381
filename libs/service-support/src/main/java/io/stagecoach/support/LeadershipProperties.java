package io.stagecoach.support;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a standby replica waits to lead ({@link Leadership}).
 *
 * @param retryInterval how often a standby tries to take the leader queue: with the broker's heartbeat timeout, what
 *                      a failover of the sweeps costs at most
 */
@ConfigurationProperties("stagecoach.leadership")
public record LeadershipProperties(@DefaultValue("2s") Duration retryInterval) {
}
