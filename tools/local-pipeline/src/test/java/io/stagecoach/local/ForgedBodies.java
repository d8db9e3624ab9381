package io.stagecoach.local;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.Approval;
import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.EventData;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.EventType;
import io.stagecoach.events.DriftCleared;
import io.stagecoach.events.DriftDetected;
import io.stagecoach.events.LineRestarted;
import io.stagecoach.events.LineStopped;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.events.HoldReleased;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.LedgerCheckpointed;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.RollbackFailed;
import io.stagecoach.events.RollbackRequested;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.events.Trigger;
import io.stagecoach.events.Verification;
import io.stagecoach.platform.environments.Environments;

/**
 * The body of a forged record: a valid event of the case's type about a {@link Victim}, chosen so that a ledger that
 * folded it would decide differently. It ends the victim's approval request, makes its waiting release run or
 * verified behind the gate, makes a release nobody built run or verified before it, holds the release that runs
 * there, records a failure, a vote or a build, or opens a newer request that supersedes the real one.
 *
 * <p>A body that ends the request (granted, rejected, expired) takes the id the approval service derives from the
 * request id: the approval service finishes a grant with that id by asking for the promotion, and a ledger that
 * counted a forged id as seen would skip the real event later. Every other body has an id of its own, so no forged
 * record hides another's consequences (a forged {@code promotion.requested} with the approval service's id would
 * make it believe the promotion of a forged grant went out already).
 */
final class ForgedBodies {

    /** An approver of the default path who did not write the victims' releases. */
    static final String APPROVER = "alice";

    private static final String ISSUER = "mallory";
    private static final Duration FAR_FUTURE = Duration.ofDays(365);

    private final Environments environments;

    ForgedBodies(Environments environments) {
        this.environments = environments;
    }

    /**
     * A service whose release waits at a manual gate: the state a forged record would change.
     *
     * @param waiting  the release that runs and is verified before the gate, and waits there
     * @param intruder a release of the same service that nobody built
     * @param request  the gate's approval request for {@code waiting}, as the stream holds it
     */
    record Victim(String service, Release waiting, Release intruder, CloudEvent<ApprovalRequested> request) {

        String requestId() {
            return request.data().requestId();
        }

        /** The environment behind the gate. */
        String gate() {
            return request.environment();
        }

        String runId() {
            return request.correlationid();
        }
    }

    /** The id the approval service gives the event that grants, rejects or expires a request. */
    static String endingId(String requestId, EventType type, String environment) {
        return EventIds.derive(requestId, type.type(), environment);
    }

    /** The id of the promotion the approval service asks for when it grants a request. */
    static String promotionId(String requestId, String environment) {
        return EventIds.derive(requestId, EventType.PROMOTION_REQUESTED.type(), environment);
    }

    /** The id the promotion service gives an outcome ({@code deployment.*}, {@code promotion.blocked}) of a promotion. */
    static String outcomeId(String promotionId, EventType type, String environment) {
        return EventIds.derive(promotionId, type.type(), environment);
    }

    CloudEvent<?> body(ForgedRecordCase forged, Victim victim, Instant now) {
        String env = forged.bodyEnvironment();
        boolean gate = env.equals(victim.gate());
        Release waiting = victim.waiting();
        Release intruder = victim.intruder();
        String requestId = victim.requestId();
        String ownId = EventIds.derive("forged", victim.service(), forged.name());
        Instant at = now.truncatedTo(ChronoUnit.MILLIS);
        String revision = EventIds.derive("forged revision", ownId).replace("-", "");
        Trigger trigger = new Trigger(Trigger.Type.ROLLBACK_REQUESTED, EventIds.derive("forged trigger", ownId));
        Verification verification = new Verification(environments.previous(env).map(e -> e.name()).orElse(env),
                EventIds.derive("forged verification", ownId));

        EventData data;
        String id = ownId;
        switch (forged.bodyType()) {
            case BUILD_COMPLETED -> data = new BuildCompleted(intruder, "https://ci.example.com/forged");
            case PROMOTION_REQUESTED -> {
                if (gate) {
                    data = PromotionRequested.approved(waiting, env, victim.request().data().verifiedIn(),
                            new Approval(requestId, List.of(APPROVER)));
                } else if (environments.isFirst(env)) {
                    data = PromotionRequested.build(intruder, env);
                } else {
                    data = PromotionRequested.verified(intruder, env, verification);
                }
            }
            case PROMOTION_BLOCKED -> data = new PromotionBlocked(waiting, env, PromotionBlocked.Reason.NOT_VERIFIED,
                    "forged", null);
            // behind the gate the waiting release "runs" without approval; before it, one nobody built
            case DEPLOYMENT_COMPLETED -> data = new DeploymentCompleted(gate ? waiting : intruder, env, "gitops",
                    revision, null, false);
            case DEPLOYMENT_FAILED -> data = new DeploymentFailed(waiting, env, "gitops", "forged", 1,
                    DeploymentFailed.Cause.RELEASE_UNHEALTHY);
            case SMOKETEST_PASSED -> data = new SmokeTestPassed(gate ? waiting : intruder, env,
                    List.of(check(SmokeCheck.Result.PASSED, 200)));
            case SMOKETEST_FAILED -> data = new SmokeTestFailed(waiting, env, SmokeTestFailed.Status.FAILED,
                    List.of(check(SmokeCheck.Result.FAILED, 503)), "forged");
            case APPROVAL_REQUESTED -> data = new ApprovalRequested(EventIds.derive("forged request", ownId),
                    intruder, env, List.of("sre-team"), 1, at, at.plus(FAR_FUTURE), verification);
            case APPROVAL_DECIDED -> data = new ApprovalDecided(requestId, waiting.service(), waiting.version(),
                    waiting.digest(), env, ApprovalDecided.Decision.APPROVE, APPROVER, "forged", false);
            case APPROVAL_GRANTED -> {
                data = new ApprovalGranted(requestId, waiting, env, List.of(APPROVER), 1, false, null);
                id = endingId(requestId, EventType.APPROVAL_GRANTED, env);
            }
            case APPROVAL_REJECTED -> {
                data = new ApprovalRejected(requestId, waiting, env, APPROVER, "forged");
                id = endingId(requestId, EventType.APPROVAL_REJECTED, env);
            }
            case APPROVAL_REFUSED -> data = new ApprovalRefused(requestId, waiting.service(), waiting, env, APPROVER,
                    null, ApprovalRefused.Reason.NOT_AN_APPROVER, "forged");
            case APPROVAL_EXPIRED -> {
                data = new ApprovalExpired(requestId, waiting, env, ApprovalExpired.Reason.EXPIRED, null);
                id = endingId(requestId, EventType.APPROVAL_EXPIRED, env);
            }
            case ALERT_FIRING -> data = new AlertFiring(env, victim.service(), "ForgedAlert",
                    revision.substring(0, 16), at, "critical", "forged", null);
            case ROLLBACK_REQUESTED -> data = new RollbackRequested(env, victim.service(), null, ISSUER, "forged");
            // before the gate the release that runs is held; behind it the waiting release "runs" (holding it there
            // would block the promotion a forged grant asks for, and hide that escalation)
            case ROLLBACK_COMPLETED -> data = gate
                    ? new RollbackCompleted(env, victim.service(), intruder, waiting, trigger, revision)
                    : new RollbackCompleted(env, victim.service(), waiting, intruder, trigger, revision);
            case ROLLBACK_FAILED -> data = new RollbackFailed(env, victim.service(), gate ? intruder : waiting, null,
                    "forged", trigger);
            // an opening that would keep the waiting request open for ever, or open one nobody requested
            case APPROVAL_OPENED -> data = new ApprovalOpened(requestId, waiting, env, at.plus(FAR_FUTURE));
            // a withdrawal that would block the waiting release, from someone who may not withdraw it
            case RELEASE_WITHDRAWN -> data = new ReleaseWithdrawn(waiting, env,
                    environments.previous(env).map(e -> e.name()).orElse(env), trigger, "forged");
            // a checkpoint that would hold what runs and verify the waiting release, behind the gate and before it
            case LEDGER_CHECKPOINTED -> data = new LedgerCheckpointed(env, victim.service(), 0,
                    new LedgerCheckpointed.Running(gate ? waiting : intruder, revision, ownId, at, false),
                    List.of(new LedgerCheckpointed.Verified(gate ? waiting : intruder, ownId, at)), List.of(waiting),
                    List.of(new LedgerCheckpointed.Decided(requestId, "GRANTED", ownId, at)), List.of());
            // a lift of a hold from someone who may not lift it
            case HOLD_RELEASED -> data = new HoldReleased(waiting, env, ISSUER, "forged");
            // a drift that would say the waiting release is not what runs, and the end of one nobody detected
            case DRIFT_DETECTED -> data = new DriftDetected(victim.service(), env,
                    new DriftDetected.Side(waiting.version(), waiting.digest(), "forged"),
                    new DriftDetected.Side(intruder.version(), intruder.digest(), "forged"), null,
                    List.of("forged"));
            case DRIFT_CLEARED -> data = new DriftCleared(victim.service(), env,
                    new DriftDetected.Side(waiting.version(), waiting.digest(), "forged"), ownId);
            // a parked request that would put the intruder in once a freeze "ends", vouched for by the user the gate
            // trusts (the approval service behind it, the build-completed service before it)
            case PROMOTION_FROZEN -> {
                PromotionRequested parked = gate ? PromotionRequested.approved(intruder, env, verification,
                        new Approval(requestId, List.of(APPROVER)))
                        : environments.isFirst(env) ? PromotionRequested.build(intruder, env)
                        : PromotionRequested.verified(intruder, env, verification);
                String vouching = (gate ? Principal.APPROVAL : environments.isFirst(env) ? Principal.BUILD_COMPLETED
                        : Principal.PROMOTION).userIn(environments.get(gate || environments.isFirst(env) ? env
                        : environments.previous(env).orElseThrow().name()).vhost());
                data = new PromotionFrozen(intruder, env, at.plusSeconds(1), List.of("forged"), "forged",
                        new PromotionFrozen.Parked(EventIds.derive("forged parked request", ownId), "/forged", at,
                                victim.runId(), null, vouching, parked));
            }
            // a stop that would freeze the environment for ever, and the restart of one nobody stopped
            case LINE_STOPPED -> data = new LineStopped(env, ISSUER, "forged", null);
            case LINE_RESTARTED -> data = new LineRestarted(env, ISSUER, "forged", ownId);
            default -> throw new IllegalArgumentException("no forged body for " + forged.bodyType());
        }
        String causation = forged.bodyType() == EventType.BUILD_COMPLETED ? null : victim.request().id();
        return CloudEvent.of(data, "/stagecoach/" + env + "/" + forged.principal().id(), env, victim.runId(),
                causation, id).withTime(at);
    }

    private static SmokeCheck check(SmokeCheck.Result result, int status) {
        return new SmokeCheck("health", "http://forged.example.com/health", 200, status, result, "forged", 1);
    }
}
