package io.stagecoach.deploy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.errors.CheckoutConflictException;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded deploy target: a Git repository of Kustomize overlays (or Helm values) that Flux or Argo CD apply.
 * A promotion is one commit that changes only the image tag and digest lines of one file, with trailers saying
 * which event, run and approver caused it; with a remote it is pushed, and a push that lost a race against
 * another writer is rebuilt on the new remote tip and pushed again (bounded). A deployment that names what its
 * decision {@linkplain Deployment#expected() expected} is a compare-and-set: each build, the first and every rebuild,
 * checks that the file still pins that release, and fails with a {@link StaleDecisionException} (committing nothing)
 * when another writer pinned something else in between, so a stale decision never overwrites a newer pin.
 *
 * <p>Commits are built from the branch tip itself, not from the work tree, so a person's uncommitted edits in the
 * work tree never slip into a promotion; the work tree is then brought along like a fast-forward.
 *
 * <p>Thread-safe: all targets on one directory in a process share a lock and a queue. Promotions that arrive while
 * another is being pushed wait in the queue and land together, one commit each and one push for all of them, so
 * the repository's throughput grows with the load instead of every promotion paying its own fetch and push. A
 * question about what runs that waited while the remote was fetched or pushed to is answered from that, without a
 * fetch of its own.
 */
public final class GitOpsTarget implements DeployTarget, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GitOpsTarget.class);
    private static final String ORIGIN = "origin";
    private static final Map<Path, Clone> CLONES = new ConcurrentHashMap<>();
    /** At most this many edits in one push, so one caller's wait stays bounded under a flood. */
    static final int MAX_BATCH = 64;
    /** Fetches and landed batches after which the repository's objects are packed, when nothing waits to land. */
    static final int PACK_AFTER = 32;
    /** The same while promotions keep queuing: packing then waits for no quiet moment. */
    static final int PACK_AFTER_BUSY = 256;

    private final GitOpsSettings settings;
    private final Repository repository;
    private final Manifests manifests;
    private final ReentrantLock lock;
    private final Queue<Pending<?>> queue;
    private final Clone clone;
    /** The remote when it is a bare repository on this machine, kept packed by its writers; else empty. */
    private final Optional<LocalRemote> localRemote;
    private final String branchRef;
    private final String trackingRef;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Runnable beforePush = () -> { };

    private GitOpsTarget(GitOpsSettings settings, Repository repository, Clone clone) {
        this.settings = settings;
        this.repository = repository;
        this.clone = clone;
        this.localRemote = LocalRemote.of(settings.remote());
        this.lock = clone.lock();
        this.queue = clone.queue();
        this.manifests = new Manifests(settings.layout(), settings.images());
        this.branchRef = Constants.R_HEADS + settings.branch();
        this.trackingRef = Constants.R_REMOTES + ORIGIN + "/" + settings.branch();
    }

    /**
     * Opens the repository, creating it when absent; with a remote, fetches and takes the remote's branch. A branch
     * with no commits yet is seeded (base and one file per environment) and, with a remote, pushed; an existing
     * one only gets the files of environments it has none for.
     */
    public static GitOpsTarget open(GitOpsSettings settings) {
        Path directory = settings.directory().toAbsolutePath().normalize();
        Clone clone = CLONES.computeIfAbsent(directory, d -> new Clone());
        ReentrantLock lock = clone.lock();
        lock.lock();
        Repository repository = null;
        try {
            repository = openOrCreate(directory, settings);
            if (settings.remote() != null) {
                StoredConfig config = repository.getConfig();
                config.setString("remote", ORIGIN, "url", settings.remote());
                config.setString("remote", ORIGIN, "fetch", "+refs/heads/*:refs/remotes/" + ORIGIN + "/*");
                config.save();
            }
            if (!clone.workTreeKnown) {
                // the work tree is what the branch is when the directory is first opened in this process
                Ref branch = repository.exactRef(Constants.R_HEADS + settings.branch());
                clone.workTreeAt = branch == null ? null : branch.getObjectId();
                clone.workTreeKnown = true;
            }
            var target = new GitOpsTarget(settings, repository, clone);
            target.seed();
            return target;
        } catch (IOException | GitAPIException e) {
            if (repository != null) {
                repository.close();
            }
            throw new TransientTargetException("cannot open the GitOps repository at " + directory + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (repository != null) {
                repository.close();
            }
            throw e;
        } finally {
            lock.unlock();
        }
    }

    private static Repository openOrCreate(Path directory, GitOpsSettings settings)
            throws IOException, GitAPIException {
        if (Files.isDirectory(directory.resolve(Constants.DOT_GIT))) {
            return new FileRepositoryBuilder().setWorkTree(directory.toFile()).setMustExist(true).build();
        }
        if (Files.isDirectory(directory)) {
            try (Stream<Path> entries = Files.list(directory)) {
                if (entries.findAny().isPresent()) {
                    throw new PermanentTargetException(directory + " is not empty and not a Git repository");
                }
            }
        }
        Files.createDirectories(directory);
        log.info("Creating the GitOps repository at {}", directory);
        try (Git git = Git.init().setDirectory(directory.toFile()).setInitialBranch(settings.branch()).call()) {
            return new FileRepositoryBuilder().setWorkTree(directory.toFile()).setMustExist(true).build();
        }
    }

    public GitOpsSettings settings() {
        return settings;
    }

    @Override
    public DeployResult deploy(Deployment d) {
        String pinnedImage = settings.images().get(d.service());
        if (pinnedImage != null && !pinnedImage.equals(d.image())) {
            // the overlays track one image repository per service: another one would add an entry nothing runs
            throw new PermanentTargetException("release image " + d.image() + " is not the image repository "
                    + pinnedImage + " that " + describe() + " tracks for " + d.service()
                    + "; build the service into " + pinnedImage + " or configure its image");
        }
        String path = manifests.path(d.environment(), d.service());
        return transact("promote " + d.service() + " to " + d.environment(), tip -> {
            if (settings.remote() != null && !settings.environments().isEmpty()
                    && !settings.environments().contains(d.environment())) {
                // a repository of some environments only: its credential must not write another's desired state
                throw new PermanentTargetException("the desired state for environment " + d.environment()
                        + " is not written through " + describe() + ", which holds that of "
                        + String.join(", ", settings.environments()) + " only; deploy from " + d.environment()
                        + "'s own services");
            }
            String content = read(tip, path).orElseThrow(() -> new PermanentTargetException(
                    "no " + path + " in " + describe() + " for environment " + d.environment()));
            String previous = manifests.previousVersion(path, content, d);
            String pinned = manifests.pin(path, content, d);
            Map<String, String> files = new java.util.LinkedHashMap<>();
            if (!pinned.equals(content)) {
                files.put(path, pinned);
            }
            Deployment described = d;
            if (d.flags() != null) {
                // the release's flags, byte for byte: a rollback writes the earlier release's back
                String flagsPath = manifests.flagsPath(d.environment(), d.service());
                if (!read(tip, flagsPath).filter(d.flags().content()::equals).isPresent()) {
                    files.put(flagsPath, d.flags().content());
                }
                described = d.withTrailer("Flags", d.flags().digest());
            }
            if (files.isEmpty()) {
                return Change.none(revision -> new DeployResult(revision, false, previous));
            }
            if (d.expected() != null) {
                // compare-and-set: the pin lands only over what the decision saw
                RunningRelease now = manifests.read(path, content, d.service())
                        .map(r -> new RunningRelease(r.version(), r.image(), r.digest(), tip.name())).orElse(null);
                if (!d.expected().matches(now)) {
                    throw new StaleDecisionException(d, now);
                }
            }
            return new Change<>(files, CommitMessage.promotion(described),
                    revision -> new DeployResult(revision, true, previous));
        });
    }

    @Override
    public Optional<RunningRelease> running(String environment, String service) {
        String path = manifests.path(environment, service);
        long asked = System.nanoTime();
        lock.lock();
        try {
            // a fetch or a landed push that began after the question was asked already answers it
            ObjectId tip = settings.remote() == null ? tip(branchRef)
                    : clone.syncedSince(asked) ? tip(trackingRef) : fetch();
            if (tip == null) {
                return Optional.empty();
            }
            return read(tip, path).flatMap(content -> manifests.read(path, content, service))
                    .map(r -> new RunningRelease(r.version(), r.image(), r.digest(), tip.name()));
        } catch (IOException e) {
            throw new TransientTargetException("cannot read " + path + " from " + describe(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * What the overlays declare for each of {@code services}, read from one tip: the remote is fetched once for all of
     * them, where {@link #running} would fetch for each.
     */
    @Override
    public Map<String, Optional<RunningRelease>> declared(String environment, java.util.Collection<String> services) {
        lock.lock();
        try {
            ObjectId tip = settings.remote() == null ? tip(branchRef) : fetch();
            Map<String, Optional<RunningRelease>> declared = new java.util.LinkedHashMap<>();
            for (String service : services) {
                String path = manifests.path(environment, service);
                declared.put(service, tip == null ? Optional.empty() : read(tip, path)
                        .flatMap(content -> manifests.read(path, content, service))
                        .map(r -> new RunningRelease(r.version(), r.image(), r.digest(), tip.name())));
            }
            return declared;
        } catch (IOException e) {
            throw new TransientTargetException("cannot read the overlays of " + environment + " from " + describe(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether {@code revision} (a commit a GitOps controller reports it applied) holds {@code commit}: it is that
     * commit or a later one on top of it. A revision this clone has not seen is fetched first; one the remote does
     * not have either holds nothing.
     */
    public boolean contains(String revision, String commit) {
        lock.lock();
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repository)) {
            ObjectId applied = ObjectId.fromString(revision);
            ObjectId ours = ObjectId.fromString(commit);
            if (!repository.getObjectDatabase().has(applied) && settings.remote() != null) {
                fetch();
            }
            if (!repository.getObjectDatabase().has(applied)) {
                return false;
            }
            return walk.isMergedInto(walk.parseCommit(ours), walk.parseCommit(applied));
        } catch (IOException e) {
            throw new TransientTargetException("cannot compare " + revision + " with " + commit + " in "
                    + describe(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            repository.close();
        }
    }

    /** Fetches from the remote by the targets on this directory so far. */
    long fetches() {
        return clone.fetches;
    }

    /** Times a writer in this process packed the remote, when it is a bare repository on this machine. */
    long remotePackings() {
        return localRemote.map(LocalRemote::packings).orElse(0L);
    }

    /** Times the objects of this directory were packed so far. */
    long packings() {
        return clone.packings;
    }

    /** Promotions waiting for the push in progress: they land together with the next one. */
    int queued() {
        return queue.size();
    }

    /** Runs before each push: lets a test push from elsewhere first, to lose the race on purpose. */
    void beforePush(Runnable hook) {
        this.beforePush = hook;
    }

    private void seed() {
        transact("seed", tip -> {
            Map<String, String> files = new LinkedHashMap<>();
            String message;
            if (tip == null) {
                files.putAll(manifests.seed(settings.environments(), settings.namespaces()));
                message = "Seed the deploy repository for " + String.join(", ", settings.environments());
            } else {
                List<String> added = new ArrayList<>();
                for (String environment : settings.environments()) {
                    manifests.seedEnvironment(environment, settings.namespaces().get(environment))
                            .forEach((path, content) -> {
                                if (read(tip, path).isEmpty()) {
                                    files.put(path, content);
                                    if (!added.contains(environment)) {
                                        added.add(environment);
                                    }
                                }
                            });
                }
                message = "Add the deploy files of " + String.join(", ", added);
            }
            return files.isEmpty() ? Change.none(revision -> null) : new Change<>(files, message + "\n",
                    revision -> null);
        });
    }

    /**
     * Queues the edit and lands it with whatever else is queued on this repository: the caller that gets the lock
     * first takes every queued edit (its own and those of the callers waiting behind it), builds one commit per
     * edit, each on the one before, and lands the last with one push (compare-and-swap on the tip it started
     * from) or one move of the local branch. Losing to another writer means building the whole batch again on
     * the newer tip, at most {@code pushAttempts} times, with a short random pause so that two clones racing
     * for one remote do not keep colliding. An edit that fails fails only its own caller; a commit, push or
     * fetch that fails fails the batch. The first attempt builds on the remote tip this clone saw last, without a
     * fetch: when nobody else pushed in between, one round trip lands the batch; when somebody did, the remote refuses
     * the push, and the next attempt fetches.
     */
    private <T> T transact(String what, Function<ObjectId, Change<T>> edit) {
        Pending<T> mine = new Pending<>(what, edit);
        queue.add(mine);
        lock.lock();
        try {
            while (!mine.done) {
                List<Pending<?>> batch = new ArrayList<>();
                for (Pending<?> next; batch.size() < MAX_BATCH && (next = queue.poll()) != null; ) {
                    batch.add(next);
                }
                land(batch);
            }
            packIfDue();
        } finally {
            lock.unlock();
        }
        return mine.outcome();
    }

    /**
     * Packs the repository's objects once enough fetches and commits have added packs and loose objects to it
     * (the caller holds the lock). Neither a fetch nor a commit ever packs on its own, so without this every
     * object lookup, and every push, would search more files the longer the service runs. A clone of a remote is
     * this process's alone (every other writer has a directory of its own and nothing reads it behind the lock), so
     * its old packs and unreachable objects go at once; a repository without a remote may be read by others (a
     * GitOps controller), so Git's own grace periods apply there. Done once nothing waits to land, or after
     * {@link #PACK_AFTER_BUSY} writes when something always does.
     */
    private void packIfDue() {
        if (clone.writesSincePacked < (queue.isEmpty() ? PACK_AFTER : PACK_AFTER_BUSY)) {
            return;
        }
        clone.writesSincePacked = 0;
        long started = System.nanoTime();
        try (Git git = new Git(repository)) {
            var gc = git.gc();
            if (settings.remote() != null) {
                repository.getConfig().setString("gc", null, "prunePackExpire", "now");
                gc.setExpire(java.time.Instant.now());
            }
            gc.call();
            clone.packings++;
            log.debug("packed the objects of {} in {} ms", settings.directory(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (GitAPIException | RuntimeException e) {
            // the next write tries again; what landed stays landed
            log.warn("could not pack the objects of {}: {}", settings.directory(), e.toString());
        }
    }

    /** Lands a batch; every edit in it is done afterwards, with its result or its failure. */
    private void land(List<Pending<?>> batch) {
        try {
            for (int attempt = 1; ; attempt++) {
                // the push is a compare-and-swap: building on a stale tip only costs a rejection and a fetch
                boolean unfetched = settings.remote() != null && attempt == 1 && settings.pushAttempts() > 1
                        && tip(trackingRef) != null;
                ObjectId base = settings.remote() == null ? tip(branchRef) : unfetched ? tip(trackingRef) : fetch();
                ObjectId head = base;
                List<Built> built = new ArrayList<>();
                // found stale on a tip not fetched: true only if the remote still is there, which landing proves
                Map<Pending<?>, StaleDecisionException> stale = new LinkedHashMap<>();
                for (Pending<?> pending : batch) {
                    if (pending.done) {
                        continue;
                    }
                    Change<?> change;
                    try {
                        change = pending.edit.apply(head);
                    } catch (StaleDecisionException e) {
                        if (unfetched) {
                            stale.put(pending, e);
                        } else {
                            pending.fail(e);
                        }
                        continue;
                    } catch (RuntimeException e) {
                        pending.fail(e);
                        continue;
                    }
                    if (!change.files().isEmpty()) {
                        head = commit(head, change.files(), change.message());
                    }
                    built.add(new Built(pending, change, head));
                }
                boolean landed;
                if (head == null || head.equals(base)) {
                    // nothing to push: true only if the remote still is where the edits looked
                    landed = !unfetched || base.equals(fetch());
                } else {
                    landed = settings.remote() != null ? push(base, head) : moveBranch(base, head);
                }
                if (landed) {
                    clone.writesSincePacked++;
                    if (head != null && settings.remote() != null) {
                        takeRemoteTip(head);
                    }
                    stale.forEach((pending, e) -> pending.fail(e));
                    for (Built b : built) {
                        if (!b.change().files().isEmpty()) {
                            log.info("{}: commit {} on {}", b.pending().what, b.revision().name(), describe());
                        }
                        b.complete();
                    }
                    if (built.size() > 1) {
                        log.debug("{} edits landed together on {}", built.size(), describe());
                    }
                    return;
                }
                if (attempt >= settings.pushAttempts()) {
                    throw TransientTargetException.contention(built.size() == 1
                            ? built.get(0).pending().what + ": " + describe() + " kept moving; gave up after "
                                    + attempt + " attempts"
                            : built.size() + " promotions: " + describe() + " kept moving; gave up after "
                                    + attempt + " attempts");
                }
                log.info("{}: {} moved while committing; rebuilding {} on the new tip (attempt {})",
                        built.isEmpty() ? "nothing" : built.get(0).pending().what, describe(),
                        built.size() == 1 ? "it" : built.size() + " edits", attempt + 1);
                pauseBeforeAttempt(attempt);
            }
        } catch (IOException e) {
            failAll(batch, new TransientTargetException(batch.get(0).what + ": " + e.getMessage(), e));
        } catch (RuntimeException e) {
            failAll(batch, e);
        }
    }

    private static void failAll(List<Pending<?>> batch, RuntimeException failure) {
        for (Pending<?> pending : batch) {
            if (!pending.done) {
                pending.fail(failure);
            }
        }
    }

    /**
     * Up to 10 ms at random after the first lost race, doubling with each further one (at most 320 ms): racing clones
     * spread out further the more of them there are, instead of colliding again.
     */
    private static void pauseBeforeAttempt(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, (10L << Math.min(attempt - 1, 5)) + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientTargetException("interrupted while waiting to rebuild on the new tip", e);
        }
    }

    private ObjectId tip(String ref) throws IOException {
        Ref r = repository.exactRef(ref);
        return r == null ? null : r.getObjectId();
    }

    private ObjectId fetch() throws IOException {
        long started = System.nanoTime();
        if (localRemote.isPresent()) {
            localRemote.get().use(this::fetchNow);
        } else {
            fetchNow();
        }
        clone.synced(started);
        clone.fetches++;
        clone.writesSincePacked++;
        return tip(trackingRef);
    }

    private Void fetchNow() {
        try (Git git = new Git(repository)) {
            git.fetch().setRemote(ORIGIN)
                    // a wildcard, because an exact ref that the remote does not have yet fails the fetch
                    .setRefSpecs(new RefSpec("+" + Constants.R_HEADS + "*:" + Constants.R_REMOTES + ORIGIN + "/*"))
                    .setRemoveDeletedRefs(true)
                    .setTimeout(timeoutSeconds())
                    .setCredentialsProvider(settings.credentials())
                    .call();
            return null;
        } catch (GitAPIException e) {
            throw new TransientTargetException("cannot fetch from " + settings.remote() + ": " + e.getMessage(), e);
        }
    }

    /** Pushes the commit if the remote branch still is {@code base}; false when another writer moved it. */
    private boolean push(ObjectId base, ObjectId commit) throws IOException {
        beforePush.run();
        long started = System.nanoTime();
        var update = new RemoteRefUpdate(repository, null, commit, branchRef, false, trackingRef,
                base == null ? ObjectId.zeroId() : base);
        PushResult result = localRemote.isPresent() ? localRemote.get().use(() -> pushNow(update)) : pushNow(update);
        localRemote.ifPresent(LocalRemote::packIfDue);
        RemoteRefUpdate outcome = result.getRemoteUpdate(branchRef);
        String message = outcome.getMessage() == null ? "" : outcome.getMessage();
        return switch (outcome.getStatus()) {
            case OK, UP_TO_DATE -> {
                // the remote was at base when it took the push: the tracking ref is its tip as of then
                clone.synced(started);
                yield true;
            }
            case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> false;
            // the remote could not lock the branch because another push was updating it
            case REJECTED_OTHER_REASON -> {
                if (message.toLowerCase(java.util.Locale.ROOT).contains("lock")) {
                    log.info("the remote {} could not lock {}: {}", settings.remote(), branchRef, message);
                    localRemote.ifPresent(remote -> remote.removeStaleLocks(branchRef));
                    yield false;
                }
                throw new PermanentTargetException("the remote " + settings.remote() + " refused the push: "
                        + message);
            }
            default -> throw new PermanentTargetException("push to " + settings.remote() + " ended "
                    + outcome.getStatus() + (message.isEmpty() ? "" : ": " + message));
        };
    }

    private PushResult pushNow(RemoteRefUpdate update) throws IOException {
        try (Transport transport = Transport.open(repository, ORIGIN)) {
            transport.setCredentialsProvider(settings.credentials());
            transport.setTimeout(timeoutSeconds());
            return transport.push(NullProgressMonitor.INSTANCE, List.of(update));
        } catch (TransportException e) {
            throw new TransientTargetException("cannot push to " + settings.remote() + ": " + e.getMessage(), e);
        } catch (NotSupportedException | URISyntaxException e) {
            throw new PermanentTargetException("cannot push to " + settings.remote() + ": " + e.getMessage(), e);
        }
    }

    /** Writes a commit with the files changed on top of {@code base} (null: a first commit). */
    private ObjectId commit(ObjectId base, Map<String, String> files, String message) throws IOException {
        try (ObjectInserter inserter = repository.newObjectInserter();
             ObjectReader reader = repository.newObjectReader();
             RevWalk walk = new RevWalk(reader)) {
            DirCache index = DirCache.newInCore();
            DirCacheBuilder builder = index.builder();
            if (base != null) {
                builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, walk.parseCommit(base).getTree());
            }
            builder.finish();
            DirCacheEditor editor = index.editor();
            for (Map.Entry<String, String> file : files.entrySet()) {
                ObjectId blob = inserter.insert(Constants.OBJ_BLOB, file.getValue().getBytes(StandardCharsets.UTF_8));
                editor.add(new DirCacheEditor.PathEdit(file.getKey()) {
                    @Override
                    public void apply(DirCacheEntry entry) {
                        if (entry.getRawMode() == 0) {
                            entry.setFileMode(FileMode.REGULAR_FILE);
                        }
                        entry.setObjectId(blob);
                    }
                });
            }
            editor.finish();
            var person = new PersonIdent(settings.authorName(), settings.authorEmail());
            var commit = new CommitBuilder();
            commit.setTreeId(index.writeTree(inserter));
            if (base != null) {
                commit.setParentId(base);
            }
            commit.setAuthor(person);
            commit.setCommitter(person);
            commit.setMessage(message);
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            return id;
        }
    }

    /** Moves the local branch from {@code expected} to {@code commit}; false when something else moved it. */
    private boolean moveBranch(ObjectId expected, ObjectId commit) throws IOException {
        RefUpdate update = repository.updateRef(branchRef);
        update.setExpectedOldObjectId(expected == null ? ObjectId.zeroId() : expected);
        update.setNewObjectId(commit);
        update.setRefLogMessage("stagecoach: commit", false);
        RefUpdate.Result result = update.update();
        return switch (result) {
            case NEW, FAST_FORWARD -> {
                syncWorkTree(expected, commit);
                clone.workTreeAt = commit;
                yield true;
            }
            case LOCK_FAILURE, REJECTED -> false;
            default -> throw new TransientTargetException("cannot move " + branchRef + ": " + result);
        };
    }

    /** Takes the local branch to {@code commit} whatever it was (the remote is the truth in a clone). */
    private void takeRemoteTip(ObjectId commit) throws IOException {
        ObjectId current = tip(branchRef);
        if (!commit.equals(current)) {
            RefUpdate update = repository.updateRef(branchRef);
            update.setNewObjectId(commit);
            update.setRefLogMessage("stagecoach: take " + trackingRef, false);
            RefUpdate.Result result = update.forceUpdate();
            switch (result) {
                case NEW, FAST_FORWARD, FORCED, NO_CHANGE -> { }
                default -> throw new TransientTargetException("cannot move " + branchRef + ": " + result);
            }
        }
        // a clone's work tree is for people to look at: brought along once nothing waits to land, not per batch
        if (queue.isEmpty() && !commit.equals(clone.workTreeAt)) {
            syncWorkTree(clone.workTreeAt, commit);
            clone.workTreeAt = commit;
        }
    }

    /** Brings the work tree from {@code from} to {@code to} like a fast-forward, keeping local edits elsewhere. */
    private void syncWorkTree(ObjectId from, ObjectId to) throws IOException {
        if (repository.isBare()) {
            return;
        }
        Ref head = repository.exactRef(Constants.HEAD);
        if (head == null || !head.isSymbolic() || !branchRef.equals(head.getTarget().getName())) {
            return;
        }
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit target = walk.parseCommit(to);
            DirCache index = repository.lockDirCache();
            DirCacheCheckout checkout = from == null
                    ? new DirCacheCheckout(repository, index, target.getTree())
                    : new DirCacheCheckout(repository, walk.parseCommit(from).getTree(), index, target.getTree());
            checkout.setFailOnConflict(true);
            checkout.checkout();
        } catch (CheckoutConflictException e) {
            log.warn("The work tree of {} has local changes to {}; left as they are (the branch is at {})",
                    settings.directory(), e.getMessage(), to.name());
        }
    }

    private Optional<String> read(ObjectId commit, String path) {
        if (commit == null) {
            return Optional.empty();
        }
        try (RevWalk walk = new RevWalk(repository);
             TreeWalk tree = TreeWalk.forPath(repository, path, walk.parseCommit(commit).getTree())) {
            if (tree == null) {
                return Optional.empty();
            }
            byte[] bytes = repository.open(tree.getObjectId(0), Constants.OBJ_BLOB).getBytes();
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            throw new MalformedManifestException(path, 0, "not UTF-8");
        } catch (IOException e) {
            throw new TransientTargetException("cannot read " + path + " at " + commit.name(), e);
        }
    }

    private int timeoutSeconds() {
        return (int) Math.max(1, settings.remoteTimeout().toSeconds());
    }

    private String describe() {
        return settings.remote() != null ? settings.remote() + " (branch " + settings.branch() + ")"
                : settings.directory() + " (branch " + settings.branch() + ")";
    }

    /**
     * What the targets of one directory in a process share: the lock around its repository, the queue of edits
     * waiting to land, and when its remote-tracking ref last was the remote's tip.
     */
    private static final class Clone {

        private final ReentrantLock lock = new ReentrantLock();
        private final Queue<Pending<?>> queue = new ConcurrentLinkedQueue<>();
        /** {@link System#nanoTime()} at the start of the last fetch or landed push; only moved under the lock. */
        private long syncedAt = Long.MIN_VALUE;
        private boolean synced;
        /** The commit the work tree was last brought to (null: none yet); moved under the lock. */
        private ObjectId workTreeAt;
        private boolean workTreeKnown;
        /** Fetches from the remote so far, for tests. */
        private volatile long fetches;
        /** Fetches and landed batches since the objects were last packed; moved under the lock. */
        private int writesSincePacked;
        /** Times the objects were packed, for tests. */
        private volatile long packings;

        ReentrantLock lock() {
            return lock;
        }

        Queue<Pending<?>> queue() {
            return queue;
        }

        void synced(long startedNanos) {
            syncedAt = startedNanos;
            synced = true;
        }

        /** Whether a fetch or landed push began at or after {@code nanos}. */
        boolean syncedSince(long nanos) {
            return synced && syncedAt - nanos >= 0;
        }
    }

    /** An edit waiting in the queue; completed by whichever caller lands the batch it is in. */
    private static final class Pending<T> {

        private final String what;
        private final Function<ObjectId, Change<T>> edit;
        private volatile boolean done;
        private T result;
        private RuntimeException failure;

        Pending(String what, Function<ObjectId, Change<T>> edit) {
            this.what = what;
            this.edit = edit;
        }

        @SuppressWarnings("unchecked")
        void complete(Change<?> change, ObjectId revision) {
            result = ((Change<T>) change).result().apply(revision == null ? null : revision.name());
            done = true;
        }

        void fail(RuntimeException e) {
            failure = e;
            done = true;
        }

        /** The result; the failure, thrown in the caller's thread with its original type. */
        T outcome() {
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    /** An edit applied in a batch, with the commit it is part of (its own, or the one before it when unchanged). */
    private record Built(Pending<?> pending, Change<?> change, ObjectId revision) {

        void complete() {
            try {
                pending.complete(change, revision);
            } catch (RuntimeException e) {
                pending.fail(e);
            }
        }
    }

    /** What an edit wants committed; no files means nothing to do. */
    private record Change<T>(Map<String, String> files, String message, Function<String, T> result) {

        static <T> Change<T> none(Function<String, T> result) {
            return new Change<>(Map.of(), null, result);
        }
    }
}
