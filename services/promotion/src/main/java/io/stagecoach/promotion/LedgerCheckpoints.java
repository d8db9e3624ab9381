package io.stagecoach.promotion;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.LedgerCheckpointed;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.EnvironmentLedger.Checkpoint;
import io.stagecoach.support.Leadership;
import io.stagecoach.support.StagecoachIdentity;
import io.stagecoach.support.publish.EventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Writes what the environment's ledger knows of each service into its audit stream ({@code ledger.checkpointed}),
 * so that holds, rollback targets and decided approvals outlive the stream's retention: a service gets a
 * checkpoint once its state changed and the last one is at least {@code checkpoint-interval} old, and again every
 * quarter of the retention even when nothing changed, so the newest checkpoint is never the one the stream drops.
 * Ids derive from the service, the state's last change and the refresh period, so replicas writing at once write
 * the same event and the ledger keeps one. Only the replica that leads writes them (ADR 22).
 */
@Component
class LedgerCheckpoints extends Every {

    private static final Logger log = LoggerFactory.getLogger(LedgerCheckpoints.class);
    /** Counter of the checks for due checkpoints this replica ran: only the replica that leads runs them. */
    static final String CHECKS = "stagecoach.ledger.checkpoint.checks";

    private final EnvironmentLedger ledger;
    private final EventPublisher publisher;
    private final StagecoachIdentity identity;
    private final PromotionProperties properties;
    private final Clock clock;
    private final Leadership leadership;
    private final Counter checks;

    LedgerCheckpoints(EnvironmentLedger ledger, EventPublisher publisher, StagecoachIdentity identity,
            PromotionProperties properties, Optional<Clock> clock, Leadership leadership,
            ObjectProvider<MeterRegistry> meterRegistry) {
        super("ledger-checkpoints");
        this.leadership = leadership;
        this.checks = Counter.builder(CHECKS)
                .description("Checks for due ledger checkpoints this replica ran; only the replica that leads runs them")
                .register(meterRegistry.getIfUnique(SimpleMeterRegistry::new));
        this.ledger = ledger;
        this.publisher = publisher;
        this.identity = identity;
        this.properties = properties;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** How often every service gets a checkpoint even when nothing changed: a quarter of the retention. */
    Duration refresh() {
        Duration quarter = identity.environment().auditRetention().dividedBy(4);
        return quarter.compareTo(properties.checkpointInterval()) < 0 ? properties.checkpointInterval() : quarter;
    }

    /** Writes the checkpoints that are due; returns how many. */
    int writeDue() {
        Instant now = clock.instant();
        Duration refresh = refresh();
        int written = 0;
        for (String service : ledger.services()) {
            long changed = ledger.changedAt(service);
            Optional<Checkpoint> last = ledger.lastCheckpoint(service);
            boolean due = last.isEmpty() ? changed >= 0
                    : changed > last.get().offset() && !now.isBefore(last.get().at().plus(properties.checkpointInterval()))
                    || !now.isBefore(last.get().at().plus(refresh));
            if (!due) {
                continue;
            }
            LedgerCheckpointed state = ledger.checkpoint(service);
            String environment = identity.environmentName();
            String id = EventIds.derive("ledger.checkpointed", environment, service, String.valueOf(changed),
                    String.valueOf(now.toEpochMilli() / refresh.toMillis()));
            if (ledger.seen(id)) {
                continue;
            }
            publisher.publish(CloudEvent.of(state, "/stagecoach/" + environment + "/promotion", environment,
                    EventIds.derive("ledger", environment, service), EventIds.derive("ledger", environment, service,
                            String.valueOf(changed)), id));
            written++;
        }
        return written;
    }

    @Override
    Duration interval() {
        return properties.checkpointCheck();
    }

    @Override
    void run() {
        if (!leadership.isLeader()) {
            return;
        }
        checks.increment();
        try {
            int written = writeDue();
            if (written > 0) {
                log.info("wrote {} ledger checkpoint(s) into the audit stream of {}", written,
                        identity.environmentName());
            }
        } catch (RuntimeException e) {
            log.warn("could not write ledger checkpoints of {} (next try in {}): {}", identity.environmentName(),
                    properties.checkpointCheck(), e.toString());
        }
    }
}
