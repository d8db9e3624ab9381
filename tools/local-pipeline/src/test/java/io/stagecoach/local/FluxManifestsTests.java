package io.stagecoach.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.networknt.schema.Schema;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.stagecoach.deploy.GitOpsSync;
import io.stagecoach.deploy.TargetSettings;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The shipped {@code deploy/k8s/flux/<env>} kustomizations: the Flux objects of each environment's GitOps path, all
 * in its own namespace, are the ones the deploy target's sync confirmation reads, apply that environment's overlay of
 * the repository the target pushes to as a service account bound in that namespace only, check the health of the
 * workload the overlay runs, and are valid for Flux's own CRDs (v1).
 */
class FluxManifestsTests {

    /** The sync settings the README gives the services. */
    static final TargetSettings.Sync SYNC = new TargetSettings.Sync("flux", null, "knative-lambda-{environment}", null);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "staging", "prod"})
    void eachEnvironmentsFluxObjectsAreTheOnesItsSyncReadsAndChangeItsNamespaceOnly(String name) throws IOException {
        Environment environment = Environments.load(KubernetesManifestsTests.ROOT.resolve("deploy/environments.yaml"))
                .get(name);
        String namespace = environment.namespace();
        List<HasMetadata> flux = KubernetesManifestsTests.kustomize("deploy/k8s/flux/" + name);
        List<HasMetadata> overlay = KubernetesManifestsTests.kustomize("deploy/k8s/overlays/" + name);
        List<HasMetadata> workloads = KubernetesManifestsTests.kustomize("deploy/k8s/workloads/overlays/" + name);
        assertThat(flux).allSatisfy(object -> assertThat(object.getMetadata().getNamespace()).isEqualTo(namespace));
        assertThat(flux).noneMatch(object -> object.getKind().startsWith("Cluster"));

        var definition = GitOpsSync.definition(GitOpsSync.Controller.FLUX);
        JsonNode kustomization = only(flux, "Kustomization");
        assertThat(kustomization.path("apiVersion").asString())
                .isEqualTo(definition.getGroup() + "/" + definition.getVersion());
        assertThat(kustomization.path("metadata").path("name").asString())
                .isEqualTo(SYNC.name().replace("{environment}", name));
        assertThat(namespace).isEqualTo(SYNC.namespace().replace("{environment}", name));

        JsonNode spec = kustomization.path("spec");
        assertThat(spec.path("path").asString()).isEqualTo("./overlays/" + name);
        assertThat(spec.path("targetNamespace").asString()).isEqualTo(namespace);
        assertThat(spec.path("prune").asBoolean()).isTrue();
        String applier = spec.path("serviceAccountName").asString();
        assertThat(flux).anyMatch(o -> o instanceof ServiceAccount && o.getMetadata().getName().equals(applier));
        assertThat(flux).filteredOn(o -> o instanceof RoleBinding).singleElement().satisfies(o -> {
            RoleBinding binding = (RoleBinding) o;
            assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
                assertThat(subject.getName()).isEqualTo(applier);
                assertThat(subject.getNamespace()).isEqualTo(namespace);
            });
        });
        JsonNode health = spec.path("healthChecks");
        assertThat(health).isNotEmpty();
        for (JsonNode check : health) {
            assertThat(check.path("namespace").asString()).isEqualTo(namespace);
            assertThat(workloads).as("a workload the overlay of the GitOps repository runs")
                    .anyMatch(o -> o instanceof Deployment && o.getMetadata().getName()
                            .equals(check.path("name").asString()));
        }

        JsonNode repository = only(flux, "GitRepository");
        assertThat(spec.path("sourceRef").path("name").asString())
                .isEqualTo(repository.path("metadata").path("name").asString());
        String remote = overlay.stream().filter(o -> o instanceof ConfigMap
                        && o.getMetadata().getName().startsWith("stagecoach-gitops"))
                .map(o -> ((ConfigMap) o).getData().get("remote")).findFirst().orElseThrow();
        assertThat(repository.path("spec").path("url").asString()).as("the repository the deploy target pushes to")
                .isEqualTo(remote);

        assertThat(overlay).filteredOn(o -> o instanceof Role && o.getMetadata().getName().equals("stagecoach-deployer"))
                .singleElement().satisfies(role -> assertThat(((Role) role).getRules()).as("the services may read it")
                        .anyMatch(rule -> readsKustomizations(rule, definition.getGroup())));

        Map<String, String> crds = Map.of("Kustomization", "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
                "GitRepository", "source.toolkit.fluxcd.io_gitrepositories.yaml");
        for (var entry : crds.entrySet()) {
            Schema schema = ExternalSecretManifestsTests.crdSchema(entry.getValue());
            assertThat(schema.validate(only(flux, entry.getKey()))).as("%s against Flux's CRD (v1)", entry.getKey())
                    .isEmpty();
        }
    }

    static boolean readsKustomizations(PolicyRule rule, String group) {
        return rule.getApiGroups().contains(group) && rule.getResources().contains("kustomizations")
                && rule.getVerbs().contains("get");
    }

    static JsonNode only(List<HasMetadata> objects, String kind) {
        List<HasMetadata> found = objects.stream().filter(o -> o.getKind().equals(kind)).toList();
        assertThat(found).as(kind).hasSize(1);
        return ExternalSecretManifestsTests.YAML.readTree(KubernetesManifestsTests.SERIALIZATION.asYaml(found.get(0)));
    }
}
