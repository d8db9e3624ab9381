package io.stagecoach.ledger;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.testing.PrivateBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ledger feed on a broker that restarts under it: on a private node, since the shared broker never stops. The
 * client's own recovery registers a stream consumer again at the offset it first asked for, and gives up for good when
 * the stream is not back yet; the feed must read on from where its ledger is, every time.
 */
@ResourceLock(PrivateBroker.LOCK)
class LedgerFeedBrokerRestartTests {

    static final Duration AFTER_RESTART = Duration.ofSeconds(30);

    private static PrivateBroker node;

    @BeforeAll
    static void startANode() {
        node = PrivateBroker.single();
    }

    @AfterAll
    static void stopTheNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aFeedReadsOnAfterEachOfThreeRestartsOfTheBrokerAndReadsEveryRecordOnce() throws Exception {
        DevAuditStream stream = new DevAuditStream(node.broker());
        List<String> expected = new ArrayList<>();
        List<String> read = new CopyOnWriteArrayList<>();
        stream.append(DevAuditStream.deployed("1.0.0"));
        expected.add(DevAuditStream.deployed("1.0.0").id());
        try (LedgerFeed feed = new LedgerFeed(stream.factory, stream.ledger(), new EventCodec())) {
            feed.onRecord(record -> read.add(record.event().id()));
            feed.start(DevAuditStream.WAIT);
            for (int restart = 1; restart <= 3; restart++) {
                node.stopApp(0);
                node.startApp(0);
                CloudEvent<?> after = DevAuditStream.deployed(restart + ".1.0");
                long started = System.nanoTime();
                stream.append(after);
                expected.add(after.id());
                feed.awaitEvent(after, AFTER_RESTART);
                System.out.printf("restart %d: the feed read the next record %d ms after its publish "
                        + "(%d new subscriptions so far)%n", restart, (System.nanoTime() - started) / 1_000_000,
                        feed.resubscriptions());
            }
            assertThat(read).as("every record once, in order").containsExactlyElementsOf(expected);
            assertThat(feed.ledger().applied()).isEqualTo(4);
            assertThat(feed.resubscriptions()).as("one new subscription per restart at least").isGreaterThanOrEqualTo(3);
        }
    }
}
