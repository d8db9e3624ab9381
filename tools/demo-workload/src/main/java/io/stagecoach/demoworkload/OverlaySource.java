package io.stagecoach.demoworkload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/** Where the environment's {@code kustomization.yaml} is read from, afresh on every call. */
interface OverlaySource {

    /** The file's text. */
    String read() throws IOException;

    /** What is read, for messages. */
    String describe();

    /** Where the service's flags file is read from, beside the overlay; null when none is configured. */
    static OverlaySource flags(Settings settings) {
        if (settings.flagsPath() == null) {
            return null;
        }
        return settings.overlayPath() == null
                ? new File(Path.of(settings.flagsPath()))
                : new Git(settings.overlay(), settings.flagsPath());
    }

    static OverlaySource of(Settings settings) {
        return settings.overlayPath() == null
                ? new File(settings.overlay())
                : new Git(settings.overlay(), settings.overlayPath());
    }

    /** A file on disk, e.g. the working tree of the GitOps repository. */
    record File(Path path) implements OverlaySource {

        @Override
        public String read() throws IOException {
            return Files.readString(path, StandardCharsets.UTF_8);
        }

        @Override
        public String describe() {
            return path.toString();
        }
    }

    /** A file as committed on HEAD of a Git repository (bare or not): what Flux or Argo CD would apply. */
    record Git(Path repository, String path) implements OverlaySource {

        @Override
        public String read() throws IOException {
            // opened per read so new commits (by another process) are always seen
            FileRepositoryBuilder builder = new FileRepositoryBuilder().setMustExist(true);
            Path dotGit = repository.resolve(".git");
            builder.setGitDir(Files.isDirectory(dotGit) ? dotGit.toFile() : repository.toFile());
            try (Repository repo = builder.build(); RevWalk walk = new RevWalk(repo)) {
                ObjectId head = repo.resolve("HEAD^{commit}");
                if (head == null) {
                    throw new IOException(repository + " has no commit on HEAD");
                }
                try (TreeWalk tree = TreeWalk.forPath(repo, path, walk.parseCommit(head).getTree())) {
                    if (tree == null) {
                        throw new IOException(path + " is not in HEAD of " + repository);
                    }
                    return new String(repo.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
                }
            }
        }

        @Override
        public String describe() {
            return path + " on HEAD of " + repository;
        }
    }
}
