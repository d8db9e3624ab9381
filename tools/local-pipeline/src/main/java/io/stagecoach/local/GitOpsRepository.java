package io.stagecoach.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.deploy.GitOpsSettings;
import io.stagecoach.deploy.GitOpsTarget;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/**
 * The pipeline's GitOps repository: a bare repository every deploying process clones and pushes to, and the demo
 * workloads read from. Created and seeded (base and one overlay per environment) before any service starts, so
 * the services never race to seed it.
 */
final class GitOpsRepository {

    static final String BRANCH = "main";

    private GitOpsRepository() {
    }

    /** The bare repository under {@code workdir}. */
    static Path bare(Path workdir) {
        return workdir.resolve("gitops.git").toAbsolutePath().normalize();
    }

    /** A deploying process's own clone. */
    static Path clone(Path workdir, String environment, String service) {
        return workdir.resolve("clones").resolve(environment + "-" + service).toAbsolutePath().normalize();
    }

    /** The overlay of {@code environment} inside the repository (the GitOps target's default layout). */
    static String overlay(String environment) {
        return "overlays/" + environment + "/kustomization.yaml";
    }

    /**
     * Creates the bare repository when absent and seeds what it lacks: the base and the overlay of every
     * environment, with an {@code images:} entry per service.
     *
     * @return true when it was created now
     */
    static boolean prepare(Path workdir, Environments environments, Function<String, String> images)
            throws IOException {
        Path bare = bare(workdir);
        boolean created = !Files.isDirectory(bare);
        if (created) {
            Files.createDirectories(bare);
            try (Git git = Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch(BRANCH).call()) {
                // an empty repository: the seed below gives it its first commit
            } catch (GitAPIException e) {
                throw new IOException("cannot create the GitOps repository " + bare + ": " + e.getMessage(), e);
            }
        }
        GitOpsSettings.Builder seed = GitOpsSettings.builder(clone(workdir, "local", "seed"))
                .remote(bare.toString())
                .branch(BRANCH);
        environments.services().forEach(service -> seed.service(service, images.apply(service)));
        for (Environment environment : environments.all()) {
            seed.environment(environment.name(), environment.namespace());
        }
        // opening a target seeds the branch, or adds the files of environments and services it has none for
        GitOpsTarget.open(seed.build()).close();
        return created;
    }
}
