package io.stagecoach.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/** Reads test repositories back with JGit, independently of the target under test. */
final class GitRepos {

    private GitRepos() {
    }

    /** The commits of the branch, newest first. */
    static List<RevCommit> log(Path repository, String branch) {
        try (Git git = Git.open(repository.toFile())) {
            var commits = new ArrayList<RevCommit>();
            git.log().add(git.getRepository().resolve("refs/heads/" + branch)).call().forEach(commits::add);
            return commits;
        } catch (IOException | GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<RevCommit> log(Path repository) {
        return log(repository, "main");
    }

    /** A file's content at a revision, or null when the revision has no such file. */
    static String fileAt(Path repository, String revision, String path) {
        try (Git git = Git.open(repository.toFile());
             RevWalk walk = new RevWalk(git.getRepository())) {
            Repository repo = git.getRepository();
            RevCommit commit = walk.parseCommit(repo.resolve(revision));
            try (TreeWalk tree = TreeWalk.forPath(repo, path, commit.getTree())) {
                return tree == null ? null
                        : new String(repo.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Commits the work tree as a person would (git add -A, git commit). */
    static void commitAll(Path workTree, String message) {
        try (Git git = Git.open(workTree.toFile())) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage(message).setAuthor("Pat Person", "pat@example.com")
                    .setCommitter("Pat Person", "pat@example.com").setSign(false).call();
        } catch (IOException | GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean isClean(Path workTree) {
        try (Git git = Git.open(workTree.toFile())) {
            return git.status().call().isClean();
        } catch (IOException | GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path initBare(Path directory) {
        try (Git git = Git.init().setBare(true).setInitialBranch("main").setDirectory(directory.toFile()).call()) {
            return directory;
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }
}
