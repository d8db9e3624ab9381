package io.stagecoach.events;

/**
 * Someone asks to put a release into an environment. What the request rests on depends on
 * {@code reason}: a verification ({@code VERIFIED}, {@code ROLLBACK}), an approval
 * ({@code APPROVED}, {@code OVERRIDE}) or nothing but the build ({@code BUILD}, first environment only).
 *
 * @param release           the release to put into the environment
 * @param targetEnvironment the environment to put it into (the envelope's {@code environment})
 * @param reason            why the promotion is asked for
 * @param verifiedIn        the verification the promotion rests on; required for VERIFIED and ROLLBACK
 * @param approval          the approval the promotion rests on; required for APPROVED and OVERRIDE
 */
public record PromotionRequested(Release release, String targetEnvironment, Reason reason, Verification verifiedIn,
                                 Approval approval) implements EventData {

    public enum Reason {
        /** A new build entering the first environment. */
        BUILD,
        /** The previous environment verified the release; the target's gate is automatic. */
        VERIFIED,
        /** The target's gate is manual and the release was approved. */
        APPROVED,
        /** Re-deploying the last verified release after a failure. */
        ROLLBACK,
        /** An approver overrode the gate, with a reason recorded in the approval. */
        OVERRIDE
    }

    public static PromotionRequested build(Release release, String firstEnvironment) {
        return new PromotionRequested(release, firstEnvironment, Reason.BUILD, null, null);
    }

    public static PromotionRequested verified(Release release, String targetEnvironment, Verification verifiedIn) {
        return new PromotionRequested(release, targetEnvironment, Reason.VERIFIED, verifiedIn, null);
    }

    public static PromotionRequested approved(Release release, String targetEnvironment, Verification verifiedIn,
                                              Approval approval) {
        return new PromotionRequested(release, targetEnvironment, Reason.APPROVED, verifiedIn, approval);
    }

    public static PromotionRequested rollback(Release release, String environment, Verification verifiedIn) {
        return new PromotionRequested(release, environment, Reason.ROLLBACK, verifiedIn, null);
    }

    @Override
    public EventType eventType() {
        return EventType.PROMOTION_REQUESTED;
    }

    @Override
    public String subject() {
        return release.service();
    }
}
