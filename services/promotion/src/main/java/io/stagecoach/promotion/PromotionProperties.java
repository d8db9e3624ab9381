package io.stagecoach.promotion;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param catchUpTimeout     how long a decision waits for the ledger to read the event it decides on
 * @param checkpointInterval the shortest time between two ledger checkpoints of one service whose state changed
 * @param checkpointCheck    how often to look for checkpoints that are due
 * @param freezeCheck        how often the leader looks whether the freeze ended and decides what was parked during it
 * @param soakCheck          how often the leader looks whether a release that soaks here may move on
 */
@ConfigurationProperties("stagecoach.promotion")
record PromotionProperties(@DefaultValue("30s") Duration catchUpTimeout,
                           @DefaultValue("10m") Duration checkpointInterval,
                           @DefaultValue("1m") Duration checkpointCheck,
                           @DefaultValue("5s") Duration freezeCheck,
                           @DefaultValue("5s") Duration soakCheck) {
}
