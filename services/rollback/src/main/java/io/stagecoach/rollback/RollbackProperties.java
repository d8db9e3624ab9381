package io.stagecoach.rollback;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param catchUpTimeout how long a decision waits for the ledger to apply everything the audit stream holds
 */
@ConfigurationProperties("stagecoach.rollback")
record RollbackProperties(@DefaultValue("30s") Duration catchUpTimeout) {
}
