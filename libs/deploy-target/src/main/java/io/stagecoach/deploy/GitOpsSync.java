package io.stagecoach.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until the environment's GitOps controller applied a pushed commit: a Flux {@code Kustomization} whose
 * {@code status.lastAppliedRevision} holds it and which is Ready, or an Argo CD {@code Application} synced at a
 * revision that holds it and Healthy. "Holds" means that commit or a later one on top of it, since other
 * environments push to the same branch. A controller that reports the commit failed (Ready False, or Degraded, at
 * a revision holding it) fails at once; one that has not applied it by the deadline fails then. Either is a failed
 * rollout, which the rollback service answers like a failed Kubernetes rollout.
 */
public final class GitOpsSync {

    private static final Logger log = LoggerFactory.getLogger(GitOpsSync.class);

    /** Which controller, and the object of each environment it reconciles. */
    public enum Controller {
        NONE, FLUX, ARGOCD;

        static Controller of(String name) {
            return name == null || name.isBlank() ? NONE : valueOf(name.trim().toUpperCase(Locale.ROOT));
        }
    }

    private final KubernetesClient client;
    private final TargetSettings.Sync settings;
    private final Duration poll;

    public GitOpsSync(KubernetesClient client, TargetSettings.Sync settings) {
        this(client, settings, Duration.ofSeconds(2));
    }

    GitOpsSync(KubernetesClient client, TargetSettings.Sync settings, Duration poll) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.poll = poll;
    }

    /**
     * Returns once the controller of {@code environment} applied a revision holding {@code commit}, as
     * {@code holds(revision, commit)} decides; throws {@link RolloutFailedException} when it reports failure or the
     * deadline passes, {@link TransientTargetException} when the API server cannot be asked.
     */
    public void await(String environment, String commit, BiPredicate<String, String> holds) {
        String name = settings.name().replace("{environment}", environment);
        String namespace = settings.namespace().replace("{environment}", environment);
        String where = describe(namespace, name);
        Instant deadline = Instant.now().plus(settings.timeout());
        String last = "no status yet";
        while (true) {
            GenericKubernetesResource object;
            try {
                object = client.genericKubernetesResources(definition(settings.which())).inNamespace(namespace)
                        .withName(name).get();
            } catch (KubernetesClientException e) {
                throw KubernetesTarget.translate("read " + where, e);
            }
            if (object == null) {
                throw new PermanentTargetException(where + " does not exist: nothing applies " + environment
                        + "'s commits (stagecoach.target.sync names it)");
            }
            State state = settings.which() == Controller.FLUX ? flux(object) : argo(object);
            last = state.describe();
            boolean holding = state.revision() != null && holds.test(state.revision(), commit);
            if (holding && state.done()) {
                log.info("{} applied {} (at {})", where, commit, state.revision());
                return;
            }
            if (holding && state.failed()) {
                throw new RolloutFailedException(where + " failed to apply " + commit + ": " + last, null);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new RolloutFailedException(where + " did not apply " + commit + " within "
                        + settings.timeout() + ": " + last, null);
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransientTargetException("interrupted while waiting for " + where, e);
            }
        }
    }

    /** The controller's resource, named in full: no API discovery needed, nor permission for it. */
    public static ResourceDefinitionContext definition(Controller controller) {
        boolean flux = controller == Controller.FLUX;
        return new ResourceDefinitionContext.Builder()
                .withGroup(flux ? "kustomize.toolkit.fluxcd.io" : "argoproj.io")
                .withVersion(flux ? "v1" : "v1alpha1")
                .withKind(flux ? "Kustomization" : "Application")
                .withPlural(flux ? "kustomizations" : "applications")
                .withNamespaced(true).build();
    }

    private String describe(String namespace, String name) {
        return (settings.which() == Controller.FLUX ? "Flux Kustomization " : "Argo CD Application ")
                + namespace + "/" + name;
    }

    /** What the controller reports: the revision it stands at, whether that is done, or failed. */
    record State(String revision, boolean done, boolean failed, String describe) {
    }

    /** {@code lastAppliedRevision} ({@code main@sha1:<sha>}, or {@code main/<sha>} before Flux 2.1) and Ready. */
    static State flux(GenericKubernetesResource kustomization) {
        Map<String, Object> status = map(kustomization.getAdditionalProperties().get("status"));
        String applied = sha(string(status.get("lastAppliedRevision")));
        String attempted = sha(string(status.get("lastAttemptedRevision")));
        Optional<Map<String, Object>> ready = condition(status, "Ready");
        boolean isReady = ready.map(c -> "True".equals(c.get("status"))).orElse(false);
        boolean notReady = ready.map(c -> "False".equals(c.get("status"))).orElse(false);
        String says = ready.map(c -> "Ready " + c.get("status") + " (" + c.get("reason") + "): " + c.get("message"))
                .orElse("no Ready condition");
        String describe = "lastAppliedRevision " + applied + ", lastAttemptedRevision " + attempted + ", " + says;
        // a failed attempt leaves lastAppliedRevision where it was: the failure is about the attempted revision
        if (notReady && attempted != null && !attempted.equals(applied)) {
            return new State(attempted, false, true, describe);
        }
        return new State(applied, isReady, notReady, describe);
    }

    /** {@code status.sync} (revision, Synced) and {@code status.health} (Healthy; Degraded fails). */
    static State argo(GenericKubernetesResource application) {
        Map<String, Object> status = map(application.getAdditionalProperties().get("status"));
        Map<String, Object> sync = map(status.get("sync"));
        Map<String, Object> health = map(status.get("health"));
        String revision = string(sync.get("revision"));
        String synced = string(sync.get("status"));
        String healthy = string(health.get("status"));
        String describe = "sync " + synced + " at " + revision + ", health " + healthy
                + (health.get("message") == null ? "" : " (" + health.get("message") + ")");
        return new State(revision, "Synced".equals(synced) && "Healthy".equals(healthy),
                "Synced".equals(synced) && "Degraded".equals(healthy), describe);
    }

    static String sha(String revision) {
        if (revision == null || revision.isBlank()) {
            return null;
        }
        int at = revision.lastIndexOf("sha1:");
        if (at >= 0) {
            return revision.substring(at + "sha1:".length());
        }
        int slash = revision.lastIndexOf('/');
        return slash >= 0 ? revision.substring(slash + 1) : revision;
    }

    private static Optional<Map<String, Object>> condition(Map<String, Object> status, String type) {
        Object conditions = status.get("conditions");
        if (!(conditions instanceof List<?> list)) {
            return Optional.empty();
        }
        return list.stream().map(GitOpsSync::map).filter(c -> type.equals(c.get("type"))).findFirst();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String string(Object value) {
        return value == null ? null : value.toString();
    }
}
