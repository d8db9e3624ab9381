package io.stagecoach.approval;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import io.stagecoach.events.EventCodec;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.support.Leadership;
import io.stagecoach.support.StagecoachIdentity;
import io.stagecoach.support.inbound.DeadLetters;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.support.inbound.InboundEvents;
import io.stagecoach.support.publish.EventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ApprovalProperties.class)
@EnableScheduling
class ApprovalConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ApprovalConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    ApprovalRules approvalRules(Environments environments, StagecoachIdentity identity,
            Provenance provenance, ApprovalProperties properties) {
        SignedDecisions signed = properties.slack().signed();
        if (signed != null) {
            log.info("Decisions in {} count only as clicks Slack signed, of {} known people", identity.environmentName(),
                    signed.people().size());
        }
        return ApprovalRules.of(environments, identity.environment(), provenance, signed);
    }

    /** Follows the shared ledger feed from its first record: the feed replays only after the context is built. */
    @Bean
    ApprovalRecords approvalRecords(StagecoachIdentity identity, LedgerFeed feed) {
        ApprovalRecords records = new ApprovalRecords(identity.environmentName());
        feed.onRecord(records::record);
        return records;
    }

    @Bean
    ApprovalMetrics approvalMetrics(MeterRegistry registry) {
        return new ApprovalMetrics(registry);
    }

    @Bean
    ApprovalHandler approvalHandler(ApprovalRules rules, LedgerFeed feed, ApprovalRecords records, EventPublisher publisher,
            ApprovalMetrics metrics, ApprovalProperties properties, Clock clock) {
        return new ApprovalHandler(new ApprovalPolicy(), rules, feed, records, publisher, metrics, properties, clock);
    }

    @Bean
    DecisionInbox decisionInbox(EventCodec codec, DeadLetters deadLetters, ApprovalMetrics metrics,
            StagecoachIdentity identity) {
        return new DecisionInbox(codec, deadLetters, metrics, identity.environmentName(), identity.user());
    }

    @Bean
    ApprovalListener approvalListener(InboundEvents inbound, DecisionInbox decisions, ApprovalHandler handler) {
        return new ApprovalListener(inbound, decisions, handler);
    }

    /**
     * The expiry sweep, every {@code stagecoach.approval.sweep-interval}, on the replica that leads (ADR 22); a failed
     * sweep is retried by the next.
     */
    @Bean
    SchedulingConfigurer approvalSweep(ApprovalHandler handler, ApprovalProperties properties, Leadership leadership,
            ApprovalMetrics metrics) {
        return registrar -> registrar.addFixedDelayTask(() -> {
            if (!leadership.isLeader()) {
                return;
            }
            metrics.swept();
            try {
                handler.sweep();
            } catch (Exception ex) {
                log.warn("approval sweep failed, next try in {}: {}", properties.sweepInterval(), ex.toString());
            }
        }, properties.sweepInterval());
    }
}
