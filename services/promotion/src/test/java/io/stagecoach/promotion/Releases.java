package io.stagecoach.promotion;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.stagecoach.events.Release;
import io.stagecoach.ledger.EnvironmentLedger.Withdrawal;
import io.stagecoach.ledger.LedgerView;

/** Releases and ledger states for the decision tables. */
final class Releases {

    static final String SERVICE = "knative-lambda-builder";
    static final String IMAGE = "ghcr.io/acme/knative-lambda-builder";

    private Releases() {
    }

    static Release release(String version) {
        return release(version, digestOf(version));
    }

    static Release release(String version, String digest) {
        return new Release(SERVICE, version, IMAGE, digest, "0123456789abcdef0123456789abcdef01234567", "jane");
    }

    /** A digest that differs per version and per {@code salt}. */
    static String digestOf(String text) {
        String hex = Integer.toHexString(text.hashCode() & 0x7fffffff);
        return "sha256:" + "0".repeat(64 - hex.length()) + hex;
    }

    /**
     * A ledger that holds, verified, runs and was told to withdraw what it is told. It knows no times and no order
     * of verifications, which the promotion policies never ask for.
     */
    record FakeLedger(Set<Release> held, Set<Release> verified, Release announced, List<Withdrawal> withdrawn)
            implements LedgerView {

        FakeLedger(Set<Release> held, Set<Release> verified, Release announced) {
            this(held, verified, announced, List.of());
        }

        static FakeLedger empty() {
            return new FakeLedger(Set.of(), Set.of(), null);
        }

        @Override
        public boolean isHeld(Release release) {
            return held.stream().anyMatch(release::sameBuildAs);
        }

        @Override
        public boolean isVerified(Release release) {
            return verified.stream().anyMatch(release::sameBuildAs);
        }

        @Override
        public Optional<Release> running(String service) {
            return Optional.ofNullable(announced).filter(r -> r.service().equals(service));
        }

        @Override
        public List<Withdrawal> withdrawals(Release release) {
            return withdrawn.stream().filter(w -> w.withdrawal().release().sameBuildAs(release)).toList();
        }

        @Override
        public Optional<Instant> lastAlertAt(String service) {
            return Optional.empty();
        }

        @Override
        public Optional<io.stagecoach.ledger.EnvironmentLedger.LineStop> lineStop() {
            return Optional.empty();
        }

        @Override
        public Optional<Instant> runningSince(String service) {
            throw new UnsupportedOperationException("the promotion policies do not ask since when a release runs");
        }

        @Override
        public Optional<Release> lastVerified(String service, Release excluding) {
            throw new UnsupportedOperationException("the promotion policies do not look for rollback targets");
        }

        @Override
        public Optional<Release> verifiedVersion(String service, String version) {
            throw new UnsupportedOperationException("the promotion policies do not look for rollback targets");
        }
    }
}
