package io.stagecoach.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The Kubernetes target against a real cluster, opt-in: it runs where a kubeconfig is (the {@code KUBECONFIG}
 * variable, or {@code ~/.kube/config}) and {@code STAGECOACH_REAL_CLUSTER=1} says this cluster may be used, and is
 * reported as skipped, with that reason, everywhere else. In a namespace of its own (deleted afterwards), with a
 * default-deny policy and a quota, it runs {@code registry.k8s.io/pause} 3.9, learns the digests of 3.9 and 3.10 from
 * what the kubelet reports, then deploys 3.10 by digest through the target (kubectl's rollout rules), reads back what
 * the Deployment declares and what its pods run, rolls back to 3.9 through the same path, and sees a digest that
 * does not exist fail its rollout at the progress deadline.
 *
 * <pre>{@code
 * STAGECOACH_REAL_CLUSTER=1 ./mvnw -pl libs/deploy-target -am verify -Dtest=RealClusterTests \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * }</pre>
 */
@EnabledIf(value = "aClusterMayBeUsed", disabledReason = "no kubeconfig, or STAGECOACH_REAL_CLUSTER is not 1: "
        + "this test needs a real cluster it may create a namespace in")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClusterTests {

    static final String SERVICE = "pause";
    static final String IMAGE = "registry.k8s.io/pause";
    static final String ENVIRONMENT = "it";

    static KubernetesClient client;
    static String namespace;
    static KubernetesTarget target;
    static String digest39;
    static String digest310;

    static boolean aClusterMayBeUsed() {
        String kubeconfig = System.getenv("KUBECONFIG");
        boolean present = kubeconfig != null && !kubeconfig.isBlank()
                || Files.isRegularFile(Path.of(System.getProperty("user.home"), ".kube", "config"));
        return present && "1".equals(System.getenv("STAGECOACH_REAL_CLUSTER"));
    }

    @BeforeAll
    static void aNamespaceOfItsOwn() {
        client = new KubernetesClientBuilder().build();
        namespace = "stagecoach-it-" + UUID.randomUUID().toString().substring(0, 8);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                .build()).create();
        client.network().v1().networkPolicies().inNamespace(namespace).resource(new NetworkPolicyBuilder()
                .withNewMetadata().withName("default-deny").endMetadata()
                .withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Ingress", "Egress").endSpec()
                .build()).create();
        client.resourceQuotas().inNamespace(namespace).resource(new ResourceQuotaBuilder()
                .withNewMetadata().withName("quota").endMetadata()
                .withNewSpec().withHard(Map.of("requests.cpu", new Quantity("1"), "requests.memory",
                        new Quantity("512Mi"), "limits.cpu", new Quantity("2"), "limits.memory", new Quantity("1Gi")))
                .endSpec().build()).create();
        digest39 = digestOf("pause-39", IMAGE + ":3.9");
        digest310 = digestOf("pause-310", IMAGE + ":3.10");
        client.apps().deployments().inNamespace(namespace).resource(deployment(SERVICE, IMAGE + "@" + digest39))
                .create();
        target = new KubernetesTarget(client, KubernetesSettings.of(Map.of(ENVIRONMENT, namespace))
                .withRolloutTimeout(Duration.ofMinutes(3)));
    }

    @AfterAll
    static void deleteTheNamespace() {
        if (client != null) {
            if (namespace != null) {
                client.namespaces().withName(namespace).delete();
            }
            client.close();
        }
    }

    @Test
    @Order(1)
    void preflightFindsTheNamespaceItsPolicyAndRoomForTheSurge() {
        assertThat(target.preflight(ENVIRONMENT, SERVICE)).isEmpty();
    }

    @Test
    @Order(2)
    void deploysByDigestWaitsForTheRolloutAndReportsWhatThePodsRun() {
        DeployResult result = target.deploy(Deployment.of(ENVIRONMENT, SERVICE, "3.10", IMAGE, digest310));

        assertThat(result.changed()).isTrue();
        assertThat(target.running(ENVIRONMENT, SERVICE)).get().satisfies(r -> {
            assertThat(r.version()).isEqualTo("3.10");
            assertThat(r.digest()).isEqualTo(digest310);
        });
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(target.observed(ENVIRONMENT, SERVICE))
                .get().satisfies(r -> assertThat(r.digest()).isEqualTo(digest310)));
        assertThat(target.drift(ENVIRONMENT, SERVICE, digest310)).isEmpty();
        assertThat(target.deploy(Deployment.of(ENVIRONMENT, SERVICE, "3.10", IMAGE, digest310)).changed())
                .as("deploying what runs changes nothing").isFalse();
    }

    @Test
    @Order(3)
    void rollsBackThroughTheSamePath() {
        target.deploy(Deployment.of(ENVIRONMENT, SERVICE, "3.9", IMAGE, digest39));

        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(target.podDigests(ENVIRONMENT, SERVICE))
                .isNotEmpty().allSatisfy((pod, digest) -> assertThat(digest).isEqualTo(digest39)));
    }

    @Test
    @Order(4)
    void aDigestThatDoesNotExistFailsItsRolloutAtTheProgressDeadline() {
        client.apps().deployments().inNamespace(namespace).withName(SERVICE)
                .edit(d -> new DeploymentBuilder(d).editSpec().withProgressDeadlineSeconds(20).endSpec().build());
        String missing = "sha256:" + "0".repeat(64);

        assertThatThrownBy(() -> target.deploy(Deployment.of(ENVIRONMENT, SERVICE, "0.0.1-missing", IMAGE, missing)))
                .isInstanceOf(RolloutFailedException.class);
    }

    /** Runs {@code image} by tag in a Deployment of its own and returns the digest its pod reports. */
    private static String digestOf(String name, String image) {
        client.apps().deployments().inNamespace(namespace).resource(deployment(name, image)).create();
        KubernetesTarget reader = new KubernetesTarget(client, KubernetesSettings.of(Map.of(ENVIRONMENT, namespace)));
        String[] digest = new String[1];
        await().atMost(Duration.ofMinutes(3)).until(() -> {
            List<String> digests = List.copyOf(reader.podDigests(ENVIRONMENT, name).values());
            digest[0] = digests.isEmpty() ? null : digests.get(0);
            return digest[0] != null;
        });
        client.apps().deployments().inNamespace(namespace).withName(name).delete();
        return digest[0];
    }

    private static io.fabric8.kubernetes.api.model.apps.Deployment deployment(String name, String image) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(1)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName(name).withImage(image)
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("10m"), "memory", new Quantity("16Mi")))
                .withLimits(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("32Mi")))
                .endResources()
                .endContainer().endSpec().endTemplate().endSpec().build();
    }
}
