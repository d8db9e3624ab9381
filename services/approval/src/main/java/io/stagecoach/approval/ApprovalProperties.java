package io.stagecoach.approval;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the approval service keeps time.
 *
 * @param sweepInterval  how often pending requests are checked for expiry (and supersession)
 * @param catchUpTimeout how long a decision waits for the ledger to reach the end of the audit stream
 * @param replayTimeout  how long the start may take to replay the audit stream into the ledger
 */
@ConfigurationProperties("stagecoach.approval")
record ApprovalProperties(
        @DefaultValue("30s") Duration sweepInterval,
        @DefaultValue("10s") Duration catchUpTimeout,
        @DefaultValue("60s") Duration replayTimeout) {
}
