package io.stagecoach.promotion;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.stagecoach.events.Approval;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionBlocked.Reason;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.Verification;
import io.stagecoach.ledger.EnvironmentLedger.Withdrawal;
import io.stagecoach.ledger.LedgerView;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.ledger.Freeze;
import io.stagecoach.platform.topology.PublishingRights;
import io.stagecoach.deploy.Deployment;
import io.stagecoach.support.deploy.ReleaseDeployments;
import io.stagecoach.deploy.RunningRelease;

/**
 * Decides whether a requested release may enter this environment. Pure: the request, who published it, the
 * environment path, this environment's ledger, what the target runs and the time go in; a decision comes out.
 *
 * <p>In order: a held release is blocked (unless overridden); the request must rest on what this environment's
 * gate asks for (a build for the first environment, a verification by the previous one for an automatic gate, an
 * approval for a manual one), published by the one service that may say so; a release the previous environment
 * withdrew is blocked (a rollback here excepted); the release already running (and announced) is nothing to do; in
 * a frozen environment the request is parked until the freeze ends (a rollback, and an override two people approved,
 * excepted); a release older than the running one is blocked; anything else is deployed, over exactly what the target said runs
 * (the deployment expects it: a target that finds something else there by then changes nothing).
 */
final class PromotionPolicy {

    /** The events a request can lead to; if the ledger saw one of them, the request was handled. */
    static final List<EventType> OUTCOMES = List.of(EventType.DEPLOYMENT_COMPLETED, EventType.DEPLOYMENT_FAILED,
            EventType.PROMOTION_BLOCKED);

    private final Environments environments;
    private final Environment environment;
    private final String target;
    private final String source;
    /** Who may withdraw a release from this environment: the previous environment's rollback service. */
    private final Set<String> withdrawers;

    /**
     * @param environment the environment this process serves
     * @param target      the deploy target's name, reported in {@code deployment.*} events
     */
    PromotionPolicy(Environments environments, Environment environment, String target) {
        this.environments = environments;
        this.environment = environment;
        this.target = target;
        this.source = "/stagecoach/" + environment.name() + "/promotion";
        this.withdrawers = PublishingRights.of(environments).expectedPublishers(EventType.RELEASE_WITHDRAWN,
                environment.name());
    }

    /** The ids the outcomes of {@code request} get (they are derived from it, so a redelivery yields the same). */
    static List<String> outcomeIds(CloudEvent<?> request) {
        return OUTCOMES.stream().map(type -> EventIds.derive(request.id(), type.type(), request.environment()))
                .toList();
    }

    /**
     * @param publisher the broker-validated {@code user_id} of the request
     * @param running   what the deploy target says runs for the release's service here
     */
    PromotionDecision decide(CloudEvent<PromotionRequested> request, String publisher, LedgerView ledger,
                             Optional<RunningRelease> running, Instant now) {
        PromotionRequested data = request.data();
        Release release = data.release();
        String runningVersion = running.map(RunningRelease::version).orElse(null);

        if (data.reason() != PromotionRequested.Reason.OVERRIDE && ledger.isHeld(release)) {
            return blocked(request, Reason.HELD, release.version() + " of " + release.service() + " is held in "
                    + environment.name() + " since it was rolled back; only an override, or the operator lifting the "
                    + "hold (stagecoach release-hold), brings it back", runningVersion);
        }
        Optional<PromotionDecision> gate = gate(request, publisher, ledger, runningVersion);
        if (gate.isPresent()) {
            return gate.get();
        }
        Optional<Withdrawal> withdrawal = data.reason() == PromotionRequested.Reason.ROLLBACK ? Optional.empty()
                : withdrawal(release, ledger);
        if (withdrawal.isPresent()) {
            ReleaseWithdrawn withdrawn = withdrawal.get().withdrawal();
            return blocked(request, Reason.WITHDRAWN, release.version() + " of " + release.service()
                    + " may not enter " + environment.name() + ": " + withdrawn.withdrawnIn() + " withdrew it ("
                    + withdrawn.message() + ")", runningVersion);
        }
        if (running.isPresent() && sameRelease(running.get(), release)
                && ledger.running(release.service()).filter(release::sameBuildAs).isPresent()) {
            return new PromotionDecision.Nothing(release.version() + " of " + release.service()
                    + " already runs in " + environment.name());
        }
        Optional<Freeze> frozen = data.reason() == PromotionRequested.Reason.ROLLBACK
                ? Optional.empty() : Freeze.at(environment.freeze(), ledger.lineStop(), now);
        if (frozen.isPresent() && !isEmergencyOverride(data)) {
            return parked(request, publisher, frozen.get());
        }
        if (data.reason() != PromotionRequested.Reason.ROLLBACK && SemanticVersion.isOlder(release.version(),
                runningVersion)) {
            return blocked(request, Reason.OLDER_THAN_RUNNING, release.version() + " of " + release.service()
                    + " is older than " + runningVersion + ", which runs in " + environment.name(), runningVersion);
        }
        // compare-and-set: the pin lands only over what the target said runs when this was decided
        return new PromotionDecision.Deploy(request, deployment(request).expecting(Deployment.Expected.of(running)),
                source, target);
    }

    /**
     * An override approved by two people or more: it goes into a frozen environment (ADR 38). One person's override
     * waits for the freeze's end like any request.
     */
    static boolean isEmergencyOverride(PromotionRequested data) {
        return data.reason() == PromotionRequested.Reason.OVERRIDE && data.approval() != null
                && data.approval().approvers().stream().distinct().count() >= 2;
    }

    /**
     * The request waits for the freeze's end, kept whole in the event with who published it. Its id derives from
     * the request and the freeze's end: a redelivery parks it once, a later freeze again.
     */
    private PromotionDecision.Parked parked(CloudEvent<PromotionRequested> request, String publisher,
                                            Freeze frozen) {
        PromotionRequested data = request.data();
        Release release = data.release();
        String override = data.reason() == PromotionRequested.Reason.OVERRIDE
                ? "; an override goes ahead during a freeze only when two people approved it, this one has "
                + String.join(", ", data.approval().approvers()) : "";
        String message = environment.name() + " is frozen (" + frozen.describe() + ") " + frozen.end()
                + ": " + release.version() + " of " + release.service() + " waits and goes ahead by itself then"
                + override;
        var parked = new PromotionFrozen(release, environment.name(), frozen.until(), frozen.why().stream()
                .map(PromotionPolicy::name).toList(), shorten(message), PromotionFrozen.Parked.of(request, publisher));
        return new PromotionDecision.Parked(CloudEvent.causedBy(request, parked, source, environment.name(),
                frozen.key()));
    }

    /** A reason as the event's {@code windows} take it: one line of at most 256 characters. */
    private static String name(String why) {
        String line = why.replaceAll("\\s+", " ").strip();
        return line.length() <= 256 ? line : line.substring(0, 255) + "…";
    }

    /**
     * A deployment the policy allowed, once the target checked the environment: blocked ({@code PREFLIGHT_FAILED},
     * naming every problem) when the environment is not ready for it, unless it is a rollback, which puts back what
     * ran there and must not wait for a quota or a policy; otherwise the deployment.
     */
    PromotionDecision preflight(PromotionDecision.Deploy deploy, List<String> problems,
                                Optional<RunningRelease> running) {
        CloudEvent<PromotionRequested> request = deploy.request();
        if (problems.isEmpty() || request.data().reason() == PromotionRequested.Reason.ROLLBACK) {
            return deploy;
        }
        Release release = request.data().release();
        return blocked(request, Reason.PREFLIGHT_FAILED, release.version() + " of " + release.service()
                + " cannot go into " + environment.name() + " now: " + String.join("; ", problems),
                running.map(RunningRelease::version).orElse(null));
    }

    /**
     * What a withdrawal from the previous environment means here, once its publisher was checked: the release is
     * blocked from this environment from now on. If it runs here already (it arrived before the withdrawal), the
     * block says so; taking it out is a rollback for people to decide.
     */
    PromotionDecision.Blocked withdrawn(CloudEvent<ReleaseWithdrawn> withdrawal, LedgerView ledger) {
        ReleaseWithdrawn data = withdrawal.data();
        Release release = data.release();
        Optional<Release> running = ledger.running(release.service());
        boolean runsHere = running.filter(release::sameBuildAs).isPresent();
        String message = release.version() + " of " + release.service() + " may no longer enter "
                + environment.name() + ": " + data.withdrawnIn() + " withdrew it (" + data.message() + ")"
                + (runsHere ? "; it already runs in " + environment.name() + ", roll it back there if it must go"
                : "");
        var blocked = new PromotionBlocked(release, environment.name(), Reason.WITHDRAWN, shorten(message),
                running.map(Release::version).orElse(null));
        return new PromotionDecision.Blocked(CloudEvent.causedBy(withdrawal, blocked, source, environment.name()));
    }

    /** The first withdrawal of exactly this build published by the one service that may withdraw it. */
    private Optional<Withdrawal> withdrawal(Release release, LedgerView ledger) {
        // a record without user_id vouches for nobody
        return ledger.withdrawals(release).stream()
                .filter(w -> w.publisher() != null && withdrawers.contains(w.publisher())).findFirst();
    }

    private static String shorten(String text) {
        // the schema allows 4096 characters; a withdrawal's message may already be long
        return text.length() <= 4000 ? text : text.substring(0, 3999) + "…";
    }

    /** A block when the request does not rest on what this environment's gate asks for; empty when it does. */
    private Optional<PromotionDecision> gate(CloudEvent<PromotionRequested> request, String publisher,
                                             LedgerView ledger, String runningVersion) {
        PromotionRequested data = request.data();
        Optional<Environment> previous = environments.previous(environment.name());
        String here = environment.name();
        String problem = null;
        Reason reason = Reason.NOT_VERIFIED;
        switch (data.reason()) {
            case BUILD -> {
                if (previous.isPresent()) {
                    problem = "a build enters only " + environments.first().name() + "; " + here + " needs "
                            + (environment.isManual() ? "an approval" : "a verification by " + previous.get().name());
                    reason = environment.isManual() ? Reason.NO_APPROVAL : Reason.NOT_VERIFIED;
                } else {
                    problem = publisherProblem(publisher, Principal.BUILD_COMPLETED, environment);
                }
            }
            case VERIFIED -> {
                if (environment.isManual()) {
                    problem = here + " has a manual gate: a verification is not enough, it needs an approval";
                    reason = Reason.NO_APPROVAL;
                } else if (previous.isEmpty()) {
                    problem = here + " is the first environment: only a build enters it";
                } else {
                    problem = verificationProblem(data.verifiedIn(), previous.get());
                    if (problem == null) {
                        problem = publisherProblem(publisher, Principal.PROMOTION, previous.get());
                    }
                }
            }
            case APPROVED -> {
                reason = environment.isManual() ? Reason.NO_APPROVAL : Reason.NOT_VERIFIED;
                if (!environment.isManual()) {
                    problem = here + " has an automatic gate: it is entered with a verification by "
                            + previous.map(Environment::name).orElse("nobody (it is the first)")
                            + ", not an approval";
                } else {
                    problem = approvalProblem(data.approval(), publisher);
                    if (problem == null && previous.isPresent()) {
                        reason = Reason.NOT_VERIFIED;
                        problem = verificationProblem(data.verifiedIn(), previous.get());
                    }
                }
            }
            case OVERRIDE -> {
                reason = Reason.NO_APPROVAL;
                problem = approvalProblem(data.approval(), publisher);
            }
            // the rollback service puts back the last verified release itself; no credential may ask for one here
            case ROLLBACK -> problem = "nobody may request a rollback through promotion; use rollback.requested";
            default -> problem = "unknown reason " + data.reason();
        }
        return problem == null ? Optional.empty()
                : Optional.of(blocked(request, reason, data.release().version() + " of " + data.release().service()
                        + " may not enter " + here + ": " + problem, runningVersion));
    }

    private String approvalProblem(Approval approval, String publisher) {
        if (approval == null || approval.approvers().isEmpty()) {
            return "the request carries no approval";
        }
        return publisherProblem(publisher, Principal.APPROVAL, environment);
    }

    private static String verificationProblem(Verification verifiedIn, Environment previous) {
        if (verifiedIn == null) {
            return "the request carries no verification";
        }
        if (!previous.name().equals(verifiedIn.environment())) {
            return "it was verified in " + verifiedIn.environment() + ", not in " + previous.name();
        }
        return null;
    }

    private static String publisherProblem(String publisher, Principal expected, Environment in) {
        String user = expected.userIn(in.vhost());
        return user.equals(publisher) ? null
                : "the request was published by " + (publisher == null ? "an unknown user" : publisher)
                + ", not by " + user;
    }

    private Deployment deployment(CloudEvent<PromotionRequested> request) {
        PromotionRequested data = request.data();
        Release release = data.release();
        Map<String, String> trailers = new LinkedHashMap<>();
        trailers.put(Deployment.EVENT_ID, request.id());
        trailers.put(Deployment.RUN_ID, request.correlationid());
        if (data.approval() != null) {
            trailers.put(Deployment.APPROVED_BY, String.join(", ", data.approval().approvers()));
        }
        return ReleaseDeployments.of(environment.name(), release, trailers, describe(data));
    }

    private static String describe(PromotionRequested data) {
        return switch (data.reason()) {
            case BUILD -> "new build";
            case VERIFIED -> "verified in " + data.verifiedIn().environment();
            case APPROVED -> "approved (request " + data.approval().requestId() + ")";
            case OVERRIDE -> "override (request " + data.approval().requestId() + ")"
                    + (isEmergencyOverride(data) ? " by " + String.join(" and ", data.approval().approvers()) : "");
            case ROLLBACK -> "rollback to the release verified by " + data.verifiedIn().eventId();
        };
    }

    private PromotionDecision.Blocked blocked(CloudEvent<PromotionRequested> request, Reason reason, String message,
                                              String runningVersion) {
        var data = new PromotionBlocked(request.data().release(), environment.name(), reason, shorten(message),
                SemanticVersion.isStrict(runningVersion) ? runningVersion : null);
        return new PromotionDecision.Blocked(CloudEvent.causedBy(request, data, source, environment.name()));
    }

    /** Whether the target runs exactly this build (a target that pins no digest is taken at its version). */
    private static boolean sameRelease(RunningRelease running, Release release) {
        return release.version().equals(running.version())
                && (running.digest() == null || release.digest().equals(running.digest()));
    }
}
