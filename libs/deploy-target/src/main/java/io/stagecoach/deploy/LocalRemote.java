package io.stagecoach.deploy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.URIish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote that is a bare repository on this machine's file system, as the local pipeline's is. No Git server keeps
 * it packed: every push leaves a pack file in it, and Git's own housekeeping on receive (past 50 packs) repacks while
 * keeping the old packs for an hour, so it runs again on nearly every push and the packs still grow; every fetch and
 * push reads more index files the longer the pipeline runs. So the writers in this process keep it packed
 * themselves: fetches and pushes share the remote (a read lock), and once it holds more than {@link #PACK_LIMIT}
 * packs a writer repacks it alone (the write lock), dropping the old packs at once, which no other writer in the
 * process can be using then. A writer in another process (compose runs each service in a container of its own on
 * one volume) is safe too: the pack it is receiving carries a {@code .keep} file until its refs are updated, and a
 * repack keeps kept packs.
 */
final class LocalRemote {

    private static final Logger log = LoggerFactory.getLogger(LocalRemote.class);
    private static final Map<Path, LocalRemote> REMOTES = new ConcurrentHashMap<>();
    /** Pack files the remote may gather before a writer repacks it. */
    static final int PACK_LIMIT = 16;
    /** A ref lock older than this has no writer any more. */
    static final Duration STALE_LOCK = Duration.ofMinutes(1);

    private final Path gitDir;
    /** Fair, so a repack waiting for the pushes in flight is not overtaken by new ones forever. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private volatile long packings;

    private LocalRemote(Path gitDir) {
        this.gitDir = gitDir;
    }

    /** The remote as a bare repository on this file system, if it is one (a path or a {@code file:} URI). */
    static Optional<LocalRemote> of(String remote) {
        if (remote == null) {
            return Optional.empty();
        }
        try {
            URIish uri = new URIish(remote);
            if (uri.getHost() != null || (uri.getScheme() != null && !"file".equals(uri.getScheme()))) {
                return Optional.empty();
            }
            Path path = Path.of(uri.getPath()).toAbsolutePath().normalize();
            if (!Files.isDirectory(path.resolve("objects")) || !Files.isRegularFile(path.resolve("HEAD"))) {
                return Optional.empty();
            }
            return Optional.of(REMOTES.computeIfAbsent(path, LocalRemote::new));
        } catch (URISyntaxException | InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** Runs a fetch or push while no repack runs. */
    <T> T use(IoCall<T> call) throws IOException {
        lock.readLock().lock();
        try {
            return call.run();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Repacks the remote if it gathered more than {@link #PACK_LIMIT} packs; call after a push, holding no lock of it. */
    void packIfDue() {
        if (packs() <= PACK_LIMIT) {
            return;
        }
        lock.writeLock().lock();
        try {
            if (packs() <= PACK_LIMIT) {
                return;
            }
            long started = System.nanoTime();
            try (Repository repository = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true)
                    .build(); Git git = new Git(repository)) {
                // old packs go at once: a pack another process is still receiving carries a .keep file until its
                // refs are updated, and a repack never deletes a kept pack; loose objects (a C Git receive-pack
                // unpacks small pushes) keep Git's own two weeks' grace
                repository.getConfig().setString("gc", null, "prunePackExpire", "now");
                git.gc().call();
            }
            packings++;
            log.debug("packed the GitOps remote {} in {} ms", gitDir, (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | GitAPIException | RuntimeException e) {
            // the next push tries again; what landed stays landed
            log.warn("could not pack the GitOps remote {}: {}", gitDir, e.toString());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Removes the lock files of {@code ref} and of the packed refs when they are older than {@link #STALE_LOCK}: a
     * writer holds a ref's lock for the milliseconds of its update, so one that old was left by a writer that stopped
     * halfway (a process killed, the repository moved away under it), and would refuse every push for ever. Says
     * whether it removed one.
     */
    boolean removeStaleLocks(String ref) {
        boolean removed = false;
        for (Path file : List.of(gitDir.resolve(ref + ".lock"), gitDir.resolve("packed-refs.lock"))) {
            try {
                Duration age = Duration.between(Files.getLastModifiedTime(file).toInstant(), Instant.now());
                if (age.compareTo(STALE_LOCK) > 0 && Files.deleteIfExists(file)) {
                    log.warn("removed {}, left {} s ago by a writer that stopped in the middle of an update; no writer "
                            + "holds a lock that long", file, age.toSeconds());
                    removed = true;
                }
            } catch (NoSuchFileException e) {
                // not locked
            } catch (IOException e) {
                log.warn("could not remove the stale lock {}: {}", file, e.toString());
            }
        }
        return removed;
    }

    /** Pack files in the remote now. */
    long packs() {
        try (Stream<Path> files = Files.list(gitDir.resolve("objects").resolve("pack"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".pack")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Times a writer in this process repacked it. */
    long packings() {
        return packings;
    }

    /** A fetch or push. */
    @FunctionalInterface
    interface IoCall<T> {
        T run() throws IOException;
    }
}
