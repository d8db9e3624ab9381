package io.stagecoach.deploy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * What must hold in an environment's namespace before a release is put there: the namespace exists, a default-deny
 * NetworkPolicy isolates it, and every ResourceQuota has room for the pods the rollout adds next to the running
 * ones (the Deployment's surge, each with its containers' requests and limits). Read-only: it asks the API server
 * and changes nothing. A failed check is a reason to block the promotion, not a failure of the release.
 */
public final class KubernetesPreflight {

    /** The quota resources a pod's containers count against, and the container field each comes from. */
    private static final Map<String, String> COUNTED = Map.of(
            "requests.cpu", "requests/cpu", "cpu", "requests/cpu", "requests.memory", "requests/memory",
            "memory", "requests/memory", "limits.cpu", "limits/cpu", "limits.memory", "limits/memory");

    private final KubernetesClient client;
    private final KubernetesSettings settings;

    public KubernetesPreflight(KubernetesClient client, KubernetesSettings settings) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Why the service cannot be put into the environment now; empty when it can. */
    public List<String> problems(String environment, String service) {
        String namespace = settings.namespace(environment);
        List<String> problems = new ArrayList<>();
        try {
            if (!namespaceExists(namespace)) {
                return List.of("namespace " + namespace + " of environment " + environment + " does not exist");
            }
            if (client.network().v1().networkPolicies().inNamespace(namespace).list().getItems().stream()
                    .noneMatch(KubernetesPreflight::deniesAllIngress)) {
                problems.add("namespace " + namespace + " has no default-deny NetworkPolicy (podSelector {}, "
                        + "policyTypes [Ingress], no ingress rules): the environment is not isolated");
            }
            var deployment = client.apps().deployments().inNamespace(namespace)
                    .withName(settings.deploymentName().replace("{service}", service)).get();
            if (deployment != null) {
                Map<String, BigDecimal> surge = surge(deployment);
                for (ResourceQuota quota : client.resourceQuotas().inNamespace(namespace).list().getItems()) {
                    problems.addAll(shortOf(namespace, quota, surge));
                }
            }
        } catch (KubernetesClientException e) {
            throw KubernetesTarget.translate("check namespace " + namespace + " before a deployment", e);
        }
        return problems;
    }

    /**
     * Whether the namespace exists; true when the service account may not read namespaces (they are cluster-wide,
     * and the deployer's Role is not): then a missing namespace shows as the missing default-deny policy.
     */
    private boolean namespaceExists(String namespace) {
        try {
            return client.namespaces().withName(namespace).get() != null;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                return true;
            }
            throw e;
        }
    }

    /** A policy that selects every pod and allows no ingress: what the overlays ship as {@code default-deny}. */
    static boolean deniesAllIngress(NetworkPolicy policy) {
        var spec = policy.getSpec();
        if (spec == null || !selectsEverything(spec.getPodSelector())) {
            return false;
        }
        List<String> types = Objects.requireNonNullElse(spec.getPolicyTypes(), List.of());
        boolean ingressPolicy = types.contains("Ingress") || types.isEmpty();
        return ingressPolicy && (spec.getIngress() == null || spec.getIngress().isEmpty());
    }

    private static boolean selectsEverything(LabelSelector selector) {
        return selector == null || (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
    }

    /**
     * What the rollout's extra pods count against a quota: maxSurge pods (default 25%, rounded up; none for
     * Recreate), each with the sum of its containers' requests and limits.
     */
    static Map<String, BigDecimal> surge(io.fabric8.kubernetes.api.model.apps.Deployment deployment) {
        int replicas = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
        DeploymentStrategy strategy = deployment.getSpec().getStrategy();
        int pods;
        if (strategy != null && "Recreate".equals(strategy.getType())) {
            pods = 0;
        } else {
            IntOrString maxSurge = strategy == null || strategy.getRollingUpdate() == null ? null
                    : strategy.getRollingUpdate().getMaxSurge();
            pods = surgePods(maxSurge, replicas);
        }
        Map<String, BigDecimal> need = new LinkedHashMap<>();
        need.put("pods", BigDecimal.valueOf(pods));
        need.put("count/pods", BigDecimal.valueOf(pods));
        COUNTED.forEach((resource, field) -> {
            BigDecimal perPod = BigDecimal.ZERO;
            for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
                var requirements = container.getResources();
                Map<String, Quantity> values = requirements == null ? null : field.startsWith("requests")
                        ? requirements.getRequests() : requirements.getLimits();
                Quantity quantity = values == null ? null : values.get(field.substring(field.indexOf('/') + 1));
                if (quantity != null) {
                    perPod = perPod.add(Quantity.getAmountInBytes(quantity));
                }
            }
            need.put(resource, perPod.multiply(BigDecimal.valueOf(pods)));
        });
        return need;
    }

    static int surgePods(IntOrString maxSurge, int replicas) {
        if (maxSurge == null) {
            return (int) Math.ceil(replicas * 0.25);
        }
        if (maxSurge.getIntVal() != null) {
            return maxSurge.getIntVal();
        }
        String percent = maxSurge.getStrVal().trim();
        int value = Integer.parseInt(percent.endsWith("%") ? percent.substring(0, percent.length() - 1) : percent);
        return (int) Math.ceil(replicas * value / 100.0);
    }

    private static List<String> shortOf(String namespace, ResourceQuota quota, Map<String, BigDecimal> need) {
        List<String> problems = new ArrayList<>();
        Map<String, Quantity> hard = quota.getSpec() == null ? null : quota.getSpec().getHard();
        if (hard == null) {
            return problems;
        }
        Map<String, Quantity> used = quota.getStatus() == null || quota.getStatus().getUsed() == null ? Map.of()
                : quota.getStatus().getUsed();
        hard.forEach((resource, limit) -> {
            BigDecimal needed = need.get(resource);
            if (needed == null || needed.signum() == 0) {
                return;
            }
            BigDecimal inUse = used.containsKey(resource) ? Quantity.getAmountInBytes(used.get(resource))
                    : BigDecimal.ZERO;
            BigDecimal left = Quantity.getAmountInBytes(limit).subtract(inUse);
            if (left.compareTo(needed) < 0) {
                problems.add("ResourceQuota " + quota.getMetadata().getName() + " in namespace " + namespace
                        + " has " + plain(left.max(BigDecimal.ZERO)) + " of " + resource + " left (" + limit
                        + " hard, " + plain(inUse) + " used); the rollout's surge needs " + plain(needed));
            }
        });
        return problems;
    }

    private static String plain(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
    }
}
