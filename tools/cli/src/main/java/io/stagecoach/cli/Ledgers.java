package io.stagecoach.cli;

import io.stagecoach.events.EventCodec;
import io.stagecoach.events.Principal;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** An environment's ledger, folded from its audit stream as the environment's operator user. */
final class Ledgers {

    static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(60);

    private static final EventCodec CODEC = new EventCodec();

    private Ledgers() {
    }

    /** A feed replayed to the stream's end and following it; {@code listener} sees every record that counts, replayed ones too. */
    static LedgerFeed start(Broker broker, Environments environments, Environment environment,
            Consumer<AuditRecord> listener) {
        LedgerFeed feed = new LedgerFeed(broker.factory(environment, Principal.OPERATOR),
                new EnvironmentLedger(environment.name(), Provenance.of(environments)), CODEC);
        if (listener != null) {
            feed.onRecord(listener);
        }
        try {
            return feed.start(REPLAY_TIMEOUT);
        } catch (TimeoutException e) {
            feed.close();
            if (e.getMessage() != null && e.getMessage().startsWith("the ledger of")) {
                throw CliException.broker("The audit stream of " + environment.name() + " did not replay within "
                        + REPLAY_TIMEOUT.toSeconds() + " s (" + e.getMessage() + "); is the broker overloaded?", e);
            }
            throw broker.explain(e, environment, broker.userFor(environment, Principal.OPERATOR));
        } catch (IOException | RuntimeException e) {
            feed.close();
            throw broker.explain(e, environment, broker.userFor(environment, Principal.OPERATOR));
        }
    }

    /** The environment's ledger as its stream holds it now. */
    static EnvironmentLedger read(Broker broker, Environments environments, Environment environment) {
        try (LedgerFeed feed = start(broker, environments, environment, null)) {
            return feed.ledger();
        }
    }
}
