package io.stagecoach.target;

import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/** Builds the deploy target {@link TargetSettings} describe; services wrap it in {@link ResilientDeployTarget}. */
public final class DeployTargets {

    private DeployTargets() {
    }

    /**
     * @param namespaces environment to Kubernetes namespace, in promotion order: the environments a GitOps
     *                   repository is seeded for, and where a Kubernetes target deploys
     */
    public static DeployTarget create(TargetSettings settings, Map<String, String> namespaces) {
        return switch (settings.type()) {
            case GITOPS -> GitOpsTarget.open(gitOps(settings.gitops(), namespaces));
            case KUBERNETES -> throw new UnsupportedOperationException("kubernetes");
        };
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
}
