package io.stagecoach.platform.environments;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One stage of the promotion path, as declared in {@code environments.yaml}.
 *
 * @param name            used in routing keys ({@code smoketest.passed.<name>}) and hand-off queue names
 * @param vhost           the environment's own RabbitMQ virtual host
 * @param gate            how a release may enter it
 * @param namespace       the environment's own Kubernetes namespace
 * @param auditRetention  how long its {@code stagecoach.audit} stream keeps events
 * @param approvers       teams whose members may approve (empty for {@link Gate#AUTO})
 * @param minApprovals    approvals from distinct people a release needs (0 for {@link Gate#AUTO})
 * @param approvalTtl     how long an approval request stays open ({@link Duration#ZERO} for {@link Gate#AUTO})
 * @param cloud           the image repository, bucket and cloud role it names as its own (each optional)
 * @param freeze          when it takes no promotions ({@link FreezeSchedule#NONE} when it declares no window)
 * @param soak            how long a release verified here must have run here, without an alert firing for its
 *                        service, before it moves on ({@link Duration#ZERO}: at once)
 */
public record Environment(
        String name,
        String vhost,
        Gate gate,
        String namespace,
        Duration auditRetention,
        List<String> approvers,
        int minApprovals,
        Duration approvalTtl,
        CloudResources cloud,
        FreezeSchedule freeze,
        Duration soak) {

    public Environment {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(auditRetention, "auditRetention");
        Objects.requireNonNull(approvalTtl, "approvalTtl");
        Objects.requireNonNull(cloud, "cloud");
        Objects.requireNonNull(freeze, "freeze");
        Objects.requireNonNull(soak, "soak");
        approvers = List.copyOf(approvers);
    }

    public boolean isManual() {
        return gate == Gate.MANUAL;
    }

    Environment withPrefix(String prefix) {
        return new Environment(name, prefix + "-" + vhost, gate, prefix + "-" + namespace, auditRetention,
                approvers, minApprovals, approvalTtl, cloud, freeze, soak);
    }
}
