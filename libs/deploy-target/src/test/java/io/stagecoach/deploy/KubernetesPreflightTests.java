package io.stagecoach.deploy;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks before a deployment, on the fabric8 mock API server in CRUD mode: a missing namespace, a namespace
 * without the default-deny policy the overlays ship, and a quota without room for the rollout's surge.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesPreflightTests {

    private static final String SERVICE = "knative-lambda-builder";
    private static final String PROD = "knative-lambda-prod";
    private static final Path SHIPPED_POLICIES = Path.of("../../deploy/k8s/base/network-policies.yaml");

    KubernetesClient client;
    private KubernetesPreflight preflight;

    @BeforeEach
    void prodWithTheShippedPoliciesAndTheWorkload() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(PROD).endMetadata().build())
                .create();
        try (InputStream policies = new FileInputStream(SHIPPED_POLICIES.toFile())) {
            client.load(policies).items().forEach(policy -> client.resource(policy).inNamespace(PROD).create());
        }
        deploy(3, "250m", "512Mi", null);
        preflight = new KubernetesPreflight(client,
                KubernetesSettings.of(Map.of("dev", "knative-lambda-dev", "prod", PROD)));
    }

    private void deploy(int replicas, String cpu, String memory, String strategy) {
        var deployment = new DeploymentBuilder().withNewMetadata().withName(SERVICE).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewTemplate().withNewSpec().addNewContainer().withName(SERVICE).withImage("example/w:1")
                .withNewResources().addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity(memory))
                .addToLimits("cpu", new Quantity("1")).endResources().endContainer().endSpec().endTemplate();
        if (strategy != null) {
            deployment = deployment.withNewStrategy().withType(strategy).endStrategy();
        }
        client.apps().deployments().inNamespace(PROD).resource(deployment.endSpec().build()).createOr(r -> r.update());
    }

    private void quota(String hardCpu, String usedCpu, String hardPods, String usedPods) {
        ResourceQuota quota = new ResourceQuotaBuilder().withNewMetadata().withName("compute").endMetadata()
                .withNewSpec().addToHard("requests.cpu", new Quantity(hardCpu)).addToHard("pods", new Quantity(hardPods))
                .endSpec().withNewStatus().addToUsed("requests.cpu", new Quantity(usedCpu))
                .addToUsed("pods", new Quantity(usedPods)).endStatus().build();
        client.resourceQuotas().inNamespace(PROD).resource(quota).createOr(r -> r.update());
    }

    @Test
    void aNamespaceWithTheShippedPoliciesAndRoomForTheSurgeIsReady() {
        quota("4", "750m", "10", "3");

        assertThat(preflight.problems("prod", SERVICE)).isEmpty();
    }

    @Test
    void aMissingNamespaceIsTheOnlyProblemNamed() {
        assertThat(preflight.problems("dev", SERVICE))
                .containsExactly("namespace knative-lambda-dev of environment dev does not exist");
    }

    @Test
    void withoutTheDefaultDenyPolicyTheEnvironmentIsNotIsolated() {
        client.network().v1().networkPolicies().inNamespace(PROD).withName("default-deny-all").delete();

        assertThat(preflight.problems("prod", SERVICE)).singleElement().asString()
                .contains("no default-deny NetworkPolicy");
    }

    @Test
    void aPolicyThatSelectsSomePodsOrAllowsIngressIsNotADefaultDeny() {
        for (NetworkPolicy policy : client.network().v1().networkPolicies().inNamespace(PROD).list().getItems()) {
            boolean defaultDeny = policy.getMetadata().getName().equals("default-deny-all");
            assertThat(KubernetesPreflight.deniesAllIngress(policy)).as(policy.getMetadata().getName())
                    .isEqualTo(defaultDeny);
        }
    }

    @Test
    void aQuotaWithoutRoomForTheSurgePodNamesWhatIsLeftAndWhatIsNeeded() {
        // three replicas surge by one pod (25%, rounded up) of 250m: 200m left is not enough
        quota("2", "1800m", "10", "3");

        assertThat(preflight.problems("prod", SERVICE)).containsExactly("ResourceQuota compute in namespace "
                + PROD + " has 0.2 of requests.cpu left (2 hard, 1.8 used); the rollout's surge needs 0.25");
    }

    @Test
    void aQuotaFullOfPodsBlocksTheSurgeAndRecreateNeedsNoRoom() {
        quota("4", "750m", "3", "3");
        assertThat(preflight.problems("prod", SERVICE)).singleElement().asString()
                .contains("has 0 of pods left (3 hard, 3 used); the rollout's surge needs 1");

        deploy(3, "250m", "512Mi", "Recreate");
        assertThat(preflight.problems("prod", SERVICE)).isEmpty();
    }

    @Test
    void surgeFollowsMaxSurgeAsTheDeploymentControllerDoes() {
        assertThat(KubernetesPreflight.surgePods(null, 3)).isEqualTo(1);
        assertThat(KubernetesPreflight.surgePods(null, 8)).isEqualTo(2);
        assertThat(KubernetesPreflight.surgePods(new IntOrString("50%"), 3)).isEqualTo(2);
        assertThat(KubernetesPreflight.surgePods(new IntOrString(0), 3)).isZero();
        assertThat(KubernetesPreflight.surgePods(new IntOrString(2), 3)).isEqualTo(2);
    }
}
