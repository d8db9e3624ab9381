package io.stagecoach.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys by setting the image of a service's Deployment in the environment's namespace ({@code image@digest}),
 * annotating who and why, and waiting for the rollout; reads what really runs from the cluster. Thread-safe
 * (the fabric8 client is).
 */
public final class KubernetesTarget implements DeployTarget {

    /** The version Stagecoach set; trusted only while {@link #IMAGE_ANNOTATION} matches the running image. */
    public static final String VERSION_ANNOTATION = "stagecoach.io/version";
    /** The image reference Stagecoach set. */
    public static final String IMAGE_ANNOTATION = "stagecoach.io/image";
    public static final String EVENT_ID_ANNOTATION = "stagecoach.io/event-id";
    public static final String RUN_ID_ANNOTATION = "stagecoach.io/run-id";
    public static final String APPROVED_BY_ANNOTATION = "stagecoach.io/approved-by";
    /** Shown by {@code kubectl rollout history}. */
    public static final String CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause";
    /**
     * The digest of the feature flags the release carries, on the flags ConfigMap and on the pod template (so that
     * a change of flags alone rolls the pods out, and a rollback of flags too).
     */
    public static final String FLAGS_DIGEST_ANNOTATION = "stagecoach.io/flags-digest";
    /** The key of the flags ConfigMap ({@code <deployment>-flags}) that holds the flagd file. */
    public static final String FLAGS_KEY = "flags.flagd.json";
    /** Set by the Deployment controller on each rollout. */
    public static final String REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

    private static final Logger log = LoggerFactory.getLogger(KubernetesTarget.class);

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final KubernetesPreflight preflight;

    public KubernetesTarget(KubernetesClient client, KubernetesSettings settings) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.preflight = new KubernetesPreflight(client, settings);
    }

    @Override
    public List<String> preflight(String environment, String service) {
        return preflight.problems(environment, service);
    }

    @Override
    public DeployResult deploy(Deployment d) {
        String namespace = settings.namespace(d.environment());
        String name = deploymentName(d.service());
        String where = "Deployment " + name + " in namespace " + namespace + " (environment " + d.environment() + ")";
        try {
            var resource = deployments(namespace, name);
            var current = resource.get();
            if (current == null) {
                throw new PermanentTargetException(where + " does not exist");
            }
            Container container = container(current, d.service(), where);
            String previous = running(current, container).version();
            String reference = d.reference();
            String flagsDigest = d.flags() == null ? null : d.flags().digest();
            boolean flagsChanged = flagsDigest != null && !flagsDigest.equals(podAnnotation(current,
                    FLAGS_DIGEST_ANNOTATION));
            boolean changed = !reference.equals(container.getImage()) || flagsChanged;
            if (changed && d.expected() != null && !d.expected().matches(running(current, container))) {
                // compare-and-set: the image is set only over what the decision saw (ADR 26)
                throw new StaleDecisionException(d, running(current, container));
            }
            if (flagsChanged) {
                writeFlags(namespace, name, d);
            }
            if (changed) {
                String containerName = container.getName();
                String seen = container.getImage();
                resource.edit(deployment -> {
                    deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                            .filter(c -> c.getName().equals(containerName) && !seen.equals(c.getImage()))
                            .findAny().ifPresent(c -> {
                                throw new StaleDecisionException(d, running(deployment, c));
                            });
                    deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                            .filter(c -> c.getName().equals(containerName))
                            .forEach(c -> c.setImage(reference));
                    Map<String, String> annotations = new HashMap<>(
                            Objects.requireNonNullElse(deployment.getMetadata().getAnnotations(), Map.of()));
                    annotations.put(VERSION_ANNOTATION, d.version());
                    annotations.put(IMAGE_ANNOTATION, reference);
                    annotations.put(CHANGE_CAUSE_ANNOTATION, "Promote " + d.service() + " " + d.version() + " to "
                            + d.environment());
                    putOrRemove(annotations, EVENT_ID_ANNOTATION, d.trailers().get(Deployment.EVENT_ID));
                    putOrRemove(annotations, RUN_ID_ANNOTATION, d.trailers().get(Deployment.RUN_ID));
                    putOrRemove(annotations, APPROVED_BY_ANNOTATION, d.trailers().get(Deployment.APPROVED_BY));
                    deployment.getMetadata().setAnnotations(annotations);
                    if (flagsDigest != null) {
                        var template = deployment.getSpec().getTemplate().getMetadata();
                        if (template == null) {
                            template = new io.fabric8.kubernetes.api.model.ObjectMeta();
                            deployment.getSpec().getTemplate().setMetadata(template);
                        }
                        Map<String, String> podAnnotations = new HashMap<>(
                                Objects.requireNonNullElse(template.getAnnotations(), Map.of()));
                        podAnnotations.put(FLAGS_DIGEST_ANNOTATION, flagsDigest);
                        template.setAnnotations(podAnnotations);
                    }
                    return deployment;
                });
                log.info("Set {} of {} to {}", containerName, where, reference);
            }
            var rolledOut = awaitRollout(resource, where);
            return new DeployResult(revision(rolledOut), changed, previous);
        } catch (KubernetesClientException e) {
            throw translate("deploy to " + where, e);
        }
    }

    /**
     * Writes the release's flags as ConfigMap {@code <deployment>-flags} (key {@value #FLAGS_KEY}) in the namespace,
     * created or replaced, annotated with their digest.
     */
    private void writeFlags(String namespace, String deploymentName, Deployment d) {
        var configMap = new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                    .withName(flagsConfigMapName(d.service()))
                    .withNamespace(namespace)
                    .addToLabels("app.kubernetes.io/name", deploymentName)
                    .addToLabels("app.kubernetes.io/managed-by", "stagecoach")
                    .addToAnnotations(FLAGS_DIGEST_ANNOTATION, d.flags().digest())
                    .addToAnnotations(VERSION_ANNOTATION, d.version())
                .endMetadata()
                .addToData(FLAGS_KEY, d.flags().content())
                .build();
        client.configMaps().inNamespace(namespace).resource(configMap)
                .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        log.info("Wrote flags {} of {} {} to ConfigMap {} in namespace {}", d.flags().digest(), d.service(),
                d.version(), flagsConfigMapName(d.service()), namespace);
    }

    /** The ConfigMap that holds a service's flags: {@code <deployment>-flags}. */
    public String flagsConfigMapName(String service) {
        return deploymentName(service) + "-flags";
    }

    private static String podAnnotation(io.fabric8.kubernetes.api.model.apps.Deployment deployment, String key) {
        var template = deployment.getSpec() == null || deployment.getSpec().getTemplate() == null ? null
                : deployment.getSpec().getTemplate().getMetadata();
        return template == null || template.getAnnotations() == null ? null : template.getAnnotations().get(key);
    }

    @Override
    public Optional<RunningRelease> running(String environment, String service) {
        String namespace = settings.namespace(environment);
        String name = deploymentName(service);
        String where = "Deployment " + name + " in namespace " + namespace + " (environment " + environment + ")";
        try {
            var current = deployments(namespace, name).get();
            if (current == null) {
                return Optional.empty();
            }
            return Optional.of(running(current, container(current, service, where)));
        } catch (KubernetesClientException e) {
            throw translate("read " + where, e);
        }
    }

    /**
     * What the service's pods run: the digest their containers report, with the Deployment's version where it is the
     * digest the spec names. Pods on two digests (a rollout under way, or a pod changed by hand) answer with the one
     * the spec does not name. Empty when no pod reports a digest yet, or there is no Deployment.
     */
    @Override
    public Optional<RunningRelease> observed(String environment, String service) {
        Optional<RunningRelease> declared = running(environment, service);
        if (declared.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> pods = podDigests(environment, service);
        if (pods.isEmpty()) {
            return Optional.empty();
        }
        RunningRelease spec = declared.get();
        String digest = pods.values().stream().filter(d -> !d.equals(spec.digest())).findFirst()
                .orElse(spec.digest());
        long on = pods.values().stream().filter(digest::equals).count();
        return Optional.of(new RunningRelease(digest.equals(spec.digest()) ? spec.version() : null, spec.image(),
                digest, on + " of " + pods.size() + " pod" + (pods.size() == 1 ? "" : "s")));
    }

    /**
     * Empty when the service runs the expected digest; otherwise what runs instead (null: nothing does). What runs
     * is what the pods run (their containers' image ids) where pods report it, the Deployment's image otherwise: a
     * pod still on an old image, or started from an image changed by hand, is drift even when the spec is right.
     */
    public Optional<Drift> drift(String environment, String service, String expectedDigest) {
        Optional<RunningRelease> running = running(environment, service);
        if (running.isEmpty()) {
            return Optional.of(new Drift(environment, service, expectedDigest, null));
        }
        Map<String, String> pods = podDigests(environment, service);
        Optional<String> other = pods.values().stream().filter(digest -> !digest.equals(expectedDigest)).findFirst();
        String actual = other.orElse(pods.isEmpty() ? running.get().digest() : expectedDigest);
        if (Objects.equals(expectedDigest, actual)) {
            return Optional.empty();
        }
        RunningRelease spec = running.get();
        return Optional.of(new Drift(environment, service, expectedDigest, new RunningRelease(
                actual.equals(spec.digest()) ? spec.version() : null, spec.image(), actual, spec.revision())));
    }

    /**
     * The image digest each pod of the service's Deployment runs, by pod name: the container's {@code imageID}
     * (which the kubelet reports as {@code [docker-pullable://]repository@sha256:…}); pods that report none yet
     * are left out.
     */
    public Map<String, String> podDigests(String environment, String service) {
        String namespace = settings.namespace(environment);
        String name = deploymentName(service);
        String where = "the pods of Deployment " + name + " in namespace " + namespace;
        try {
            var deployment = deployments(namespace, name).get();
            if (deployment == null || deployment.getSpec().getSelector() == null
                    || deployment.getSpec().getSelector().getMatchLabels() == null) {
                return Map.of();
            }
            String wanted = container(deployment, service, where).getName();
            Map<String, String> digests = new java.util.TreeMap<>();
            for (var pod : client.pods().inNamespace(namespace)
                    .withLabels(deployment.getSpec().getSelector().getMatchLabels()).list().getItems()) {
                if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
                    continue;
                }
                pod.getStatus().getContainerStatuses().stream()
                        .filter(status -> wanted.equals(status.getName()) && status.getImageID() != null
                                && status.getImageID().contains("@"))
                        .findFirst().ifPresent(status -> digests.put(pod.getMetadata().getName(),
                                status.getImageID().substring(status.getImageID().lastIndexOf('@') + 1)));
            }
            return digests;
        } catch (KubernetesClientException e) {
            throw translate("read " + where, e);
        }
    }

    private RollableScalableResource<io.fabric8.kubernetes.api.model.apps.Deployment> deployments(String namespace,
                                                                                                  String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name);
    }

    private String deploymentName(String service) {
        return settings.deploymentName().replace("{service}", service);
    }

    private Container container(io.fabric8.kubernetes.api.model.apps.Deployment deployment, String service,
                                String where) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        String wanted = settings.containerName().replace("{service}", service);
        return containers.stream().filter(c -> wanted.equals(c.getName())).findFirst()
                .or(() -> containers.size() == 1 ? Optional.of(containers.get(0)) : Optional.empty())
                .orElseThrow(() -> new PermanentTargetException(where + " has no container named " + wanted));
    }

    private static RunningRelease running(io.fabric8.kubernetes.api.model.apps.Deployment deployment,
                                          Container container) {
        var image = ImageReference.parse(container.getImage());
        Map<String, String> annotations =
                Objects.requireNonNullElse(deployment.getMetadata().getAnnotations(), Map.of());
        // someone may have set the image by hand since: then the annotation no longer tells the version
        String version = container.getImage().equals(annotations.get(IMAGE_ANNOTATION))
                ? annotations.get(VERSION_ANNOTATION) : image.tag();
        return new RunningRelease(version, image.repository(), image.digest(), revision(deployment));
    }

    private io.fabric8.kubernetes.api.model.apps.Deployment awaitRollout(
            RollableScalableResource<io.fabric8.kubernetes.api.model.apps.Deployment> resource, String where) {
        io.fabric8.kubernetes.api.model.apps.Deployment last;
        try {
            last = resource.waitUntilCondition(d -> d == null || Rollout.of(d) != Rollout.PROGRESSING,
                    settings.rolloutTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (KubernetesClientTimeoutException e) {
            var now = resource.get();
            throw new RolloutFailedException("the rollout of " + where + " did not finish within "
                    + settings.rolloutTimeout() + (now == null ? "" : ": " + Rollout.describe(now)), e);
        }
        if (last == null) {
            throw new PermanentTargetException(where + " was deleted during the rollout");
        }
        if (Rollout.of(last) == Rollout.FAILED) {
            throw new RolloutFailedException("the rollout of " + where + " failed: " + Rollout.describe(last), null);
        }
        return last;
    }

    private static String revision(io.fabric8.kubernetes.api.model.apps.Deployment deployment) {
        Map<String, String> annotations = deployment.getMetadata().getAnnotations();
        if (annotations != null && annotations.get(REVISION_ANNOTATION) != null) {
            return annotations.get(REVISION_ANNOTATION);
        }
        Long generation = deployment.getMetadata().getGeneration();
        return generation != null ? "generation-" + generation : deployment.getMetadata().getResourceVersion();
    }

    private static void putOrRemove(Map<String, String> annotations, String key, String value) {
        if (value == null) {
            annotations.remove(key);
        } else {
            annotations.put(key, value);
        }
    }

    /** Server errors, throttling, conflicts and lost connections may pass; the rest will not. */
    static DeployTargetException translate(String what, KubernetesClientException e) {
        int code = e.getCode();
        String message = "cannot " + what + ": " + (code > 0 ? "HTTP " + code + " " : "") + e.getMessage();
        boolean transientFailure = code > 0
                ? code >= 500 || code == 429 || code == 409 || code == 408
                : DeployTargetException.causedByIo(e);
        return transientFailure ? new TransientTargetException(message, e) : new PermanentTargetException(message, e);
    }

    /** Rollout progress from the status fields, the way {@code kubectl rollout status} reads them. */
    enum Rollout {
        PROGRESSING, COMPLETE, FAILED;

        static Rollout of(io.fabric8.kubernetes.api.model.apps.Deployment d) {
            DeploymentStatus status = d.getStatus();
            Long generation = d.getMetadata().getGeneration();
            if (status == null || generation != null
                    && (status.getObservedGeneration() == null || status.getObservedGeneration() < generation)) {
                return PROGRESSING;
            }
            for (DeploymentCondition condition : Objects.requireNonNullElse(status.getConditions(),
                    List.<DeploymentCondition>of())) {
                if ("Progressing".equals(condition.getType())
                        && "ProgressDeadlineExceeded".equals(condition.getReason())) {
                    return FAILED;
                }
            }
            int wanted = Objects.requireNonNullElse(d.getSpec().getReplicas(), 1);
            int updated = Objects.requireNonNullElse(status.getUpdatedReplicas(), 0);
            int total = Objects.requireNonNullElse(status.getReplicas(), 0);
            int available = Objects.requireNonNullElse(status.getAvailableReplicas(), 0);
            if (updated < wanted || total > updated || available < updated) {
                return PROGRESSING;
            }
            return COMPLETE;
        }

        static String describe(io.fabric8.kubernetes.api.model.apps.Deployment d) {
            DeploymentStatus status = d.getStatus();
            if (status == null) {
                return "no status reported yet";
            }
            return "%s of %s replicas updated, %s available, observed generation %s of %s".formatted(
                    Objects.requireNonNullElse(status.getUpdatedReplicas(), 0),
                    Objects.requireNonNullElse(d.getSpec().getReplicas(), 1),
                    Objects.requireNonNullElse(status.getAvailableReplicas(), 0),
                    status.getObservedGeneration(), d.getMetadata().getGeneration());
        }
    }
}
