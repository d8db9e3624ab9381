package io.stagecoach.rollback;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param catchUpTimeout how long a decision waits for the ledger to read the event it decides on
 */
@ConfigurationProperties("stagecoach.rollback")
record RollbackProperties(@DefaultValue("30s") Duration catchUpTimeout) {
}
