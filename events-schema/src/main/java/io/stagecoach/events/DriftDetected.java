package io.stagecoach.events;

import java.util.List;

/**
 * What runs in an environment is not what its ledger recorded: the promotion service compared, for one service, the
 * release the ledger says was deployed there, what the deploy target declares (the GitOps overlay, the Deployment's
 * spec) and what is observed running (the pods' image digests, the workload's reported version), and found them
 * different on two checks in a row.
 *
 * @param service     the service
 * @param environment the environment
 * @param recorded    what the ledger recorded as deployed
 * @param desired     what the deploy target declares; null when it declares nothing for the service
 * @param running     what was observed running; null when nothing was observed (no probe, or nothing answers)
 * @param differences one line per difference, for people
 */
public record DriftDetected(String service, String environment, Side recorded, Side desired, Side running,
        List<String> differences) implements EventData {

    public DriftDetected {
        differences = differences == null ? List.of() : List.copyOf(differences);
    }

    @Override
    public EventType eventType() {
        return EventType.DRIFT_DETECTED;
    }

    @Override
    public String subject() {
        return service;
    }

    /**
     * One side of the comparison.
     *
     * @param version the version (image tag) it names, or null when it names none
     * @param digest  the image digest it names, or null when it names none
     * @param source  where it was read, for people: {@code ledger deployment.completed 3f2a…}, {@code GitOps overlay
     *                at 9c1e…}, {@code 2 pods}, {@code workload http://…}
     */
    public record Side(String version, String digest, String source) {

        /**
         * Whether both name the same release: the same digest where both name one and the same version where both
         * name one (a tag edited beside an unchanged digest is a difference too); two sides that share neither are
         * not the same.
         */
        public boolean sameAs(Side other) {
            if (other == null) {
                return false;
            }
            boolean digests = digest != null && other.digest != null;
            boolean versions = version != null && other.version != null;
            return (digests || versions) && (!digests || digest.equals(other.digest))
                    && (!versions || version.equals(other.version));
        }

        /** {@code 1.4.2 (sha256:2369b31e…)} or what of it is known. */
        public String describe() {
            String shortDigest = digest == null ? null : digest.substring(0, Math.min(digest.length(), 19)) + "…";
            if (version == null) {
                return shortDigest == null ? "unknown" : shortDigest;
            }
            return shortDigest == null ? version : version + " (" + shortDigest + ")";
        }
    }
}
