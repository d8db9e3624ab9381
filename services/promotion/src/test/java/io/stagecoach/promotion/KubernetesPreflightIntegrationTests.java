package io.stagecoach.promotion;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Path;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.Verification;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.AuditTrail;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestEvents;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Staging's promotion service with the {@code kubernetes} target, on the real broker, against the fabric8 mock API
 * server in CRUD mode as the cluster: a release for a namespace that does not exist, then for one without the
 * default-deny policy, is blocked {@code PREFLIGHT_FAILED} with the reason, and nothing is deployed.
 */
@RealPipeline
@SpringBootTest(classes = PromotionApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesPreflightIntegrationTests {

    /** In CRUD mode, over plain HTTP. */
    static final KubernetesMockServer cluster = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(),
            new io.fabric8.mockwebserver.MockWebServer(), new java.util.HashMap<>(),
            new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
    static KubernetesClient client;

    static TestBroker broker;
    static TestPipeline fixture;

    @DynamicPropertySource
    static void runAsPromotionInStagingOnTheCluster(DynamicPropertyRegistry registry) {
        cluster.init();
        client = cluster.createClient();
        // what the service's KubernetesClientBuilder reads: the mock server, no kubeconfig, no service account
        System.setProperty("kubernetes.master", client.getMasterUrl().toString());
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        TestPipeline.register(registry, () -> broker, "staging", "promotion");
        registry.add("stagecoach.target.type", () -> "kubernetes");
    }

    @AfterAll
    static void stopTheCluster() {
        System.clearProperty("kubernetes.master");
        System.clearProperty("kubernetes.auth.tryKubeConfig");
        System.clearProperty("kubernetes.auth.tryServiceAccount");
        client.close();
        cluster.destroy();
    }

    /** Staging's namespace, as this class's environments name it. */
    private static String staging() {
        return fixture.environment("staging").namespace();
    }

    @Test
    @Order(1)
    void aReleaseForANamespaceThatDoesNotExistIsBlockedAndNothingIsDeployed() throws Exception {
        PromotionBlocked blocked = promote(TestEvents.release("svc-preflight", "1.0.0"));

        assertThat(blocked.reason()).isEqualTo(PromotionBlocked.Reason.PREFLIGHT_FAILED);
        assertThat(blocked.message()).contains("namespace " + staging() + " of environment staging does not exist");
        assertThat(client.apps().deployments().inNamespace(staging()).list().getItems()).isEmpty();
    }

    @Test
    @Order(2)
    void aNamespaceWithoutItsDefaultDenyPolicyIsNotIsolatedAndBlocksTheNextRelease() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(staging()).endMetadata()
                .build()).create();
        try (InputStream policies = new FileInputStream(Path.of("../../deploy/k8s/base/network-policies.yaml")
                .toFile())) {
            client.load(policies).items().stream()
                    .filter(policy -> !policy.getMetadata().getName().equals("default-deny-all"))
                    .forEach(policy -> client.resource(policy).inNamespace(staging()).create());
        }

        PromotionBlocked blocked = promote(TestEvents.release("svc-preflight", "1.1.0"));

        assertThat(blocked.reason()).isEqualTo(PromotionBlocked.Reason.PREFLIGHT_FAILED);
        assertThat(blocked.message()).contains("1.1.0 of svc-preflight cannot go into staging now",
                "has no default-deny NetworkPolicy");
    }

    /** Hands {@code release} from dev, verified there, and returns staging's answer. */
    private static PromotionBlocked promote(Release release) throws Exception {
        String run = EventIds.derive(release.service(), release.version(), release.digest());
        String pass = EventIds.derive(run, "smoketest.passed", "dev");
        CloudEvent<PromotionRequested> request = CloudEvent.of(PromotionRequested.verified(release, "staging",
                new Verification("dev", pass)), "/stagecoach/dev/promotion", "staging", run, pass,
                EventIds.derive(pass, "promotion.requested"));
        AuditTrail staging = fixture.audit("staging");
        fixture.publish("dev", Principal.PROMOTION, request);
        return staging.awaitCausedBy(PromotionBlocked.class, request).data();
    }
}
