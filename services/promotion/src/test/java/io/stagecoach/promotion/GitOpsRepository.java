package io.stagecoach.promotion;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.TreeWalk;

/** Reads the GitOps repository a test's services deploy into, with JGit, independently of the target. */
public record GitOpsRepository(Path directory) {

    /** The overlay of {@code environment} under the default layout. */
    public static String overlay(String environment) {
        return "overlays/" + environment + "/kustomization.yaml";
    }

    /** Commits of {@code main}, newest first. */
    public List<RevCommit> commits() {
        try (Git git = Git.open(directory.toFile())) {
            List<RevCommit> commits = new ArrayList<>();
            git.log().add(git.getRepository().resolve("refs/heads/main")).call().forEach(commits::add);
            return commits;
        } catch (IOException | GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Commits whose message holds {@code text} (e.g. a {@code Stagecoach-Event-Id} trailer), newest first. */
    public List<RevCommit> commitsMentioning(String text) {
        return commits().stream().filter(c -> c.getFullMessage().contains(text)).toList();
    }

    /** The paths {@code commit} changed against its parent. */
    public List<String> changedPaths(RevCommit commit) {
        try (Git git = Git.open(directory.toFile()); RevWalk walk = new RevWalk(git.getRepository())) {
            Repository repository = git.getRepository();
            RevCommit parsed = walk.parseCommit(commit);
            CanonicalTreeParser newTree = new CanonicalTreeParser(null, repository.newObjectReader(),
                    parsed.getTree());
            CanonicalTreeParser oldTree = new CanonicalTreeParser();
            if (parsed.getParentCount() > 0) {
                oldTree.reset(repository.newObjectReader(), walk.parseCommit(parsed.getParent(0)).getTree());
            }
            return git.diff().setOldTree(oldTree).setNewTree(newTree).call().stream()
                    .map(DiffEntry::getNewPath).toList();
        } catch (IOException | GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file's content on the tip of {@code main}, or null. */
    public String file(String path) {
        try (Git git = Git.open(directory.toFile()); RevWalk walk = new RevWalk(git.getRepository())) {
            Repository repository = git.getRepository();
            RevCommit tip = walk.parseCommit(repository.resolve("refs/heads/main"));
            try (TreeWalk tree = TreeWalk.forPath(repository, path, tip.getTree())) {
                return tree == null ? null
                        : new String(repository.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
