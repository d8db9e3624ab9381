package io.stagecoach.approval;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the approval service keeps time.
 *
 * @param sweepInterval  how often pending requests are checked for expiry (and supersession)
 * @param catchUpTimeout how long a decision waits for the ledger to read the event it decides on (a sweep: this process's last publish)
 */
@ConfigurationProperties("stagecoach.approval")
record ApprovalProperties(
        @DefaultValue("30s") Duration sweepInterval,
        @DefaultValue("10s") Duration catchUpTimeout) {
}
