package io.stagecoach.deploy;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link KubernetesTarget} finds a service's Deployment.
 *
 * @param namespaces     environment to namespace (each environment has its own)
 * @param deploymentName the Deployment's name; {@code {service}} stands for the service
 * @param containerName  the container to set the image of; {@code {service}} stands for the service. A Deployment
 *                       with a single container needs no match
 * @param rolloutTimeout how long a deployment waits for the rollout to finish
 */
public record KubernetesSettings(Map<String, String> namespaces, String deploymentName, String containerName,
                                 Duration rolloutTimeout) {

    public KubernetesSettings {
        namespaces = Map.copyOf(namespaces);
        Objects.requireNonNull(deploymentName, "deploymentName");
        Objects.requireNonNull(containerName, "containerName");
        if (rolloutTimeout == null || rolloutTimeout.isNegative() || rolloutTimeout.isZero()) {
            throw new IllegalArgumentException("rolloutTimeout must be positive");
        }
    }

    /** Deployment and container named like the service, five minutes for a rollout. */
    public static KubernetesSettings of(Map<String, String> namespaces) {
        return new KubernetesSettings(namespaces, "{service}", "{service}", Duration.ofMinutes(5));
    }

    public KubernetesSettings withRolloutTimeout(Duration timeout) {
        return new KubernetesSettings(namespaces, deploymentName, containerName, timeout);
    }

    String namespace(String environment) {
        String namespace = namespaces.get(environment);
        if (namespace == null) {
            throw new PermanentTargetException("no namespace configured for environment " + environment);
        }
        return namespace;
    }
}
