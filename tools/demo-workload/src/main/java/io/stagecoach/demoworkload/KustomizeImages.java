package io.stagecoach.demoworkload;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.FailsafeSchema;

/** Reads the {@code images:} entries of a kustomization, where the GitOps target pins a service's version. */
final class KustomizeImages {

    private KustomizeImages() {
    }

    /**
     * The {@code newTag} of the {@code images:} entry for {@code service}: the entry whose image name ends in
     * {@code /<service>} (or is {@code <service>}).
     *
     * @throws IllegalArgumentException if the text is not YAML
     */
    static Optional<String> newTag(String kustomization, String service) {
        Object root;
        try {
            // every scalar a string, as kustomize reads a tag: newTag 1.10 stays "1.10"; a Load is not thread-safe
            root = new Load(LoadSettings.builder().setSchema(new FailsafeSchema()).setAllowDuplicateKeys(false)
                    .build()).loadFromString(kustomization);
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException("not YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (!(root instanceof Map<?, ?> document) || !(document.get("images") instanceof List<?> images)) {
            return Optional.empty();
        }
        for (Object entry : images) {
            if (entry instanceof Map<?, ?> image && image.get("name") instanceof String name
                    && repositoryName(name).equals(service)) {
                return image.get("newTag") instanceof String tag ? Optional.of(tag) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** {@code knative-lambda-builder} of {@code ghcr.io/example/knative-lambda-builder:1.0@sha256:…}. */
    static String repositoryName(String image) {
        String name = image;
        int at = name.indexOf('@');
        if (at >= 0) {
            name = name.substring(0, at);
        }
        name = name.substring(name.lastIndexOf('/') + 1);
        int colon = name.indexOf(':');
        return colon >= 0 ? name.substring(0, colon) : name;
    }
}
