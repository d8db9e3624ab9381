package io.stagecoach.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class DeployTargetsTests {

    private static final String SERVICE = "knative-lambda-builder";
    private static final String IMAGE = "ghcr.io/acme/knative-lambda-builder";
    private static final String DIGEST = "sha256:" + "3".repeat(64);

    KubernetesClient client;

    @TempDir
    Path temp;

    @Test
    void defaultsToAKustomizeGitOpsRepositoryUnderTheWorkingDirectory() {
        TargetSettings settings = TargetSettings.defaults();

        assertThat(settings.type()).isEqualTo(TargetSettings.Type.GITOPS);
        assertThat(settings.type().id()).isEqualTo("gitops");
        assertThat(settings.gitops().directory()).isEqualTo(Path.of(".stagecoach/gitops"));
        assertThat(settings.gitops().manifestLayout()).isEqualTo(ManifestLayout.kustomize());
        assertThat(settings.gitops().branch()).isEqualTo("main");
        assertThat(settings.kubernetes().rolloutTimeout()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void refusesAnUnknownLayoutByItsPropertyName() {
        assertThatThrownBy(() -> new TargetSettings.GitOps(null, null, null, "jsonnet", null, null, null, null, null,
                null, null, null, null, null, null))
                .hasMessageContaining("stagecoach.target.gitops.layout").hasMessageContaining("jsonnet");
    }

    @Test
    void keepsTheRemotePasswordOutOfItsDescription() {
        var gitops = new TargetSettings.GitOps(null, "https://git.example.com/deploy.git", null, null, null, null,
                null, null, null, null, null, null, null, "stagecoach", "s3cret-token");

        assertThat(gitops.toString()).contains("git.example.com").doesNotContain("s3cret-token");
    }

    @Test
    void createsASeededGitOpsRepositoryThatPinsEachEnvironmentsOverlay() throws Exception {
        var gitops = new TargetSettings.GitOps(temp.resolve("repo").toString(), null, null, null,
                "deploy/overlays/{environment}/kustomization.yaml", null, null, null, Map.of(SERVICE, IMAGE), null,
                null, null, null, null, null);
        var namespaces = new LinkedHashMap<String, String>();
        namespaces.put("dev", "kl-dev");
        namespaces.put("staging", "kl-staging");

        DeployTarget target = DeployTargets.create(new TargetSettings(null, gitops, null, null), namespaces);
        try {
            DeployResult result = target.deploy(Deployment.of("staging", SERVICE, "1.4.2", IMAGE, DIGEST));

            assertThat(result.changed()).isTrue();
            assertThat(target.running("staging", SERVICE)).hasValueSatisfying(r -> {
                assertThat(r.version()).isEqualTo("1.4.2");
                assertThat(r.digest()).isEqualTo(DIGEST);
            });
            assertThat(GitRepos.fileAt(temp.resolve("repo"), "main", "deploy/overlays/dev/kustomization.yaml"))
                    .contains(IMAGE).doesNotContain("1.4.2");
        } finally {
            ((AutoCloseable) target).close();
        }
    }

    @Test
    void createsAKubernetesTargetOnTheEnvironmentsNamespace() throws Exception {
        client.apps().deployments().inNamespace("kl-dev").resource(new DeploymentBuilder()
                .withNewMetadata().withName(SERVICE).endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec()
                .addNewContainer().withName(SERVICE).withImage(IMAGE + ":1.0.0").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        var settings = new TargetSettings(TargetSettings.Type.KUBERNETES, null,
                new TargetSettings.Kubernetes(null, null, Duration.ofSeconds(5)), null);

        DeployTarget target = DeployTargets.create(settings, Map.of("dev", "kl-dev"), () -> client);

        assertThat(target.running("dev", SERVICE)).hasValueSatisfying(r -> assertThat(r.version())
                .isEqualTo("1.0.0"));
        assertThat(target).isInstanceOf(AutoCloseable.class);
    }
}
