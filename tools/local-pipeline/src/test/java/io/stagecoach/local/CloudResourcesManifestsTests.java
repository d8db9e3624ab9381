package io.stagecoach.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.networknt.schema.Schema;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.stagecoach.platform.cloud.AwsResources;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped {@code deploy/k8s/cloud/<env>} kustomizations are what {@code stagecoach cloud-resources} generates
 * from {@code deploy/environments.yaml}, each object is valid for its AWS Controllers for Kubernetes CRD
 * ({@code v1alpha1}), and each environment's resources are its own: the repository expires images after the
 * environment's retention, the bucket blocks public access, and the role's policy names only the environment's
 * repository and bucket and trusts only service accounts of its namespace.
 */
class CloudResourcesManifestsTests {

    /** The issuer the shipped files were generated with (deploy/k8s/cloud/README.md). */
    static final String OIDC_PROVIDER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    static final Path CLOUD = KubernetesManifestsTests.ROOT.resolve("deploy/k8s/cloud");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Map<String, String> CRDS = Map.of("Repository", "ecr.services.k8s.aws_repositories.yaml",
            "Bucket", "s3.services.k8s.aws_buckets.yaml", "Role", "iam.services.k8s.aws_roles.yaml");
    static final Map<String, Long> RETENTION_DAYS = Map.of("dev", 7L, "staging", 30L, "prod", 90L);

    static Environments environments() {
        return Environments.load(KubernetesManifestsTests.ROOT.resolve("deploy/environments.yaml"));
    }

    @Test
    void theShippedFilesAreWhatEnvironmentsYamlGenerates() throws IOException {
        AwsResources.Plan plan = AwsResources.plan(environments(), OIDC_PROVIDER);

        assertThat(plan.problems()).isEmpty();
        for (Map.Entry<String, String> file : plan.files().entrySet()) {
            assertThat(CLOUD.resolve(file.getKey())).as("deploy/k8s/cloud/" + file.getKey() + " differs from what "
                    + "environments.yaml generates: run ./stagecoach cloud-resources --oidc-provider " + OIDC_PROVIDER)
                    .hasContent(file.getValue());
        }
        try (Stream<Path> shipped = Files.walk(CLOUD)) {
            assertThat(shipped.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".yaml"))
                    .map(f -> CLOUD.relativize(f).toString()).toList())
                    .containsExactlyInAnyOrderElementsOf(plan.files().keySet());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev", "staging", "prod"})
    void eachEnvironmentsResourcesAreValidAndItsOwn(String name) throws IOException {
        Environments environments = environments();
        Environment environment = environments.get(name);
        List<HasMetadata> objects = KubernetesManifestsTests.kustomize("deploy/k8s/cloud/" + name);

        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder("Repository", "Bucket", "Role");
        for (HasMetadata object : objects) {
            JsonNode tree = tree(object);
            assertThat(object.getMetadata().getNamespace()).isEqualTo(environment.namespace());
            assertThat(problems(tree)).as("%s %s against its ACK CRD", object.getKind(),
                    object.getMetadata().getName()).isEmpty();
            JsonNode spec = tree.path("spec");
            switch (object.getKind()) {
                case "Repository" -> {
                    assertThat(environment.cloud().imageRepository().orElseThrow()).endsWith("/"
                            + spec.path("name").asString());
                    JsonNode rule = JSON.readTree(spec.path("lifecyclePolicy").asString()).path("rules").path(0);
                    assertThat(rule.path("selection").path("countNumber").asLong()).isEqualTo(RETENTION_DAYS.get(name));
                    assertThat(rule.path("action").path("type").asString()).isEqualTo("expire");
                }
                case "Bucket" -> {
                    assertThat(spec.path("name").asString()).isEqualTo(environment.cloud().bucketName().orElseThrow());
                    assertThat(spec.path("publicAccessBlock").properties()).hasSize(4)
                            .allSatisfy(setting -> assertThat(setting.getValue().asBoolean()).isTrue());
                }
                default -> {
                    assertThat(environment.cloud().iamRole().orElseThrow()).endsWith("/" + spec.path("name").asString());
                    JsonNode trust = JSON.readTree(spec.path("assumeRolePolicyDocument").asString());
                    assertThat(trust.toString()).contains("system:serviceaccount:" + environment.namespace() + ":");
                    for (Environment other : environments.all()) {
                        if (!other.name().equals(name)) {
                            assertThat(trust.toString()).doesNotContain(other.namespace());
                        }
                    }
                    List<String> resources = new ArrayList<>();
                    spec.path("inlinePolicies").properties().forEach(policy -> JSON.readTree(
                            policy.getValue().asString()).path("Statement").forEach(statement ->
                            resources.add(statement.path("Resource").asString())));
                    assertThat(resources).isNotEmpty().allSatisfy(resource -> assertThat(resource)
                            .satisfiesAnyOf(r -> assertThat(r).isEqualTo("*"), r -> assertThat(r).contains("-" + name)));
                }
            }
        }
    }

    @Test
    void theCrdSchemasHaveTeeth() throws IOException {
        ObjectNode role = (ObjectNode) tree(KubernetesManifestsTests.kustomize("deploy/k8s/cloud/dev").stream()
                .filter(o -> o.getKind().equals("Role")).findFirst().orElseThrow());
        ((ObjectNode) role.path("spec")).remove("assumeRolePolicyDocument");
        ObjectNode bucket = (ObjectNode) tree(KubernetesManifestsTests.kustomize("deploy/k8s/cloud/dev").stream()
                .filter(o -> o.getKind().equals("Bucket")).findFirst().orElseThrow());
        ((ObjectNode) bucket.path("spec").path("publicAccessBlock")).put("blockPublicACLs", "yes");

        assertThat(problems(role)).anySatisfy(problem -> assertThat(problem).contains("assumeRolePolicyDocument"));
        assertThat(problems(bucket)).isNotEmpty();
    }

    static JsonNode tree(HasMetadata object) {
        return ExternalSecretManifestsTests.YAML.readTree(KubernetesManifestsTests.SERIALIZATION.asYaml(object));
    }

    static List<String> problems(JsonNode object) throws IOException {
        Schema schema = ExternalSecretManifestsTests.crdSchema(CRDS.get(object.path("kind").asString()), "v1alpha1");
        return schema.validate(object).stream().map(Object::toString).toList();
    }
}
