package io.stagecoach.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The shipped {@code deploy/k8s/secrets/<env>} overlays: every Secret an environment's overlay mounts or reads comes
 * from one {@code ExternalSecret} there, with every key it reads, from store paths under {@code stagecoach/<env>/}
 * only, in the environment's namespace; and each is valid for the External Secrets Operator's own CRD (v1).
 */
class ExternalSecretManifestsTests {

    static final YAMLMapper YAML = new YAMLMapper();

    /** The {@code v1} schema of a CustomResourceDefinition shipped under {@code /crds}. */
    static Schema crdSchema(String file) throws IOException {
        return crdSchema(file, "v1");
    }

    /** The schema of version {@code wanted} of a CustomResourceDefinition shipped under {@code /crds}. */
    static Schema crdSchema(String file, String wanted) throws IOException {
        try (InputStream crd = ExternalSecretManifestsTests.class.getResourceAsStream("/crds/" + file)) {
            JsonNode versions = YAML.readTree(crd).path("spec").path("versions");
            for (JsonNode version : versions) {
                if (version.path("name").asString().equals(wanted)) {
                    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                            .getSchema(version.path("schema").path("openAPIV3Schema"));
                }
            }
        }
        throw new IllegalStateException(file + " has no " + wanted);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "staging", "prod"})
    void everySecretTheOverlayReadsComesFromAnExternalSecretOfItsOwnEnvironmentsPaths(String name) throws IOException {
        Environment environment = Environments.load(KubernetesManifestsTests.ROOT.resolve("deploy/environments.yaml"))
                .get(name);
        List<HasMetadata> overlay = KubernetesManifestsTests.kustomize("deploy/k8s/overlays/" + name);
        List<HasMetadata> secrets = KubernetesManifestsTests.kustomize("deploy/k8s/secrets/" + name);

        Map<String, Set<String>> read = new TreeMap<>();
        for (HasMetadata object : overlay) {
            if (object instanceof Deployment deployment) {
                var spec = deployment.getSpec().getTemplate().getSpec();
                for (Volume volume : spec.getVolumes()) {
                    if (volume.getSecret() != null) {
                        Set<String> keys = read.computeIfAbsent(volume.getSecret().getSecretName(), k -> new TreeSet<>());
                        volume.getSecret().getItems().stream().map(KeyToPath::getKey).forEach(keys::add);
                    }
                }
                for (var container : spec.getContainers()) {
                    for (EnvVar variable : container.getEnv()) {
                        if (variable.getValueFrom() != null && variable.getValueFrom().getSecretKeyRef() != null) {
                            var ref = variable.getValueFrom().getSecretKeyRef();
                            read.computeIfAbsent(ref.getName(), k -> new TreeSet<>()).add(ref.getKey());
                        }
                    }
                    for (EnvFromSource from : container.getEnvFrom()) {
                        if (from.getSecretRef() != null) {
                            read.computeIfAbsent(from.getSecretRef().getName(), k -> new TreeSet<>());
                        }
                    }
                }
            }
        }
        assertThat(read).as("the overlay reads Secrets").isNotEmpty();

        Schema schema = crdSchema("external-secrets.io_externalsecrets.yaml");
        Map<String, Set<String>> provided = new TreeMap<>();
        List<String> paths = new ArrayList<>();
        for (HasMetadata object : secrets) {
            assertThat(object.getKind()).isEqualTo("ExternalSecret");
            assertThat(object.getMetadata().getNamespace()).isEqualTo(environment.namespace());
            JsonNode tree = YAML.readTree(KubernetesManifestsTests.SERIALIZATION.asYaml(object));
            List<Error> errors = schema.validate(tree);
            assertThat(errors).as("%s against the ExternalSecret CRD (v1)", object.getMetadata().getName()).isEmpty();
            String target = tree.path("spec").path("target").path("name").asString(object.getMetadata().getName());
            Set<String> keys = provided.computeIfAbsent(target, k -> new TreeSet<>());
            for (JsonNode item : tree.path("spec").path("data")) {
                keys.add(item.path("secretKey").asString());
                paths.add(item.path("remoteRef").path("key").asString());
            }
        }

        assertThat(provided.keySet()).as("the Secrets the ExternalSecrets make").isEqualTo(read.keySet());
        read.forEach((secret, keys) -> assertThat(provided.get(secret)).as(secret).containsAll(keys));
        assertThat(paths).isNotEmpty().allSatisfy(path -> assertThat(path).startsWith("stagecoach/" + name + "/"));
    }
}
