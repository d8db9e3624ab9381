package io.stagecoach.deploy;

import java.util.Objects;

/**
 * Where and how a GitOps repository pins a service's image. Path templates are relative to the repository root
 * and may use {@code {environment}} (required) and {@code {service}}; values keys may use {@code {service}}.
 */
public sealed interface ManifestLayout permits ManifestLayout.Kustomize, ManifestLayout.HelmValues {

    /** Kustomize overlays at {@code overlays/{environment}/kustomization.yaml}. */
    static Kustomize kustomize() {
        return new Kustomize("overlays/{environment}/kustomization.yaml");
    }

    /** Helm values at {@code helm/values-{environment}.yaml}, keys {@code image.tag} and {@code image.digest}. */
    static HelmValues helm() {
        return new HelmValues("helm/values-{environment}.yaml", "image.tag", "image.digest", "image.repository");
    }

    /**
     * Where a release's feature flags are written: one flagd file per environment and service, in a folder of the
     * environment's own, so that a GitOps controller can mount it beside the service and {@code stagecoach lint}
     * ties it to its environment.
     */
    String FLAGS_TEMPLATE = "flags/{environment}/{service}.flagd.json";

    String pathTemplate();

    /** The flagd file of the service's feature flags in the environment. */
    default String flagsPath(String environment, String service) {
        return FLAGS_TEMPLATE.replace("{environment}", environment).replace("{service}", service);
    }

    /** The file that pins the service's image in the environment. */
    default String path(String environment, String service) {
        return pathTemplate().replace("{environment}", environment).replace("{service}", service);
    }

    /** A kustomization whose {@code images:} entry ({@code name: <image>}) gets {@code newTag} and {@code digest}. */
    record Kustomize(String pathTemplate) implements ManifestLayout {

        public Kustomize {
            checkTemplate(pathTemplate);
        }
    }

    /**
     * A Helm values file with the tag and digest at dotted keys; {@code repositoryKey} (may be null) is only read,
     * to tell which image runs.
     */
    record HelmValues(String pathTemplate, String tagKey, String digestKey, String repositoryKey)
            implements ManifestLayout {

        public HelmValues {
            checkTemplate(pathTemplate);
            Objects.requireNonNull(tagKey, "tagKey");
            Objects.requireNonNull(digestKey, "digestKey");
        }

        String key(String template, String service) {
            return template == null ? null : template.replace("{service}", service);
        }
    }

    private static void checkTemplate(String template) {
        Objects.requireNonNull(template, "pathTemplate");
        if (!template.contains("{environment}") || template.startsWith("/") || template.contains("..")
                || !(template.endsWith(".yaml") || template.endsWith(".yml"))) {
            throw new IllegalArgumentException("a path template is relative, names {environment} and ends in"
                    + " .yaml or .yml: " + template);
        }
    }
}
