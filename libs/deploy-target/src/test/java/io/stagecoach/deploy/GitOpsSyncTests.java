package io.stagecoach.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A GitOps deployment completes only once the environment's controller applied its commit: a real repository pushed
 * to a bare remote, and the Flux Kustomization or Argo CD Application on the fabric8 mock API server in CRUD mode,
 * whose status a thread of the test writes as the controller would, after it sees the push.
 */
@EnableKubernetesMockClient(crud = true)
class GitOpsSyncTests {

    private static final String SERVICE = "knative-lambda-builder";
    private static final String IMAGE = "ghcr.io/acme/knative-lambda-builder";
    private static final String DIGEST = "sha256:" + "3".repeat(64);

    KubernetesClient client;

    @TempDir
    Path temp;

    private Path remote;
    private GitOpsTarget gitops;
    private CompletableFuture<Void> controller = CompletableFuture.completedFuture(null);

    @BeforeEach
    void openTheRepository() {
        remote = GitRepos.initBare(temp.resolve("remote.git"));
        gitops = GitOpsTarget.open(GitOpsSettings.builder(temp.resolve("clone")).service(SERVICE, IMAGE)
                .environment("staging", "knative-lambda-staging").environment("prod", "knative-lambda-prod")
                .remote(remote.toUri().toString()).build());
    }

    @AfterEach
    void close() throws Exception {
        controller.get(20, TimeUnit.SECONDS);
        gitops.close();
    }

    private DeployTarget synced(String controllerName, Duration timeout) {
        return new DeployTargets.SyncedGitOpsTarget(gitops, new GitOpsSync(client,
                new TargetSettings.Sync(controllerName, null, null, timeout), Duration.ofMillis(100)));
    }

    private static io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext definition(String apiVersion) {
        return GitOpsSync.definition(apiVersion.startsWith("argoproj") ? GitOpsSync.Controller.ARGOCD
                : GitOpsSync.Controller.FLUX);
    }

    private void create(String apiVersion, String kind, String namespace) {
        client.genericKubernetesResources(definition(apiVersion)).inNamespace(namespace)
                .resource(new GenericKubernetesResourceBuilder().withApiVersion(apiVersion).withKind(kind)
                        .withNewMetadata().withName("stagecoach-staging").withNamespace(namespace).endMetadata()
                        .build()).create();
    }

    /** Plays the controller: once the remote's branch moved, writes the status {@code status} makes of its tip. */
    private void controllerReports(String apiVersion, String kind, String namespace,
                                   Function<String, Map<String, Object>> status) {
        String before = tip();
        controller = CompletableFuture.runAsync(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (tip().equals(before) && System.nanoTime() < deadline) {
                sleep(50);
            }
            sleep(300);
            client.genericKubernetesResources(definition(apiVersion)).inNamespace(namespace)
                    .withName("stagecoach-staging").edit(object -> {
                        object.setAdditionalProperty("status", status.apply(tip()));
                        return object;
                    });
        });
    }

    private String tip() {
        List<RevCommit> log = GitRepos.log(remote);
        return log.isEmpty() ? "" : log.get(0).name();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Object> ready(String status, String reason) {
        return Map.of("type", "Ready", "status", status, "reason", reason, "message", reason + " message");
    }

    @Test
    void aDeploymentCompletesOnceFluxAppliedItsCommitAndIsReady() {
        create("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system");
        controllerReports("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", sha -> Map.of(
                "lastAppliedRevision", "main@sha1:" + sha, "lastAttemptedRevision", "main@sha1:" + sha,
                "conditions", List.of(ready("True", "ReconciliationSucceeded"))));

        long start = System.nanoTime();
        DeployResult result = synced("flux", Duration.ofSeconds(20))
                .deploy(Deployment.of("staging", SERVICE, "1.2.0", IMAGE, DIGEST));

        assertThat(result.revision()).isEqualTo(tip());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited for the controller")
                .isGreaterThan(Duration.ofMillis(300));
    }

    @Test
    void aKustomizationInTheEnvironmentsOwnNamespaceIsFoundThroughTheEnvironmentPlaceholder() {
        create("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "knative-lambda-staging");
        controllerReports("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "knative-lambda-staging", sha -> Map.of(
                "lastAppliedRevision", "main@sha1:" + sha, "lastAttemptedRevision", "main@sha1:" + sha,
                "conditions", List.of(ready("True", "ReconciliationSucceeded"))));
        DeployTarget target = new DeployTargets.SyncedGitOpsTarget(gitops, new GitOpsSync(client,
                new TargetSettings.Sync("flux", null, "knative-lambda-{environment}", Duration.ofSeconds(20)),
                Duration.ofMillis(100)));

        DeployResult result = target.deploy(Deployment.of("staging", SERVICE, "1.2.1", IMAGE, DIGEST));

        assertThat(result.revision()).isEqualTo(tip());
        assertThat(client.genericKubernetesResources(definition("kustomize.toolkit.fluxcd.io/v1"))
                .inNamespace("flux-system").list().getItems()).as("nothing read or made elsewhere").isEmpty();
    }

    @Test
    void aCommitFluxFailedToApplyFailsTheDeploymentWithItsReason() {
        create("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system");
        controllerReports("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", sha -> Map.of(
                "lastAppliedRevision", "main@sha1:" + "0".repeat(40), "lastAttemptedRevision", "main@sha1:" + sha,
                "conditions", List.of(ready("False", "BuildFailed"))));

        assertThatThrownBy(() -> synced("flux", Duration.ofSeconds(20))
                .deploy(Deployment.of("staging", SERVICE, "1.2.0", IMAGE, DIGEST)))
                .isInstanceOf(RolloutFailedException.class)
                .hasMessageContaining("Flux Kustomization flux-system/stagecoach-staging failed to apply")
                .hasMessageContaining("BuildFailed");
    }

    @Test
    void aCommitNotAppliedByTheDeadlineFailsTheDeploymentSayingWhereTheControllerStands() {
        create("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system");

        assertThatThrownBy(() -> synced("flux", Duration.ofSeconds(1))
                .deploy(Deployment.of("staging", SERVICE, "1.2.0", IMAGE, DIGEST)))
                .isInstanceOf(RolloutFailedException.class)
                .hasMessageContaining("did not apply").hasMessageContaining("within PT1S")
                .hasMessageContaining("no Ready condition");
    }

    @Test
    void aDeploymentCompletesOnceArgoCdSyncedItsCommitHealthyAndFailsWhenItIsDegraded() {
        create("argoproj.io/v1alpha1", "Application", "argocd");
        controllerReports("argoproj.io/v1alpha1", "Application", "argocd", sha -> Map.of(
                "sync", Map.of("status", "Synced", "revision", sha), "health", Map.of("status", "Healthy")));
        assertThat(synced("argocd", Duration.ofSeconds(20))
                .deploy(Deployment.of("staging", SERVICE, "1.2.0", IMAGE, DIGEST)).revision()).isEqualTo(tip());
        controller.join();

        controllerReports("argoproj.io/v1alpha1", "Application", "argocd", sha -> Map.of(
                "sync", Map.of("status", "Synced", "revision", sha),
                "health", Map.of("status", "Degraded", "message", "Deployment knative-lambda-builder is degraded")));
        assertThatThrownBy(() -> synced("argocd", Duration.ofSeconds(20))
                .deploy(Deployment.of("staging", SERVICE, "1.3.0", IMAGE, "sha256:" + "4".repeat(64))))
                .isInstanceOf(RolloutFailedException.class)
                .hasMessageContaining("Argo CD Application argocd/stagecoach-staging failed to apply")
                .hasMessageContaining("is degraded");
    }

    @Test
    void withoutTheControllersObjectNothingAppliesTheCommitAndTheDeploymentFailsAtOnce() {
        assertThatThrownBy(() -> synced("flux", Duration.ofSeconds(20))
                .deploy(Deployment.of("staging", SERVICE, "1.2.0", IMAGE, DIGEST)))
                .isInstanceOf(PermanentTargetException.class)
                .hasMessageContaining("Flux Kustomization flux-system/stagecoach-staging does not exist");
    }

    @Test
    void aRevisionHoldsACommitWhenItIsThatCommitOrOneOnTopOfIt() {
        String first = gitops.deploy(Deployment.of("staging", SERVICE, "1.2.0", IMAGE, DIGEST)).revision();
        String second = gitops.deploy(Deployment.of("prod", SERVICE, "1.2.0", IMAGE, DIGEST)).revision();

        assertThat(gitops.contains(first, first)).isTrue();
        assertThat(gitops.contains(second, first)).as("prod's commit on top of staging's").isTrue();
        assertThat(gitops.contains(first, second)).isFalse();
        assertThat(gitops.contains("0".repeat(40), first)).as("a revision nobody pushed").isFalse();
        assertThat(GitOpsSync.sha("main@sha1:" + first)).isEqualTo(first);
        assertThat(GitOpsSync.sha("main/" + first)).isEqualTo(first);
    }
}
