package io.stagecoach.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a {@link ManifestLayout} means for reading, editing and seeding its files. */
final class Manifests {

    private final ManifestLayout layout;
    private final Map<String, String> images;

    /** {@code images}: service to image repository, as far as known. */
    Manifests(ManifestLayout layout, Map<String, String> images) {
        this.layout = layout;
        this.images = images;
    }

    String path(String environment, String service) {
        return layout.path(environment, service);
    }

    String flagsPath(String environment, String service) {
        return layout.flagsPath(environment, service);
    }

    /** The pinned release in a file; revision is left null for the caller. */
    Optional<RunningRelease> read(String path, String content, String service) {
        if (layout instanceof ManifestLayout.HelmValues helm) {
            Optional<String> tag = ValuesFile.read(path, content, helm.key(helm.tagKey(), service));
            Optional<String> digest = ValuesFile.read(path, content, helm.key(helm.digestKey(), service));
            if (tag.isEmpty() && digest.isEmpty()) {
                return Optional.empty();
            }
            String image = helm.repositoryKey() == null ? null
                    : ValuesFile.read(path, content, helm.key(helm.repositoryKey(), service)).orElse(null);
            return Optional.of(new RunningRelease(tag.orElse(null), image != null ? image : images.get(service),
                    digest.orElse(null), null));
        }
        String known = images.get(service);
        return KustomizeImages.read(path, content, name -> known != null
                        ? name.equals(known)
                        : name.equals(service) || name.endsWith("/" + service))
                .filter(pin -> pin.newTag() != null || pin.digest() != null)
                .map(pin -> new RunningRelease(pin.newTag(), pin.image(), pin.digest(), null));
    }

    /** The version the file pins for the deployment's image before it is edited, or null. */
    String previousVersion(String path, String content, Deployment d) {
        if (layout instanceof ManifestLayout.HelmValues helm) {
            return ValuesFile.read(path, content, helm.key(helm.tagKey(), d.service())).orElse(null);
        }
        return KustomizeImages.read(path, content, d.image()::equals).map(KustomizeImages.Pin::newTag).orElse(null);
    }

    /** The file pinned to the deployment; the same string when it already was. */
    String pin(String path, String content, Deployment d) {
        if (layout instanceof ManifestLayout.HelmValues helm) {
            List<String[]> keyValues = new ArrayList<>();
            keyValues.add(new String[] {helm.key(helm.tagKey(), d.service()), d.version()});
            keyValues.add(new String[] {helm.key(helm.digestKey(), d.service()), d.digest()});
            return ValuesFile.set(path, content, keyValues);
        }
        return KustomizeImages.pin(path, content, d.image(), d.version(), d.digest());
    }

    /** The files of a new repository: the base (Kustomize) and per environment an overlay or a values file. */
    Map<String, String> seed(List<String> environments, Map<String, String> namespaces) {
        var files = new LinkedHashMap<String, String>();
        if (layout instanceof ManifestLayout.Kustomize && !environments.isEmpty()) {
            images.forEach((service, image) -> {
                String base = baseDirectory(service);
                files.merge(base + "/kustomization.yaml", """
                        apiVersion: kustomize.config.k8s.io/v1beta1
                        kind: Kustomization
                        resources:
                        """ + "  - " + service + ".yaml\n", (old, added) -> old + "  - " + service + ".yaml\n");
                files.put(base + "/" + service + ".yaml", deploymentManifest(service, image));
            });
        }
        for (String environment : environments) {
            files.putAll(seedEnvironment(environment, namespaces.get(environment)));
        }
        return files;
    }

    /** The overlay or values files of one environment, pinning nothing yet. */
    Map<String, String> seedEnvironment(String environment, String namespace) {
        var files = new LinkedHashMap<String, String>();
        images.forEach((service, image) -> {
            String path = path(environment, service);
            if (layout instanceof ManifestLayout.HelmValues helm) {
                String content = files.getOrDefault(path, "# Helm values for " + environment
                        + ". Stagecoach promotes a release by editing the image tag and digest;\n"
                        + "# other edits are kept.\n");
                files.put(path, helm.repositoryKey() == null ? content : ValuesFile.set(path, content,
                        List.<String[]>of(new String[] {helm.key(helm.repositoryKey(), service), image})));
            } else {
                String content = files.computeIfAbsent(path, p -> overlay(environment, namespace,
                        relative(parent(path), baseDirectory(service))));
                files.put(path, content + "  - name: " + YamlLines.format(image, (char) 0) + "\n");
            }
        });
        return files;
    }

    /** The base directory next to the overlays: {@code overlays/{environment}/...} gives {@code base}. */
    private String baseDirectory(String service) {
        String[] parts = layout.pathTemplate().split("/");
        int at = 0;
        while (!parts[at].contains("{environment}")) {
            at++;
        }
        var base = new StringBuilder();
        for (int i = 0; i < at - 1; i++) {
            base.append(parts[i].replace("{service}", service)).append('/');
        }
        return base.append("base").toString();
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    private static String relative(String fromDir, String toDir) {
        String[] from = fromDir.isEmpty() ? new String[0] : fromDir.split("/");
        String[] to = toDir.split("/");
        int common = 0;
        while (common < from.length && common < to.length && from[common].equals(to[common])) {
            common++;
        }
        var path = new StringBuilder();
        for (int i = common; i < from.length; i++) {
            path.append("../");
        }
        for (int i = common; i < to.length; i++) {
            path.append(to[i]).append(i < to.length - 1 ? "/" : "");
        }
        return path.toString();
    }

    private static String overlay(String environment, String namespace, String base) {
        return "# The " + environment + " overlay. Stagecoach promotes a release by editing the newTag and digest\n"
                + "# lines of the images entries below; other edits are kept.\n"
                + "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                + "kind: Kustomization\n"
                + (namespace == null || namespace.isBlank() ? "" : "namespace: " + namespace + "\n")
                + "resources:\n"
                + "  - " + base + "\n"
                + "images:\n";
    }

    private static String deploymentManifest(String service, String image) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %1$s
                  labels:
                    app.kubernetes.io/name: %1$s
                spec:
                  replicas: 1
                  selector:
                    matchLabels:
                      app.kubernetes.io/name: %1$s
                  template:
                    metadata:
                      labels:
                        app.kubernetes.io/name: %1$s
                    spec:
                      securityContext:
                        runAsNonRoot: true
                      containers:
                        - name: %1$s
                          image: %2$s
                          securityContext:
                            allowPrivilegeEscalation: false
                            readOnlyRootFilesystem: true
                          resources:
                            requests:
                              cpu: 100m
                              memory: 128Mi
                            limits:
                              memory: 256Mi
                """.formatted(service, image);
    }
}
