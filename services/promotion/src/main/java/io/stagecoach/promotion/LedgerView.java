package io.stagecoach.promotion;

import java.util.List;
import java.util.Optional;

import io.stagecoach.events.Release;
import io.stagecoach.ledger.EnvironmentLedger;

/** What the policies need to know of this environment's history, as folded from its audit stream. */
interface LedgerView {

    /** Whether the release was rolled back here and may not come back without an override. */
    boolean isHeld(Release release);

    /** Whether the release passed this environment's smoke tests. */
    boolean isVerified(Release release);

    /** The release the last announced deployment (or rollback) put here. */
    Optional<Release> running(String service);

    /** Withdrawals of exactly this build from this environment, with their publishers (not yet judged). */
    List<EnvironmentLedger.Withdrawal> withdrawals(Release release);

    static LedgerView of(EnvironmentLedger ledger) {
        return new LedgerView() {
            @Override
            public boolean isHeld(Release release) {
                return ledger.isHeld(release);
            }

            @Override
            public boolean isVerified(Release release) {
                return ledger.isVerified(release);
            }

            @Override
            public Optional<Release> running(String service) {
                return ledger.running(service).map(EnvironmentLedger.Deployed::release);
            }

            @Override
            public List<EnvironmentLedger.Withdrawal> withdrawals(Release release) {
                return ledger.withdrawals(release);
            }
        };
    }
}
