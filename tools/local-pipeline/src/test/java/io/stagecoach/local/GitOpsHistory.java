package io.stagecoach.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.FooterLine;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.TreeWalk;

/** The pipeline's bare GitOps repository, read with JGit independently of the deploy target. */
record GitOpsHistory(Path bare) {

    static String overlay(String environment) {
        return "overlays/" + environment + "/kustomization.yaml";
    }

    /**
     * Edits {@code path} on {@code main} as a person would by hand: a clone, a commit without Stagecoach's trailers, a
     * push; a push that lost a race to the pipeline's own writers starts again from the new tip.
     */
    void editByHand(String path, java.util.function.UnaryOperator<String> edit, String message, Path scratch) {
        for (int attempt = 1; ; attempt++) {
            Path work = scratch.resolve("hand-edit-" + System.nanoTime());
            try (Git git = Git.cloneRepository().setURI(bare.toUri().toString()).setBranch("main")
                    .setDirectory(work.toFile()).call()) {
                Path file = work.resolve(path);
                String before = java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
                String after = edit.apply(before);
                if (after.equals(before)) {
                    throw new IllegalStateException("the edit changes nothing in " + path);
                }
                java.nio.file.Files.writeString(file, after, StandardCharsets.UTF_8);
                git.add().addFilepattern(path).call();
                git.commit().setMessage(message).setAuthor("sam", "sam@example.com")
                        .setCommitter("sam", "sam@example.com").call();
                boolean pushed = git.push().call().iterator().next().getRemoteUpdates().stream()
                        .allMatch(u -> u.getStatus() == org.eclipse.jgit.transport.RemoteRefUpdate.Status.OK);
                if (pushed) {
                    return;
                }
            } catch (IOException | GitAPIException e) {
                throw new IllegalStateException(e);
            }
            if (attempt == 10) {
                throw new IllegalStateException("a hand edit of " + path + " lost ten races to the pipeline");
            }
        }
    }

    /**
     * Puts a local remote moved to {@code away} (an outage) back at {@code remote}. A push or repack that was under
     * way in another thread when it went keeps writing where the remote was (JGit receives a push to a local path
     * in process, and the deploy targets repack a local remote): what it left there is not the repository, and is
     * removed, saying so.
     */
    static void bringBack(Path away, Path remote) throws IOException {
        if (java.nio.file.Files.exists(remote)) {
            try (var left = java.nio.file.Files.walk(remote)) {
                System.out.println("[fault] found at the remote's path while it was gone, removed before it came back: "
                        + left.filter(java.nio.file.Files::isRegularFile).map(remote::relativize).toList());
            }
            org.eclipse.jgit.util.FileUtils.delete(remote.toFile(), org.eclipse.jgit.util.FileUtils.RECURSIVE);
        }
        java.nio.file.Files.move(away, remote);
    }

    /** Commits of {@code main}, newest first. */
    List<RevCommit> commits() {
        try (Git git = Git.open(bare.toFile())) {
            List<RevCommit> commits = new ArrayList<>();
            git.log().add(git.getRepository().resolve("refs/heads/main")).call().forEach(commits::add);
            return commits;
        } catch (IOException | GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Commits with the trailer {@code key: value}, newest first. */
    List<RevCommit> commitsWithTrailer(String key, String value) {
        return commits().stream().filter(c -> value.equals(trailers(c).get(key))).toList();
    }

    /** A commit's trailers, e.g. {@code Stagecoach-Run-Id}. */
    static Map<String, String> trailers(RevCommit commit) {
        Map<String, String> trailers = new LinkedHashMap<>();
        for (FooterLine footer : commit.getFooterLines()) {
            trailers.put(footer.getKey(), footer.getValue());
        }
        return trailers;
    }

    /** The paths {@code commit} changed against its parent. */
    List<String> changedPaths(RevCommit commit) {
        try (Git git = Git.open(bare.toFile()); RevWalk walk = new RevWalk(git.getRepository());
             ObjectReader reader = git.getRepository().newObjectReader()) {
            RevCommit parsed = walk.parseCommit(commit);
            CanonicalTreeParser newTree = new CanonicalTreeParser(null, reader, parsed.getTree());
            CanonicalTreeParser oldTree = new CanonicalTreeParser();
            if (parsed.getParentCount() > 0) {
                oldTree.reset(reader, walk.parseCommit(parsed.getParent(0)).getTree());
            }
            return git.diff().setOldTree(oldTree).setNewTree(newTree).call().stream().map(DiffEntry::getNewPath)
                    .toList();
        } catch (IOException | GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file on the tip of {@code main}. */
    String file(String path) {
        return fileIfAny(path).orElseThrow(() -> new IllegalStateException(path + " is not on main"));
    }

    /** A file on the tip of {@code main}, if it is there. */
    java.util.Optional<String> fileIfAny(String path) {
        try (Git git = Git.open(bare.toFile())) {
            return java.util.Optional.ofNullable(read(git.getRepository(),
                    git.getRepository().resolve("refs/heads/main"), path));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file as {@code commit} has it; null when it has none. */
    String fileAt(RevCommit commit, String path) {
        try (Git git = Git.open(bare.toFile())) {
            return read(git.getRepository(), commit, path);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Repository repository, org.eclipse.jgit.lib.AnyObjectId commit, String path)
            throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit parsed = walk.parseCommit(commit);
            try (TreeWalk tree = TreeWalk.forPath(repository, path, parsed.getTree())) {
                return tree == null ? null
                        : new String(repository.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
            }
        }
    }
}
