package io.stagecoach.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jgit.transport.CredentialsProvider;

/**
 * How a {@link GitOpsTarget} keeps its repository.
 *
 * @param directory     the local repository (work tree); created when absent. With a remote it is a clone that
 *                      Stagecoach owns: its branch is moved to what it pushed
 * @param remote        the URI to fetch from and push to, or null for a local repository only
 * @param branch        the branch promotions are committed to
 * @param layout        where the image is pinned (Kustomize overlays or Helm values)
 * @param images        service to image repository: seeded into new repositories and used to find the entry
 * @param environments  the environments to seed a file for (in order)
 * @param namespaces    environment to Kubernetes namespace, written into seeded overlays (may lack some)
 * @param authorName    author and committer name of promotion commits
 * @param authorEmail   author and committer email
 * @param pushAttempts  how often a commit is rebuilt on a newer remote tip when another writer got in first
 * @param remoteTimeout how long one fetch or push may take
 * @param credentials   for the remote, or null
 */
public record GitOpsSettings(Path directory, String remote, String branch, ManifestLayout layout,
                             Map<String, String> images, List<String> environments, Map<String, String> namespaces,
                             String authorName, String authorEmail, int pushAttempts, Duration remoteTimeout,
                             CredentialsProvider credentials) {

    public GitOpsSettings {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(authorName, "authorName");
        Objects.requireNonNull(authorEmail, "authorEmail");
        Objects.requireNonNull(remoteTimeout, "remoteTimeout");
        images = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(images));
        environments = List.copyOf(environments);
        namespaces = Map.copyOf(namespaces);
        if (pushAttempts < 1) {
            throw new IllegalArgumentException("pushAttempts must be at least 1");
        }
        if (!layout.pathTemplate().contains("{service}") && images.size() > 1
                && layout instanceof ManifestLayout.HelmValues helm && !helm.tagKey().contains("{service}")) {
            throw new IllegalArgumentException("several services share one values file: put {service} in the path"
                    + " template or in the keys");
        }
    }

    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** Defaults: local only, branch {@code main}, Kustomize overlays, author {@code Stagecoach <stagecoach@localhost>}. */
    public static final class Builder {

        private final Path directory;
        private String remote;
        private String branch = "main";
        private ManifestLayout layout = ManifestLayout.kustomize();
        private final Map<String, String> images = new LinkedHashMap<>();
        private final List<String> environments = new ArrayList<>();
        private final Map<String, String> namespaces = new LinkedHashMap<>();
        private String authorName = "Stagecoach";
        private String authorEmail = "stagecoach@localhost";
        private int pushAttempts = 5;
        private Duration remoteTimeout = Duration.ofSeconds(30);
        private CredentialsProvider credentials;

        private Builder(Path directory) {
            this.directory = directory;
        }

        public Builder remote(String uri) {
            this.remote = uri;
            return this;
        }

        public Builder branch(String name) {
            this.branch = name;
            return this;
        }

        public Builder layout(ManifestLayout manifestLayout) {
            this.layout = manifestLayout;
            return this;
        }

        public Builder service(String service, String image) {
            images.put(service, image);
            return this;
        }

        public Builder environment(String name) {
            environments.add(name);
            return this;
        }

        public Builder environment(String name, String namespace) {
            environments.add(name);
            namespaces.put(name, namespace);
            return this;
        }

        public Builder author(String name, String email) {
            this.authorName = name;
            this.authorEmail = email;
            return this;
        }

        public Builder pushAttempts(int attempts) {
            this.pushAttempts = attempts;
            return this;
        }

        public Builder remoteTimeout(Duration timeout) {
            this.remoteTimeout = timeout;
            return this;
        }

        public Builder credentials(CredentialsProvider provider) {
            this.credentials = provider;
            return this;
        }

        public GitOpsSettings build() {
            return new GitOpsSettings(directory, remote, branch, layout, images, environments, namespaces,
                    authorName, authorEmail, pushAttempts, remoteTimeout, credentials);
        }
    }
}
