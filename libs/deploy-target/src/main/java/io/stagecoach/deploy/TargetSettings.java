package io.stagecoach.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Which deploy target a service uses and how it is set up, as plain values a service binds from its
 * configuration ({@code stagecoach.target.*}); {@link DeployTargets#create} turns them into the target.
 * Every value may be left out (null): the compact constructors put in the defaults. Each record has one constructor
 * only, so that Spring's binder knows which to bind.
 *
 * @param type       {@code gitops} (the default) or {@code kubernetes}
 * @param gitops     the GitOps repository, for {@code gitops}
 * @param kubernetes how the Deployment is found, for {@code kubernetes}
 * @param sync       for {@code gitops}: which controller applies the pushed commits, waited for before a deployment
 *                   counts as completed
 */
public record TargetSettings(Type type, GitOps gitops, Kubernetes kubernetes, Sync sync) {

    public TargetSettings {
        type = type == null ? Type.GITOPS : type;
        gitops = gitops == null ? GitOps.defaults() : gitops;
        kubernetes = kubernetes == null ? Kubernetes.defaults() : kubernetes;
        sync = sync == null ? Sync.defaults() : sync;
    }

    /** These settings with other GitOps settings. */
    public TargetSettings withGitOps(GitOps newGitops) {
        return new TargetSettings(type, newGitops, kubernetes, sync);
    }

    /** GitOps with every default: a local repository under {@code .stagecoach/gitops}. */
    public static TargetSettings defaults() {
        return new TargetSettings(null, null, null, null);
    }

    /**
     * The GitOps controller that applies an environment's commits to its cluster.
     *
     * @param controller {@code none} (the default: a push completes the deployment), {@code flux} or {@code argocd}
     * @param name       the Flux Kustomization or Argo CD Application of the environment; {@code {environment}}
     *                   stands for it (default {@code stagecoach-{environment}})
     * @param namespace  where that object lives; {@code {environment}} stands for the environment (default
     *                   {@code flux-system} or {@code argocd}; the shipped Flux objects live in each environment's own
     *                   namespace: {@code knative-lambda-{environment}})
     * @param timeout    how long a deployment waits for the controller to apply its commit (default 5 minutes)
     */
    public record Sync(String controller, String name, String namespace, Duration timeout) {

        public Sync {
            GitOpsSync.Controller which = GitOpsSync.Controller.of(controller);
            controller = which.name().toLowerCase(Locale.ROOT);
            name = blank(name) ? "stagecoach-{environment}" : name;
            namespace = blank(namespace) ? (which == GitOpsSync.Controller.ARGOCD ? "argocd" : "flux-system")
                    : namespace;
            timeout = timeout == null ? Duration.ofMinutes(5) : timeout;
        }

        static Sync defaults() {
            return new Sync(null, null, null, null);
        }

        GitOpsSync.Controller which() {
            return GitOpsSync.Controller.of(controller);
        }
    }

    public enum Type {
        GITOPS, KUBERNETES;

        /** The name events carry: {@code gitops}, {@code kubernetes}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param repository    the local repository (work tree); created and seeded when absent
     * @param remote        a bare repository path or URL to fetch from and push to; null for local only
     * @param branch        the branch promotions are committed to
     * @param layout        {@code kustomize} (an {@code images:} entry) or {@code helm} (values keys)
     * @param path          the file that pins a service's image, with {@code {environment}} and {@code {service}}
     * @param tagKey        helm only: the dotted key of the image tag ({@code {service}} allowed)
     * @param digestKey     helm only: the dotted key of the image digest
     * @param repositoryKey helm only: the dotted key of the image repository, or null
     * @param images        service to image repository, seeded into a new repository
     * @param authorName    the author of promotion commits
     * @param authorEmail   the author's email
     * @param pushAttempts  how often a commit is rebuilt on a newer remote tip after losing a push race
     * @param remoteTimeout how long one fetch or push may take
     * @param username      user for the remote, or null
     * @param password      password or token for the remote, or null (set it from the environment, never a file
     *                      in the repository)
     */
    public record GitOps(String repository, String remote, String branch, String layout, String path, String tagKey,
                         String digestKey, String repositoryKey, Map<String, String> images, String authorName,
                         String authorEmail, Integer pushAttempts, Duration remoteTimeout, String username,
                         String password) {

        public GitOps {
            repository = blank(repository) ? ".stagecoach/gitops" : repository;
            remote = blank(remote) ? null : remote;
            branch = blank(branch) ? "main" : branch;
            layout = blank(layout) ? "kustomize" : layout.toLowerCase(Locale.ROOT);
            if (!layout.equals("kustomize") && !layout.equals("helm")) {
                throw new IllegalArgumentException("stagecoach.target.gitops.layout is kustomize or helm, not "
                        + layout);
            }
            ManifestLayout.HelmValues helm = ManifestLayout.helm();
            path = blank(path) ? (layout.equals("helm") ? helm.pathTemplate()
                    : ManifestLayout.kustomize().pathTemplate()) : path;
            tagKey = blank(tagKey) ? helm.tagKey() : tagKey;
            digestKey = blank(digestKey) ? helm.digestKey() : digestKey;
            repositoryKey = blank(repositoryKey) ? helm.repositoryKey() : repositoryKey;
            images = images == null ? Map.of() : Map.copyOf(images);
            authorName = blank(authorName) ? "Stagecoach" : authorName;
            authorEmail = blank(authorEmail) ? "stagecoach@localhost" : authorEmail;
            pushAttempts = pushAttempts == null ? 5 : pushAttempts;
            remoteTimeout = remoteTimeout == null ? Duration.ofSeconds(30) : remoteTimeout;
        }

        static GitOps defaults() {
            return new GitOps(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null);
        }

        /**
         * These settings writing to {@code remote} on {@code branch}: an environment's own repository or protected
         * branch, which only its deploy credential may push to.
         */
        public GitOps at(String newRemote, String newBranch) {
            return new GitOps(repository, newRemote, newBranch, layout, path, tagKey, digestKey, repositoryKey, images,
                    authorName, authorEmail, pushAttempts, remoteTimeout, username, password);
        }

        /** The repository directory. */
        public Path directory() {
            return Path.of(repository);
        }

        ManifestLayout manifestLayout() {
            return layout.equals("helm") ? new ManifestLayout.HelmValues(path, tagKey, digestKey, repositoryKey)
                    : new ManifestLayout.Kustomize(path);
        }

        @Override
        public String toString() {
            // the password never reaches a log
            return "GitOps[repository=" + repository + ", remote=" + remote + ", branch=" + branch + ", layout="
                    + layout + ", path=" + path + ", images=" + images + "]";
        }
    }

    /**
     * @param deployment     the Deployment's name; {@code {service}} stands for the service
     * @param container      the container whose image is set; {@code {service}} stands for the service
     * @param rolloutTimeout how long a deployment waits for its rollout
     */
    public record Kubernetes(String deployment, String container, Duration rolloutTimeout) {

        public Kubernetes {
            deployment = blank(deployment) ? "{service}" : deployment;
            container = blank(container) ? "{service}" : container;
            rolloutTimeout = rolloutTimeout == null ? Duration.ofMinutes(5) : rolloutTimeout;
        }

        static Kubernetes defaults() {
            return new Kubernetes(null, null, null);
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
