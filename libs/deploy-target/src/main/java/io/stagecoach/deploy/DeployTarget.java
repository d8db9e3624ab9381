package io.stagecoach.deploy;

import java.util.List;
import java.util.Optional;

/**
 * Where a promotion lands: puts a release into an environment and tells which release runs there.
 *
 * <p>Implementations are idempotent: deploying what is already there changes nothing and returns
 * {@code changed = false}. Failures are {@link DeployTargetException}s; a {@link TransientTargetException}
 * may succeed when retried, a {@link PermanentTargetException} will not.
 */
public interface DeployTarget {

    /** Puts the release into the environment, or does nothing when it is already there. */
    DeployResult deploy(Deployment deployment);

    /** What the target says runs for the service in the environment; empty when it has nothing for it. */
    Optional<RunningRelease> running(String environment, String service);

    /**
     * What the target declares for each of {@code services}, as {@link #running} answers for one; a target that can
     * read them all at once (one fetch of a GitOps remote) does.
     */
    default java.util.Map<String, Optional<RunningRelease>> declared(String environment,
                                                                     java.util.Collection<String> services) {
        java.util.Map<String, Optional<RunningRelease>> declared = new java.util.LinkedHashMap<>();
        services.forEach(service -> declared.put(service, running(environment, service)));
        return declared;
    }

    /**
     * What is observed running for the service, where the target can see past what it declares (the pods' image
     * digests of a Kubernetes Deployment); empty when it cannot, or nothing runs. The {@code revision} of the answer
     * says what was observed, for people ({@code 2 pods}).
     */
    default Optional<RunningRelease> observed(String environment, String service) {
        return Optional.empty();
    }

    /**
     * Why the service cannot be put into the environment now (its namespace, isolation or room), checked before a
     * promotion; empty when nothing stands in the way or the target has nothing to check.
     */
    default List<String> preflight(String environment, String service) {
        return List.of();
    }
}
