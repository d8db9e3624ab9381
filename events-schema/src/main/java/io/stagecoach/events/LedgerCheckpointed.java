package io.stagecoach.events;

import java.time.Instant;
import java.util.List;

/**
 * What an environment's ledger knows of one service, written into its own audit stream so that it outlives the
 * stream's retention: a release held there stays held, the last verified release stays a rollback target, a
 * decided approval stays decided, after the records that said so are gone. A fold merges it with what it already
 * has from later records (the stream drops its oldest records first, so those are never older than this).
 *
 * @param environment the environment whose state this is
 * @param service     the service
 * @param position    the audit stream offset the state was folded up to
 * @param running     what ran there, if anything
 * @param verified    the newest releases verified there, oldest first
 * @param held        the releases held there
 * @param decided     how its newest approval requests there ended
 * @param withdrawn   the releases the previous environment withdrew from this one, with who withdrew them
 */
public record LedgerCheckpointed(String environment, String service, long position, Running running,
                                 List<Verified> verified, List<Release> held, List<Decided> decided,
                                 List<Withdrawn> withdrawn)
        implements EventData {

    public LedgerCheckpointed {
        verified = List.copyOf(verified);
        held = List.copyOf(held);
        decided = List.copyOf(decided);
        withdrawn = withdrawn == null ? List.of() : List.copyOf(withdrawn);
    }

    /** A withdrawal from this environment: the release, where it was withdrawn, why, by whom. */
    public record Withdrawn(Release release, String withdrawnIn, Trigger trigger, String message, String publisher,
                            String eventId, Instant at) {
    }

    /** The deployment that put a release there. */
    public record Running(Release release, String revision, String eventId, Instant at, boolean rollback) {
    }

    /** A verification there. */
    public record Verified(Release release, String eventId, Instant at) {
    }

    /** How an approval request ended: {@code GRANTED}, {@code REJECTED}, {@code EXPIRED}, {@code SUPERSEDED}, {@code WITHDRAWN}. */
    public record Decided(String requestId, String outcome, String eventId, Instant at) {
    }

    @Override
    public EventType eventType() {
        return EventType.LEDGER_CHECKPOINTED;
    }

    @Override
    public String subject() {
        return service;
    }
}
