package io.stagecoach.buildcompleted;

import java.util.List;
import java.util.Optional;

import io.stagecoach.buildcompleted.BuildDecision.AlreadyRegistered;
import io.stagecoach.buildcompleted.BuildDecision.Refuse;
import io.stagecoach.buildcompleted.BuildDecision.Register;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;

/**
 * What a build event leads to ({@link BuildDecision}): a promotion request into the first environment (reason
 * BUILD), nothing when the same build was registered before, or a refusal. Pure: what the environment already knows comes in as
 * {@link Knowledge}.
 *
 * <p>The run id is derived from service, version and digest, and the promotion request's id from the run id, so
 * the same build announced twice (twice by CI, or by CI and the webhook) yields the same request id: the second
 * is seen and skipped. Once an operator lifted the first environment's hold on the release, the request's id is
 * derived from the lift as well: CI's retry of the same build (same run, same build event) is a new request, which
 * the promotion service decides again instead of skipping it as handled (ADR 32).
 */
public final class BuildPolicy {

    /** Reason tag of a build whose version was already built with another digest. */
    public static final String DIGEST_MISMATCH = "digest-mismatch";

    /** Reason tag of a build whose version was already built with other flags. */
    public static final String FLAGS_MISMATCH = "flags-mismatch";

    /** Reason tag of a build whose flags cannot be deployed (not flagd, or not the content their digest names). */
    public static final String FLAGS_INVALID = "flags-invalid";

    /** Reason tag of a build of a service the environments file does not list. */
    public static final String UNKNOWN_SERVICE = "unknown-service";

    private BuildPolicy() {
    }

    /** What the environment knows that the decision depends on. */
    public interface Knowledge {

        /** Whether an event with this id is in the environment's audit stream. */
        boolean seen(String eventId);

        /** The build registered first for this version of the service, if any. */
        Optional<Release> registered(String service, String version);

        /** The services Stagecoach promotes; empty when the environments file does not restrict them. */
        List<String> services();

        /** The id of the last {@code hold.released} of exactly this build in the environment, if its hold was lifted. */
        Optional<String> lastLift(Release release);
    }

    /** The run of a release: every event of its journey carries it as correlation id. */
    public static String runId(Release release) {
        return EventIds.derive(release.service(), release.version(), release.digest());
    }

    /** The id of the promotion request a release's build leads to in {@code environment}. */
    public static String promotionId(String runId, String environment) {
        return EventIds.derive(runId, EventType.PROMOTION_REQUESTED.type(), environment);
    }

    /** The id of the promotion request a release's build leads to after the hold on it was lifted by {@code liftId}. */
    public static String promotionId(String runId, String environment, Optional<String> liftId) {
        return liftId.map(lift -> EventIds.derive(runId, EventType.PROMOTION_REQUESTED.type(), environment,
                EventType.HOLD_RELEASED.type(), lift)).orElseGet(() -> promotionId(runId, environment));
    }

    /**
     * @param environment the first environment, which this service serves
     * @param source      the CloudEvents source of what this service emits
     */
    public static BuildDecision decide(CloudEvent<BuildCompleted> build, Knowledge knowledge, String environment,
            String source) {
        Release release = build.data().release();
        List<String> services = knowledge.services();
        String runId = runId(release);
        if (!services.isEmpty() && !services.contains(release.service())) {
            return refuse(build, UNKNOWN_SERVICE, "service " + release.service()
                    + " is not one Stagecoach promotes (the environments file lists " + String.join(", ", services)
                    + ")", environment, source);
        }
        if (release.flags() != null && !release.flags().problems().isEmpty()) {
            return refuse(build, FLAGS_INVALID, "its flags cannot be deployed: "
                    + String.join("; ", release.flags().problems()), environment, source);
        }
        Optional<Release> registered = knowledge.registered(release.service(), release.version());
        if (registered.isPresent() && registered.get().digest().equals(release.digest())
                && !java.util.Objects.equals(registered.get().flagsDigest(), release.flagsDigest())) {
            // same run id: without this, other flags under a built version would pass as the same build
            return refuse(build, FLAGS_MISMATCH, "version " + release.version() + " of " + release.service()
                    + " was already built " + (registered.get().flags() == null ? "without flags"
                    : "with flags " + registered.get().flagsDigest()) + "; a flag change is a new version",
                    environment, source);
        }
        String promotionId = promotionId(runId, environment, knowledge.lastLift(release));
        if (knowledge.seen(promotionId)) {
            return new AlreadyRegistered(runId, promotionId);
        }
        if (registered.isPresent() && !registered.get().digest().equals(release.digest())) {
            return refuse(build, DIGEST_MISMATCH, "version " + release.version() + " of " + release.service()
                    + " was already built as digest " + registered.get().digest(), environment, source);
        }
        return new Register(CloudEvent.of(PromotionRequested.build(release, environment), source, environment, runId,
                build.id(), promotionId));
    }

    private static Refuse refuse(CloudEvent<BuildCompleted> build, String reasonTag, String reason, String environment,
            String source) {
        Release release = build.data().release();
        PromotionBlocked blocked = new PromotionBlocked(release, environment, PromotionBlocked.Reason.BUILD_REFUSED,
                "the build was refused: " + reason, null);
        return new Refuse(reasonTag, reason, CloudEvent.of(blocked, source, environment, runId(release), build.id(),
                EventIds.derive(build.id(), "refused", environment)));
    }
}
