package io.stagecoach.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * Builds the deploy target {@link TargetSettings} describe, for the services that deploy (promotion, rollback);
 * they wrap it in a {@link ResilientDeployTarget}. What it returns is {@link AutoCloseable}: close it with the
 * service.
 */
public final class DeployTargets {

    private DeployTargets() {
    }

    /**
     * A Kubernetes target gets a fabric8 client configured the usual way (kubeconfig, {@code KUBECONFIG}, or the
     * in-cluster service account).
     *
     * @param namespaces environment to Kubernetes namespace, in promotion order: the environments a GitOps
     *                   repository is seeded for, and where a Kubernetes target deploys
     */
    public static DeployTarget create(TargetSettings settings, Map<String, String> namespaces) {
        return create(settings, namespaces, () -> new KubernetesClientBuilder().build());
    }

    /** As {@link #create(TargetSettings, Map)}, with the Kubernetes client from {@code clients}. */
    public static DeployTarget create(TargetSettings settings, Map<String, String> namespaces,
                                      Supplier<KubernetesClient> clients) {
        if (settings.type() == TargetSettings.Type.GITOPS) {
            GitOpsTarget gitops = GitOpsTarget.open(gitOps(settings.gitops(), namespaces));
            if (settings.sync().which() == GitOpsSync.Controller.NONE) {
                return gitops;
            }
            KubernetesClient client = clients.get();
            return new ClosingTarget(new SyncedGitOpsTarget(gitops, new GitOpsSync(client, settings.sync())),
                    () -> {
                        client.close();
                        gitops.close();
                    });
        }
        KubernetesClient client = clients.get();
        return new ClosingTarget(new KubernetesTarget(client, kubernetes(settings.kubernetes(), namespaces)), client);
    }

    static GitOpsSettings gitOps(TargetSettings.GitOps gitops, Map<String, String> namespaces) {
        GitOpsSettings.Builder builder = GitOpsSettings.builder(gitops.directory())
                .remote(gitops.remote())
                .branch(gitops.branch())
                .layout(gitops.manifestLayout())
                .author(gitops.authorName(), gitops.authorEmail())
                .pushAttempts(gitops.pushAttempts())
                .remoteTimeout(gitops.remoteTimeout());
        gitops.images().forEach(builder::service);
        new LinkedHashMap<>(namespaces).forEach(builder::environment);
        if (gitops.username() != null || gitops.password() != null) {
            builder.credentials(new UsernamePasswordCredentialsProvider(
                    gitops.username() == null ? "" : gitops.username(),
                    gitops.password() == null ? "" : gitops.password()));
        }
        return builder.build();
    }

    static KubernetesSettings kubernetes(TargetSettings.Kubernetes kubernetes, Map<String, String> namespaces) {
        return new KubernetesSettings(namespaces, kubernetes.deployment(), kubernetes.container(),
                kubernetes.rolloutTimeout());
    }

    /**
     * A GitOps target whose deployment completes once the environment's controller applied its commit (the push
     * alone does not change the cluster).
     */
    record SyncedGitOpsTarget(GitOpsTarget gitops, GitOpsSync sync) implements DeployTarget {

        @Override
        public DeployResult deploy(Deployment deployment) {
            DeployResult result = gitops.deploy(deployment);
            sync.await(deployment.environment(), result.revision(), gitops::contains);
            return result;
        }

        @Override
        public Optional<RunningRelease> running(String environment, String service) {
            return gitops.running(environment, service);
        }

        @Override
        public Optional<RunningRelease> observed(String environment, String service) {
            return gitops.observed(environment, service);
        }

        @Override
        public Map<String, Optional<RunningRelease>> declared(String environment,
                                                              java.util.Collection<String> services) {
            return gitops.declared(environment, services);
        }
    }

    /** A target that owns a client and closes it. */
    private record ClosingTarget(DeployTarget target, AutoCloseable client) implements DeployTarget, AutoCloseable {

        @Override
        public DeployResult deploy(Deployment deployment) {
            return target.deploy(deployment);
        }

        @Override
        public Optional<RunningRelease> running(String environment, String service) {
            return target.running(environment, service);
        }

        @Override
        public java.util.List<String> preflight(String environment, String service) {
            return target.preflight(environment, service);
        }

        @Override
        public Optional<RunningRelease> observed(String environment, String service) {
            return target.observed(environment, service);
        }

        @Override
        public Map<String, Optional<RunningRelease>> declared(String environment,
                                                              java.util.Collection<String> services) {
            return target.declared(environment, services);
        }

        @Override
        public void close() throws Exception {
            client.close();
        }
    }
}
