package io.stagecoach.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.stagecoach.events.Release;

/**
 * What a service's policy may read of this environment's history, as folded from its audit stream: the releases
 * themselves, without the ledger's bookkeeping, and nothing that changes it. A policy takes this view so that a
 * test can hand it a few releases instead of a folded stream.
 */
public interface LedgerView {

    /** The release the last announced deployment (or rollback) put here. */
    Optional<Release> running(String service);

    /** When the release that runs was put here: the time of that deployment (or rollback), by this environment. */
    Optional<Instant> runningSince(String service);

    /** Whether the release was rolled back here and may not come back without an override. */
    boolean isHeld(Release release);

    /** Whether the release passed this environment's smoke tests (so the next one may have been asked to take it). */
    boolean isVerified(Release release);

    /** The newest verified release that is not held and is not {@code excluding}. */
    Optional<Release> lastVerified(String service, Release excluding);

    /** The newest verified release of {@code version}. */
    Optional<Release> verifiedVersion(String service, String version);

    /** Withdrawals of exactly this build from this environment, with their publishers (not yet judged). */
    List<EnvironmentLedger.Withdrawal> withdrawals(Release release);

    /** The operator's stop of the line that no restart ended (it may have ended by its own end). */
    Optional<EnvironmentLedger.LineStop> lineStop();

    /** When the last alert fired for {@code service} here, if one did. */
    Optional<Instant> lastAlertAt(String service);

    /** The view of {@code ledger}; it reads the ledger's current state on every call. */
    static LedgerView of(EnvironmentLedger ledger) {
        return new LedgerView() {
            @Override
            public Optional<Release> running(String service) {
                return ledger.running(service).map(EnvironmentLedger.Deployed::release);
            }

            @Override
            public Optional<Instant> runningSince(String service) {
                return ledger.running(service).map(EnvironmentLedger.Deployed::at);
            }

            @Override
            public boolean isHeld(Release release) {
                return ledger.isHeld(release);
            }

            @Override
            public boolean isVerified(Release release) {
                return ledger.isVerified(release);
            }

            @Override
            public Optional<Release> lastVerified(String service, Release excluding) {
                return ledger.lastVerified(service, excluding).map(EnvironmentLedger.Verified::release);
            }

            @Override
            public Optional<Release> verifiedVersion(String service, String version) {
                return ledger.verifiedVersion(service, version).map(EnvironmentLedger.Verified::release);
            }

            @Override
            public List<EnvironmentLedger.Withdrawal> withdrawals(Release release) {
                return ledger.withdrawals(release);
            }

            @Override
            public Optional<EnvironmentLedger.LineStop> lineStop() {
                return ledger.lineStop();
            }

            @Override
            public Optional<Instant> lastAlertAt(String service) {
                return ledger.lastAlert(service).map(EnvironmentLedger.Alerted::at);
            }
        };
    }
}
