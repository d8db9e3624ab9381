package io.stagecoach.rollback;

import java.time.Instant;
import java.util.Optional;

import io.stagecoach.events.Release;
import io.stagecoach.ledger.EnvironmentLedger;

/** What the rollback policy needs to know of this environment's history, as folded from its audit stream. */
interface LedgerView {

    /** The release the last announced deployment (or rollback) put here. */
    Optional<Release> running(String service);

    /** When the release that runs was put here: the time of that deployment (or rollback), by this environment. */
    Optional<Instant> runningSince(String service);

    /** The newest verified release that is not held and is not {@code excluding}. */
    Optional<Release> lastVerified(String service, Release excluding);

    /** The newest verified release of {@code version}. */
    Optional<Release> verifiedVersion(String service, String version);

    boolean isHeld(Release release);

    /** Whether the release passed this environment's smoke tests (so the next one may have been asked to take it). */
    boolean isVerified(Release release);

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
            public Optional<Release> lastVerified(String service, Release excluding) {
                return ledger.lastVerified(service, excluding).map(EnvironmentLedger.Verified::release);
            }

            @Override
            public Optional<Release> verifiedVersion(String service, String version) {
                return ledger.verifiedVersion(service, version).map(EnvironmentLedger.Verified::release);
            }

            @Override
            public boolean isHeld(Release release) {
                return ledger.isHeld(release);
            }

            @Override
            public boolean isVerified(Release release) {
                return ledger.isVerified(release);
            }
        };
    }
}
