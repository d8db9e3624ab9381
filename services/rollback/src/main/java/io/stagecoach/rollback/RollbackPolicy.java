package io.stagecoach.rollback;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.EventData;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackFailed;
import io.stagecoach.events.RollbackRequested;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.Trigger;
import io.stagecoach.ledger.LedgerView;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.deploy.Deployment;
import io.stagecoach.support.deploy.ReleaseDeployments;

/**
 * Decides what to put back when a release fails in this environment. Pure: the triggering event and this
 * environment's ledger go in; a decision comes out, with the withdrawal from the next environment it calls for.
 *
 * <p>{@code from} is the failed release (smoke test or deployment failed) or what runs (an alert, a person's
 * request). {@code to} is the requested version when it was verified here, else the newest verified release
 * that is neither held nor {@code from}. Without one, the rollback fails and nothing changes.
 *
 * <p>An alert that started before the running release was deployed here is about the release before it: nothing
 * is rolled back, and the decision says why.
 * <p>A release verified here that is held (rolled back, or held after a failed rollback) or fails its smoke tests
 * again is withdrawn from the next environment: that one may have been asked to take it on this verification.
 */
final class RollbackPolicy {

    /** The events a trigger can lead to; if the ledger saw one of them, the trigger was handled. */
    static final List<EventType> OUTCOMES = List.of(EventType.ROLLBACK_COMPLETED, EventType.ROLLBACK_FAILED);

    /** Longest reason an event carries (the schema allows 4096 characters). */
    static final int MAX_TEXT = 4000;

    private final Environment environment;
    private final Optional<Environment> next;
    private final String source;

    /** A policy for the last environment, which withdraws nothing. */
    RollbackPolicy(Environment environment) {
        this(environment, Optional.empty());
    }

    /** @param next the environment after this one, which a release held here is withdrawn from */
    RollbackPolicy(Environment environment, Optional<Environment> next) {
        this.environment = environment;
        this.next = next;
        this.source = "/stagecoach/" + environment.name() + "/rollback";
    }

    static List<String> outcomeIds(CloudEvent<?> trigger) {
        return OUTCOMES.stream().map(type -> EventIds.derive(trigger.id(), type.type(), trigger.environment()))
                .toList();
    }

    RollbackDecision decide(CloudEvent<? extends EventData> trigger, LedgerView ledger) {
        EventData data = trigger.data();
        String service = data.subject();
        Optional<Release> running = ledger.running(service);
        Release from;
        if (data instanceof SmokeTestFailed failed) {
            from = failed.release();
            if (running.filter(from::sameBuildAs).isEmpty()) {
                return new RollbackDecision.Nothing(from.version() + " of " + service + " failed its smoke tests in "
                        + environment.name() + " but no longer runs there", withdrawal(trigger, from,
                        "failed its smoke tests in " + environment.name() + " again", ledger));
            }
        } else if (data instanceof DeploymentFailed failed) {
            from = failed.release();
            if (!blamesTheRelease(failed)) {
                // the deployment did not land: what ran before still runs, and the release was never tried
                return new RollbackDecision.Nothing(from.version() + " of " + service + " was not deployed in "
                        + environment.name() + " (" + failed.cause() + "): nothing changed there, nothing is rolled "
                        + "back and " + from.version() + " is not held", Optional.empty());
            }
        } else if (data instanceof AlertFiring || data instanceof RollbackRequested) {
            if (running.isEmpty()) {
                return failed(trigger, null, null, "nothing of " + service + " runs in " + environment.name()
                        + " that could be rolled back", ledger);
            }
            from = running.get();
            if (data instanceof AlertFiring alert) {
                Optional<Instant> deployedAt = ledger.runningSince(service);
                if (deployedAt.isPresent() && alert.startsAt().isBefore(deployedAt.get())) {
                    @SuppressWarnings("unchecked")
                    CloudEvent<AlertFiring> firing = (CloudEvent<AlertFiring>) trigger;
                    return new RollbackDecision.StaleAlert(firing, from, deployedAt.get(), "alert "
                            + alert.alertname() + " (" + alert.fingerprint() + ") started at " + alert.startsAt()
                            + ", before " + service + " " + from.version() + " was deployed in " + environment.name()
                            + " at " + deployedAt.get() + ": it is about the release before, nothing rolled back");
                }
            }
        } else {
            throw new IllegalArgumentException(trigger.type() + " does not trigger a rollback");
        }

        Release to;
        String toVersion = data instanceof RollbackRequested requested ? requested.toVersion() : null;
        if (toVersion != null) {
            Optional<Release> verified = ledger.verifiedVersion(service, toVersion);
            String refusal = null;
            if (verified.isEmpty()) {
                refusal = toVersion + " of " + service + " was never verified in " + environment.name();
            } else if (ledger.isHeld(verified.get())) {
                refusal = toVersion + " of " + service + " is held in " + environment.name();
            } else if (verified.get().sameBuildAs(from)) {
                refusal = toVersion + " of " + service + " already runs in " + environment.name();
            }
            if (refusal != null) {
                // the request was wrong, not the running release: hold nothing
                return failed(trigger, null, verified.orElse(null), "cannot roll back to " + refusal
                        + " (running: " + from.version() + ")", ledger);
            }
            to = verified.get();
        } else {
            Optional<Release> last = ledger.lastVerified(service, from);
            if (last.isEmpty()) {
                return failed(trigger, from, null, "no verified release of " + service + " other than "
                        + from.version() + " to roll back to in " + environment.name(), ledger);
            }
            to = last.get();
        }
        return new RollbackDecision.Rollback(trigger, from, to, deployment(trigger, from, to, running), source,
                withdrawal(trigger, from, "is held in " + environment.name() + ", rolled back to " + to.version(),
                        ledger));
    }

    /**
     * Whether a trigger says the release it names is bad, so that it is rolled back and held (ADR 32). A failed smoke
     * test, a firing alert and a person's request do; a failed deployment only when the target ran the release and it
     * did not become healthy. A deployment the target refused, that other writers kept changing, or that could not
     * reach the target changed nothing and says nothing against the release. A {@code deployment.failed} without a
     * cause was written before causes were told apart and is taken as it was then: against the release.
     */
    static boolean blamesTheRelease(EventData trigger) {
        if (trigger instanceof DeploymentFailed failed) {
            return failed.cause() == null || failed.cause() == DeploymentFailed.Cause.RELEASE_UNHEALTHY;
        }
        if (trigger instanceof SmokeTestFailed || trigger instanceof AlertFiring
                || trigger instanceof RollbackRequested) {
            return true;
        }
        throw new IllegalArgumentException(trigger.eventType().eventName() + " does not trigger a rollback");
    }

    /**
     * The withdrawal from the next environment of {@code release}, which {@code what} happened to here: a rollback
     * from it or a failed rollback (both hold it), or its smoke tests failed again though it no longer runs. Empty in
     * the last environment and for a release never verified here (nothing downstream can rest on it). Its id is
     * derived from the trigger, like the decision's other events.
     */
    private Optional<CloudEvent<ReleaseWithdrawn>> withdrawal(CloudEvent<? extends EventData> trigger,
                                                               Release release, String what, LedgerView ledger) {
        if (next.isEmpty() || !ledger.isVerified(release)) {
            return Optional.empty();
        }
        Environment into = next.get();
        String message = release.version() + " of " + release.service() + " " + what + " after " + cause(trigger)
                + "; it may not enter " + into.name() + " on " + environment.name() + "'s verification";
        var data = new ReleaseWithdrawn(release, into.name(), environment.name(), Trigger.of(trigger), shorten(message));
        return Optional.of(CloudEvent.causedBy(trigger, data, source, into.name()));
    }

    /** What happened, for people: {@code alert HighErrorRate: 5xx above 5%}. */
    private static String cause(CloudEvent<?> trigger) {
        Object data = trigger.data();
        if (data instanceof SmokeTestFailed failed) {
            return "smoke tests that " + failed.status().name().toLowerCase(Locale.ROOT) + ": "
                    + failed.summary();
        }
        if (data instanceof DeploymentFailed failed) {
            return "a failed deployment: " + failed.error();
        }
        if (data instanceof AlertFiring alert) {
            return "alert " + alert.alertname() + ": " + alert.summary();
        }
        if (data instanceof RollbackRequested requested) {
            return "a rollback asked for by " + requested.requestedBy() + ": " + requested.reason();
        }
        return trigger.eventType().eventName();
    }

    /**
     * Puts {@code to} back, over exactly what the ledger says runs ({@code running}): a release promoted since,
     * which the ledger has not read yet, is not reverted without a word (ADR 26).
     */
    private Deployment deployment(CloudEvent<?> trigger, Release from, Release to, Optional<Release> running) {
        Map<String, String> trailers = new LinkedHashMap<>();
        trailers.put(Deployment.EVENT_ID, trigger.id());
        trailers.put(Deployment.RUN_ID, trigger.correlationid());
        return ReleaseDeployments.of(environment.name(), to, trailers,
                "rollback from " + from.version() + " after " + trigger.eventType().eventName())
                .expecting(running.map(r -> new Deployment.Expected(r.version(), r.digest()))
                        .orElse(Deployment.Expected.nothing()));
    }

    /** A rollback that cannot happen; when it names {@code from}, that release is held and withdrawn downstream. */
    private RollbackDecision.Failed failed(CloudEvent<? extends EventData> trigger, Release from, Release to,
                                           String reason, LedgerView ledger) {
        var data = new RollbackFailed(environment.name(), trigger.data().subject(), from, to, shorten(reason),
                Trigger.of(trigger));
        return new RollbackDecision.Failed(CloudEvent.causedBy(trigger, data, source, environment.name()),
                from == null ? Optional.empty() : withdrawal(trigger, from,
                        "is held in " + environment.name() + " (nothing could be put back)", ledger));
    }

    static String shorten(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 1) + "…";
    }
}
