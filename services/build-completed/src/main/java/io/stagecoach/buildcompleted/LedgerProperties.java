package io.stagecoach.buildcompleted;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How this service follows its environment's audit stream.
 *
 * @param replayTimeout how long the start may take to replay the stream before the service gives up
 * @param catchUpTimeout how long a decision waits for the view to reach the stream's end
 */
@ConfigurationProperties("stagecoach.ledger")
public record LedgerProperties(@DefaultValue("120s") Duration replayTimeout,
        @DefaultValue("15s") Duration catchUpTimeout) {
}
