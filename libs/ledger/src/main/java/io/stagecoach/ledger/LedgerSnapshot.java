package io.stagecoach.ledger;

import io.stagecoach.events.Release;
import io.stagecoach.ledger.EnvironmentLedger.Checkpoint;
import io.stagecoach.ledger.EnvironmentLedger.Decided;
import io.stagecoach.ledger.EnvironmentLedger.Deployed;
import io.stagecoach.ledger.EnvironmentLedger.Failure;
import io.stagecoach.ledger.EnvironmentLedger.Alerted;
import io.stagecoach.ledger.EnvironmentLedger.Lift;
import io.stagecoach.ledger.EnvironmentLedger.Pass;
import io.stagecoach.ledger.EnvironmentLedger.LineStop;
import io.stagecoach.ledger.EnvironmentLedger.Opened;
import io.stagecoach.ledger.EnvironmentLedger.Parked;
import io.stagecoach.ledger.EnvironmentLedger.PendingApproval;
import io.stagecoach.ledger.EnvironmentLedger.Stopped;
import io.stagecoach.ledger.EnvironmentLedger.Verified;
import io.stagecoach.ledger.EnvironmentLedger.Vote;
import io.stagecoach.ledger.EnvironmentLedger.Withdrawal;

import java.util.List;
import java.util.Map;

/**
 * Everything an {@link EnvironmentLedger} folded, as of one stream offset: a ledger restored from it and fed the
 * records after {@link #position} is the ledger that read the whole stream. Unlike a checkpoint (which the fold
 * merges, and which outlives retention) it replaces the replay of what came before, so it keeps all the fold keeps,
 * in the fold's own order: the seen ids oldest first (the oldest are forgotten first), the bounded maps in
 * insertion order.
 *
 * @param format       {@link #FORMAT}; a snapshot of another format is not read
 * @param environment  whose ledger it is
 * @param position     the offset of the last record folded
 * @param recordDigest SHA-256 of the body of the record at {@code position}: a stream that holds another record
 *                     there (recreated, or another vhost) is not the stream this snapshot was taken of
 * @param skipped      records up to {@code position} that were not valid events (a feed's count)
 * @param refusedIds   ids of records that did not count but were their type's own publish (a feed's, see
 *                     {@link LedgerFeed#awaitEvent}), oldest first
 */
public record LedgerSnapshot(
        int format,
        String environment,
        long position,
        String recordDigest,
        long applied,
        long refused,
        long skipped,
        List<String> seen,
        Map<String, Deployed> running,
        Map<String, List<Verified>> verified,
        Map<String, List<String>> held,
        Map<String, Release> heldReleases,
        Map<String, String> servicesOfRequests,
        Map<String, Failure> lastFailure,
        Map<String, PendingApproval> pending,
        Map<String, Decided> decided,
        Map<String, List<Vote>> votes,
        Map<String, Long> changedAt,
        Map<String, Checkpoint> checkpointed,
        Map<String, Opened> opened,
        long openings,
        Map<String, List<Withdrawal>> withdrawals,
        Map<String, Stopped> stopped,
        Map<String, Lift> lifts,
        Map<String, Parked> parked,
        LineStop lineStop,
        Map<String, Pass> passes,
        Map<String, Alerted> alerts,
        List<String> refusedIds) {

    /** Bumped whenever the fold keeps something new: an older snapshot then means a full replay, never a wrong view. */
    public static final int FORMAT = 3;

    /** This snapshot with what its feed adds to the ledger's state. */
    LedgerSnapshot withFeed(String digest, long skippedRecords, List<String> refusedArrivals) {
        return new LedgerSnapshot(format, environment, position, digest, applied, refused, skippedRecords, seen,
                running, verified, held, heldReleases, servicesOfRequests, lastFailure, pending, decided, votes,
                changedAt, checkpointed, opened, openings, withdrawals, stopped, lifts, parked,
                lineStop, passes, alerts, List.copyOf(refusedArrivals));
    }
}
