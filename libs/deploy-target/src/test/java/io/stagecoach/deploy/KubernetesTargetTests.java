package io.stagecoach.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesTargetTests {

    private static final String SERVICE = "knative-lambda-builder";
    private static final String IMAGE = "ghcr.io/acme/knative-lambda-builder";
    private static final String DIGEST_1 = "sha256:" + "1".repeat(64);
    private static final String DIGEST_2 = "sha256:" + "2".repeat(64);
    private static final String STAGING = "knative-lambda-staging";
    private static final Map<String, String> NAMESPACES =
            Map.of("dev", "knative-lambda-dev", "staging", STAGING, "prod", "knative-lambda-prod");

    KubernetesClient client;

    private KubernetesTarget target;
    private CompletableFuture<Void> controller = CompletableFuture.completedFuture(null);

    @BeforeEach
    void deployTheRunningRelease() {
        client.apps().deployments().inNamespace(STAGING).resource(new DeploymentBuilder()
                .withNewMetadata().withName(SERVICE)
                .addToAnnotations(KubernetesTarget.VERSION_ANNOTATION, "1.4.1")
                .addToAnnotations(KubernetesTarget.IMAGE_ANNOTATION, IMAGE + "@" + DIGEST_1)
                .endMetadata()
                .withNewSpec().withReplicas(2)
                .withNewTemplate().withNewSpec()
                .addNewContainer().withName("log-shipper").withImage("fluent/fluent-bit:3.1").endContainer()
                .addNewContainer().withName(SERVICE).withImage(IMAGE + "@" + DIGEST_1).endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        reportStatus(d -> rolledOut(d.getMetadata().getGeneration(), 2));
        target = new KubernetesTarget(client, KubernetesSettings.of(NAMESPACES));
    }

    @AfterEach
    void stopTheController() throws Exception {
        controller.get(10, TimeUnit.SECONDS);
    }

    private RollableScalableResource<io.fabric8.kubernetes.api.model.apps.Deployment> deployment() {
        return client.apps().deployments().inNamespace(STAGING).withName(SERVICE);
    }

    private void reportStatus(Function<io.fabric8.kubernetes.api.model.apps.Deployment, DeploymentStatus> status) {
        deployment().editStatus(d -> {
            d.setStatus(status.apply(d));
            return d;
        });
    }

    private static DeploymentStatus rolledOut(long generation, int replicas) {
        return new DeploymentStatusBuilder().withObservedGeneration(generation).withReplicas(replicas)
                .withUpdatedReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas).build();
    }

    /** Plays the Deployment controller: once the spec changes, reports the new pods ready and a new revision. */
    private void controllerRollsOutTheNextGeneration(
            Function<io.fabric8.kubernetes.api.model.apps.Deployment, DeploymentStatus> status) {
        long generation = deployment().get().getMetadata().getGeneration();
        controller = CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> deployment().get().getMetadata().getGeneration() > generation);
            deployment().edit(d -> {
                var annotations = new HashMap<>(d.getMetadata().getAnnotations());
                annotations.put(KubernetesTarget.REVISION_ANNOTATION, String.valueOf(generation + 1));
                d.getMetadata().setAnnotations(annotations);
                return d;
            });
            reportStatus(status);
        });
    }

    private static Deployment release(String environment, String version, String digest) {
        return Deployment.of(environment, SERVICE, version, IMAGE, digest);
    }

    @Test
    void aReleaseThatChangesTheFlagsAloneWritesTheirConfigMapAndRollsThePodsOut() {
        Deployment.Flags flags = new Deployment.Flags("sha256:" + "f".repeat(64), "{\"flags\": {}}\n");
        controllerRollsOutTheNextGeneration(d -> rolledOut(d.getMetadata().getGeneration(), 2));

        // the image that runs, under a new version: only the flags change
        DeployResult result = target.deploy(release("staging", "1.4.2", DIGEST_1).withFlags(flags));

        assertThat(result.changed()).isTrue();
        var configMap = client.configMaps().inNamespace(STAGING).withName(SERVICE + "-flags").get();
        assertThat(configMap.getData()).containsExactly(Map.entry(KubernetesTarget.FLAGS_KEY, flags.content()));
        assertThat(configMap.getMetadata().getAnnotations())
                .containsEntry(KubernetesTarget.FLAGS_DIGEST_ANNOTATION, flags.digest())
                .containsEntry(KubernetesTarget.VERSION_ANNOTATION, "1.4.2");
        var deployed = deployment().get();
        assertThat(deployed.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(KubernetesTarget.FLAGS_DIGEST_ANNOTATION, flags.digest());
        assertThat(target.running("staging", SERVICE).map(RunningRelease::version)).contains("1.4.2");

        // the same again changes nothing; other flags replace the ConfigMap's
        assertThat(target.deploy(release("staging", "1.4.2", DIGEST_1).withFlags(flags)).changed()).isFalse();
        Deployment.Flags other = new Deployment.Flags("sha256:" + "e".repeat(64), "{\"flags\": {\"x\": {}}}\n");
        controllerRollsOutTheNextGeneration(d -> rolledOut(d.getMetadata().getGeneration(), 2));
        assertThat(target.deploy(release("staging", "1.4.3", DIGEST_1).withFlags(other)).changed()).isTrue();
        assertThat(client.configMaps().inNamespace(STAGING).withName(SERVICE + "-flags").get().getData())
                .containsEntry(KubernetesTarget.FLAGS_KEY, other.content());
    }

    @Test
    void deploySetsTheImageByDigestAnnotatesItAndWaitsForTheRollout() {
        controllerRollsOutTheNextGeneration(d -> rolledOut(d.getMetadata().getGeneration(), 2));

        DeployResult result = target.deploy(release("staging", "1.4.2", DIGEST_2)
                .withTrailer(Deployment.EVENT_ID, "evt-7").withTrailer(Deployment.RUN_ID, "run-42"));

        assertThat(result).isEqualTo(new DeployResult("2", true, "1.4.1"));
        var deployed = deployment().get();
        assertThat(deployed.getSpec().getTemplate().getSpec().getContainers())
                .extracting(c -> c.getName() + "=" + c.getImage())
                .containsExactly("log-shipper=fluent/fluent-bit:3.1", SERVICE + "=" + IMAGE + "@" + DIGEST_2);
        assertThat(deployed.getMetadata().getAnnotations())
                .containsEntry(KubernetesTarget.VERSION_ANNOTATION, "1.4.2")
                .containsEntry(KubernetesTarget.IMAGE_ANNOTATION, IMAGE + "@" + DIGEST_2)
                .containsEntry(KubernetesTarget.EVENT_ID_ANNOTATION, "evt-7")
                .containsEntry(KubernetesTarget.RUN_ID_ANNOTATION, "run-42")
                .containsEntry(KubernetesTarget.CHANGE_CAUSE_ANNOTATION,
                        "Promote knative-lambda-builder 1.4.2 to staging");
        assertThat(deployed.getStatus().getObservedGeneration()).isEqualTo(deployed.getMetadata().getGeneration());
    }

    @Test
    void runningReadsTheImageAndAnnotationsOfTheDeployment() {
        assertThat(target.running("staging", SERVICE))
                .hasValue(new RunningRelease("1.4.1", IMAGE, DIGEST_1, "generation-1"));
        assertThat(target.running("prod", SERVICE)).isEmpty();
    }

    @Test
    void runningTrustsTheImageOverAStaleAnnotationWhenSomeoneSetItByHand() {
        deployment().edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(1).setImage("registry.local:5000/acme/hotfix:1.4.1-hf1");
            return d;
        });

        assertThat(target.running("staging", SERVICE)).hasValueSatisfying(running -> {
            assertThat(running.version()).isEqualTo("1.4.1-hf1");
            assertThat(running.image()).isEqualTo("registry.local:5000/acme/hotfix");
            assertThat(running.digest()).isNull();
        });
    }

    @Test
    void deployingWhatAlreadyRunsChangesNothing() {
        var before = deployment().get();

        DeployResult result = target.deploy(release("staging", "1.4.1", DIGEST_1));

        assertThat(result).isEqualTo(new DeployResult("generation-1", false, "1.4.1"));
        var after = deployment().get();
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(after.getMetadata().getGeneration()).isEqualTo(1L);
    }

    @Test
    void aDeploymentDecidedOnAnotherImageChangesNothing() {
        var before = deployment().get();

        assertThatThrownBy(() -> target.deploy(release("staging", "1.4.2", DIGEST_2)
                .expecting(new Deployment.Expected("1.4.0", null))))
                .isInstanceOfSatisfying(StaleDecisionException.class,
                        e -> assertThat(e.found().digest()).isEqualTo(DIGEST_1))
                .hasMessageContaining("saw 1.4.0").hasMessageContaining("now holds 1.4.1@" + DIGEST_1);

        assertThat(deployment().get().getMetadata().getResourceVersion())
                .isEqualTo(before.getMetadata().getResourceVersion());
    }

    @Test
    void aMissingDeploymentIsAClearPermanentError() {
        assertThatThrownBy(() -> target.deploy(release("prod", "1.4.2", DIGEST_2)))
                .isInstanceOf(PermanentTargetException.class)
                .hasMessage("Deployment knative-lambda-builder in namespace knative-lambda-prod (environment prod)"
                        + " does not exist");
        assertThatThrownBy(() -> target.deploy(release("qa", "1.4.2", DIGEST_2)))
                .isInstanceOf(PermanentTargetException.class)
                .hasMessage("no namespace configured for environment qa");
    }

    @Test
    void aRolloutThatDoesNotFinishInTimeFailsTheDeployment() {
        var impatient = new KubernetesTarget(client,
                KubernetesSettings.of(NAMESPACES).withRolloutTimeout(Duration.ofMillis(1500)));
        long started = System.nanoTime();

        assertThatThrownBy(() -> impatient.deploy(release("staging", "1.4.2", DIGEST_2)))
                .isInstanceOf(RolloutFailedException.class)
                .hasMessageContaining("did not finish within PT1.5S")
                .hasMessageContaining("observed generation 1 of 2");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        assertThat(deployment().get().getSpec().getTemplate().getSpec().getContainers().get(1).getImage())
                .isEqualTo(IMAGE + "@" + DIGEST_2);
    }

    @Test
    void aRolloutPastItsProgressDeadlineFailsAtOnce() {
        controllerRollsOutTheNextGeneration(d -> new DeploymentStatusBuilder(rolledOut(d.getMetadata().getGeneration(), 2))
                .withUpdatedReplicas(1).withAvailableReplicas(1)
                .withConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
                        .withReason("ProgressDeadlineExceeded").build())
                .build());

        assertThatThrownBy(() -> target.deploy(release("staging", "1.4.2", DIGEST_2)))
                .isInstanceOf(RolloutFailedException.class)
                .hasMessageContaining("failed: 1 of 2 replicas updated, 1 available");
    }

    @Test
    void driftIsWhatRunsWhenItIsNotTheExpectedDigest() {
        assertThat(target.drift("staging", SERVICE, DIGEST_1)).isEmpty();
        assertThat(target.drift("staging", SERVICE, DIGEST_2)).hasValue(new Drift("staging", SERVICE, DIGEST_2,
                new RunningRelease("1.4.1", IMAGE, DIGEST_1, "generation-1")));
        assertThat(target.drift("prod", SERVICE, DIGEST_2)).hasValue(new Drift("prod", SERVICE, DIGEST_2, null));
    }

    @Test
    void driftIsWhatThePodsRunWhenOneRunsAnotherImageThanTheSpecSays() {
        deployment().edit(d -> {
            d.getSpec().setSelector(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                    .addToMatchLabels("app", SERVICE).build());
            return d;
        });
        pod("a", DIGEST_1);
        pod("b", DIGEST_1);
        assertThat(target.podDigests("staging", SERVICE)).isEqualTo(Map.of("a", DIGEST_1, "b", DIGEST_1));
        assertThat(target.drift("staging", SERVICE, DIGEST_1)).isEmpty();

        // someone ran another image in one pod, by hand: the spec still says DIGEST_1 (its selector edited above,
        // generation 2)
        pod("c", DIGEST_2);
        assertThat(target.drift("staging", SERVICE, DIGEST_1)).hasValue(new Drift("staging", SERVICE, DIGEST_1,
                new RunningRelease(null, IMAGE, DIGEST_2, "generation-2")));
    }

    @Test
    void observedIsWhatThePodsReportBesideWhatTheSpecDeclares() {
        deployment().edit(d -> {
            d.getSpec().setSelector(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                    .addToMatchLabels("app", SERVICE).build());
            return d;
        });
        assertThat(target.observed("staging", SERVICE)).as("no pod reports a digest yet").isEmpty();
        pod("a", DIGEST_1);
        pod("b", DIGEST_1);
        assertThat(target.observed("staging", SERVICE)).hasValue(new RunningRelease("1.4.1", IMAGE, DIGEST_1,
                "2 of 2 pods"));

        pod("c", DIGEST_2);
        assertThat(target.observed("staging", SERVICE)).hasValue(new RunningRelease(null, IMAGE, DIGEST_2,
                "1 of 3 pods"));
        assertThat(target.observed("prod", SERVICE)).as("no Deployment").isEmpty();
    }

    private void pod(String name, String digest) {
        client.pods().inNamespace(STAGING).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName(name).addToLabels("app", SERVICE).endMetadata()
                .withNewSpec().addNewContainer().withName(SERVICE).withImage(IMAGE + "@" + digest).endContainer()
                .endSpec()
                .withNewStatus().addNewContainerStatus().withName(SERVICE).withImage(IMAGE + "@" + digest)
                .withImageID("docker-pullable://" + IMAGE + "@" + digest).endContainerStatus().endStatus()
                .build()).create();
    }

    @Test
    void serverErrorsAndLostConnectionsAreTransientClientErrorsPermanent() {
        assertThat(KubernetesTarget.translate("deploy", new KubernetesClientException("unavailable", 503, null)))
                .isInstanceOf(TransientTargetException.class).hasMessageContaining("HTTP 503");
        assertThat(KubernetesTarget.translate("deploy", new KubernetesClientException("cannot connect",
                new java.net.ConnectException("Connection refused")))).isInstanceOf(TransientTargetException.class);
        assertThat(KubernetesTarget.translate("deploy", new KubernetesClientException("conflict", 409, null)))
                .isInstanceOf(TransientTargetException.class);
        assertThat(KubernetesTarget.translate("deploy", new KubernetesClientException("forbidden", 403, null)))
                .isInstanceOf(PermanentTargetException.class);
        assertThat(KubernetesTarget.translate("deploy", new KubernetesClientException("cannot parse the answer")))
                .isInstanceOf(PermanentTargetException.class);
    }
}
