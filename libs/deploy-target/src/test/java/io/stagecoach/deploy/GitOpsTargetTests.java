package io.stagecoach.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.revwalk.FooterLine;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitOpsTargetTests {

    private static final String SERVICE = "knative-lambda-builder";
    private static final String IMAGE = "ghcr.io/acme/knative-lambda-builder";
    private static final String DIGEST_1 = "sha256:" + "1".repeat(64);
    private static final String DIGEST_2 = "sha256:" + "2".repeat(64);
    private static final String STAGING = "overlays/staging/kustomization.yaml";

    @TempDir
    Path temp;

    private final List<GitOpsTarget> opened = new ArrayList<>();

    @AfterEach
    void closeTargets() {
        opened.forEach(GitOpsTarget::close);
    }

    private GitOpsSettings.Builder settings(Path directory) {
        return GitOpsSettings.builder(directory)
                .service(SERVICE, IMAGE)
                .environment("dev", "knative-lambda-dev")
                .environment("staging", "knative-lambda-staging")
                .environment("prod", "knative-lambda-prod");
    }

    private GitOpsTarget open(GitOpsSettings settings) {
        GitOpsTarget target = GitOpsTarget.open(settings);
        opened.add(target);
        return target;
    }

    private static Deployment release(String environment, String version, String digest) {
        return Deployment.of(environment, SERVICE, version, IMAGE, digest);
    }

    @Test
    void seedsABaseAndOneOverlayPerEnvironmentOnFirstStart() throws IOException {
        Path repo = temp.resolve("gitops");

        GitOpsTarget target = open(settings(repo).build());

        assertThat(repo.resolve("base/kustomization.yaml")).content().contains("- " + SERVICE + ".yaml");
        assertThat(repo.resolve("base/" + SERVICE + ".yaml")).content()
                .contains("kind: Deployment", "name: " + SERVICE, "image: " + IMAGE);
        for (String environment : List.of("dev", "staging", "prod")) {
            assertThat(repo.resolve("overlays/" + environment + "/kustomization.yaml")).content()
                    .contains("namespace: knative-lambda-" + environment, "  - ../../base", "images:",
                            "  - name: " + IMAGE);
        }
        assertThat(GitRepos.log(repo)).singleElement().satisfies(seed -> {
            assertThat(seed.getShortMessage()).isEqualTo("Seed the deploy repository for dev, staging, prod");
            assertThat(seed.getAuthorIdent().getName()).isEqualTo("Stagecoach");
        });
        assertThat(GitRepos.isClean(repo)).isTrue();
        assertThat(target.running("staging", SERVICE)).isEmpty();
    }

    @Test
    void reopeningSeedsNothingAgainButAddsTheOverlayOfANewEnvironment() {
        Path repo = temp.resolve("gitops");
        open(settings(repo).build()).close();
        open(settings(repo).build()).close();
        assertThat(GitRepos.log(repo)).hasSize(1);

        open(settings(repo).environment("qa", "knative-lambda-qa").build());

        List<RevCommit> log = GitRepos.log(repo);
        assertThat(log).hasSize(2);
        assertThat(log.get(0).getShortMessage()).isEqualTo("Add the deploy files of qa");
        assertThat(repo.resolve("overlays/qa/kustomization.yaml")).content().contains("namespace: knative-lambda-qa");
        assertThat(GitRepos.isClean(repo)).isTrue();
    }

    @Test
    void aPromotionEditsOnlyTheTagAndDigestLinesOfTheOverlay() throws IOException {
        Path repo = temp.resolve("gitops");
        GitOpsTarget target = open(settings(repo).build());
        String handWritten = """
                # Staging: reviewed by the platform team.
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                namespace: knative-lambda-staging  # never share a namespace

                resources:
                  - ../../base   # the shared base
                images:
                  - name: ghcr.io/acme/sidecar
                    newTag: "3.1.0"
                  # the builder: Stagecoach pins it
                  - name: ghcr.io/acme/knative-lambda-builder
                    newTag: 1.4.1     # last good: 1.4.0
                    digest: %s

                patches:
                  - path: replicas.yaml
                """.formatted(DIGEST_1);
        Files.writeString(repo.resolve(STAGING), handWritten);
        GitRepos.commitAll(repo, "Describe the staging overlay");

        DeployResult result = target.deploy(release("staging", "1.4.2", DIGEST_2));

        String promoted = GitRepos.fileAt(repo, "refs/heads/main", STAGING);
        List<String> before = handWritten.lines().toList();
        List<String> after = promoted.lines().toList();
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.size(); i++) {
            if (before.get(i).contains("newTag: 1.4.1")) {
                assertThat(after.get(i)).isEqualTo("    newTag: 1.4.2     # last good: 1.4.0");
            } else if (before.get(i).contains("digest:")) {
                assertThat(after.get(i)).isEqualTo("    digest: " + DIGEST_2);
            } else {
                assertThat(after.get(i)).as("line %d", i + 1).isEqualTo(before.get(i));
            }
        }
        assertThat(promoted).endsWith("\n");
        assertThat(result.changed()).isTrue();
        assertThat(result.previousVersion()).isEqualTo("1.4.1");
        assertThat(repo.resolve(STAGING)).content().isEqualTo(promoted);
        assertThat(GitRepos.isClean(repo)).isTrue();
    }

    @Test
    void aReleaseWithFlagsWritesThemInTheSameCommitAndARollbackWritesTheEarlierOnesBack() {
        Path repo = temp.resolve("gitops");
        GitOpsTarget target = open(settings(repo).build());
        String flagsPath = "flags/staging/" + SERVICE + ".flagd.json";
        Deployment.Flags off = new Deployment.Flags("sha256:" + "a".repeat(64), "{\"flags\": {}}\n");
        Deployment.Flags on = new Deployment.Flags("sha256:" + "b".repeat(64), "{\"flags\": {\"x\": {}}}\n");

        DeployResult first = target.deploy(release("staging", "1.0.0", DIGEST_1).withFlags(off));
        // the same image with other flags: a new version that changes the flags alone
        DeployResult second = target.deploy(release("staging", "1.1.0", DIGEST_1).withFlags(on));
        DeployResult again = target.deploy(release("staging", "1.1.0", DIGEST_1).withFlags(on));
        DeployResult back = target.deploy(release("staging", "1.0.0", DIGEST_1).withFlags(off));
        DeployResult withoutFlags = target.deploy(release("staging", "1.2.0", DIGEST_2));

        assertThat(first.changed()).isTrue();
        assertThat(GitRepos.fileAt(repo, first.revision(), flagsPath)).isEqualTo(off.content());
        assertThat(GitRepos.fileAt(repo, second.revision(), flagsPath)).isEqualTo(on.content());
        assertThat(again.changed()).isFalse();
        assertThat(GitRepos.fileAt(repo, back.revision(), flagsPath)).isEqualTo(off.content());
        assertThat(GitRepos.fileAt(repo, withoutFlags.revision(), flagsPath)).as("a release without flags leaves them")
                .isEqualTo(off.content());
        List<RevCommit> log = GitRepos.log(repo);
        assertThat(log.get(3).getFullMessage()).contains("Flags: " + off.digest());
        assertThat(log.get(2).getFullMessage()).contains("Flags: " + on.digest());
        assertThat(target.running("staging", SERVICE).map(RunningRelease::version)).contains("1.2.0");
        assertThat(GitRepos.isClean(repo)).isTrue();
        assertThat(repo.resolve(flagsPath)).content().isEqualTo(off.content());
    }

    @Test
    void aReleaseOfAnotherImageRepositoryIsRefusedAndCommitsNothing() {
        GitOpsTarget target = open(settings(temp.resolve("gitops")).build());
        target.deploy(release("staging", "1.0.0", DIGEST_1));
        String before = target.running("staging", SERVICE).map(RunningRelease::revision).orElseThrow();

        assertThatThrownBy(() -> target.deploy(Deployment.of("staging", SERVICE, "1.1.0",
                "ghcr.io/someone-else/knative-lambda-builder", DIGEST_2)))
                .isInstanceOf(PermanentTargetException.class)
                .hasMessageContaining("ghcr.io/someone-else/knative-lambda-builder")
                .hasMessageContaining("tracks for " + SERVICE);
        assertThat(target.running("staging", SERVICE).map(RunningRelease::revision)).contains(before);
    }

    @Test
    void aPromotionIsOneCommitWithTrailersByStagecoach() {
        Path repo = temp.resolve("gitops");
        GitOpsTarget target = open(settings(repo).build());
        Deployment deployment = new Deployment("prod", SERVICE, "1.4.2", IMAGE, DIGEST_2,
                Map.of(Deployment.EVENT_ID, "6f1c1f0e-2d7e-4b59-9a0e-0c6b2f7f8a11",
                        Deployment.RUN_ID, "run-42",
                        Deployment.APPROVED_BY, "alice"),
                "approved by alice\nafter smoke tests passed in staging");

        DeployResult result = target.deploy(deployment);

        List<RevCommit> log = GitRepos.log(repo);
        assertThat(log).hasSize(2);
        RevCommit commit = log.get(0);
        assertThat(result.revision()).isEqualTo(commit.name());
        assertThat(commit.getShortMessage()).isEqualTo("Promote knative-lambda-builder 1.4.2 to prod");
        assertThat(commit.getFooterLines()).extracting(FooterLine::getKey, FooterLine::getValue).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Stagecoach-Event-Id", "6f1c1f0e-2d7e-4b59-9a0e-0c6b2f7f8a11"),
                org.assertj.core.groups.Tuple.tuple("Stagecoach-Run-Id", "run-42"),
                org.assertj.core.groups.Tuple.tuple("Approved-By", "alice"),
                org.assertj.core.groups.Tuple.tuple("Stagecoach-Reason",
                        "approved by alice after smoke tests passed in staging"));
        assertThat(commit.getAuthorIdent().getName()).isEqualTo("Stagecoach");
        assertThat(commit.getAuthorIdent().getEmailAddress()).isEqualTo("stagecoach@localhost");
        assertThat(commit.getCommitterIdent().getEmailAddress()).isEqualTo("stagecoach@localhost");
        assertThat(commit.getParentCount()).isEqualTo(1);
        assertThat(GitRepos.fileAt(repo, commit.name(), "overlays/prod/kustomization.yaml"))
                .contains("newTag: 1.4.2", "digest: " + DIGEST_2);
        assertThat(GitRepos.fileAt(repo, commit.name(), STAGING))
                .isEqualTo(GitRepos.fileAt(repo, log.get(1).name(), STAGING));
    }

    @Test
    void promotingTheSameReleaseAgainMakesNoCommit() {
        Path repo = temp.resolve("gitops");
        GitOpsTarget target = open(settings(repo).author("Release Bot", "bot@acme.test").build());
        DeployResult first = target.deploy(release("staging", "1.4.2", DIGEST_2));

        DeployResult again = target.deploy(release("staging", "1.4.2", DIGEST_2));

        assertThat(first.changed()).isTrue();
        assertThat(first.previousVersion()).isNull();
        assertThat(again).isEqualTo(new DeployResult(first.revision(), false, "1.4.2"));
        assertThat(GitRepos.log(repo)).hasSize(2)
                .first().satisfies(c -> assertThat(c.getAuthorIdent().getName()).isEqualTo("Release Bot"));
    }

    @Test
    void runningTellsWhichVersionRunsInEachEnvironment() {
        GitOpsTarget target = open(settings(temp.resolve("gitops")).build());
        target.deploy(release("dev", "1.4.2", DIGEST_2));
        DeployResult staging = target.deploy(release("staging", "1.4.1", DIGEST_1));

        assertThat(target.running("dev", SERVICE))
                .hasValue(new RunningRelease("1.4.2", IMAGE, DIGEST_2, staging.revision()));
        assertThat(target.running("staging", SERVICE))
                .hasValue(new RunningRelease("1.4.1", IMAGE, DIGEST_1, staging.revision()));
        assertThat(target.running("prod", SERVICE)).isEmpty();
        assertThat(target.running("qa", SERVICE)).isEmpty();
        assertThat(target.running("dev", "another-service")).isEmpty();
        // all of them at once, from one tip: what the drift comparison asks every few seconds
        assertThat(target.declared("staging", List.of(SERVICE, "another-service"))).containsExactly(
                Map.entry(SERVICE, Optional.of(new RunningRelease("1.4.1", IMAGE, DIGEST_1, staging.revision()))),
                Map.entry("another-service", Optional.empty()));
    }

    @Test
    void aReleaseWithoutDigestDropsTheOldDigestSoTheTagCounts() {
        GitOpsTarget target = open(settings(temp.resolve("gitops")).build());
        target.deploy(release("dev", "1.4.2", DIGEST_2));

        target.deploy(release("dev", "1.4.3", null));

        assertThat(target.running("dev", SERVICE)).hasValueSatisfying(running -> {
            assertThat(running.version()).isEqualTo("1.4.3");
            assertThat(running.digest()).isNull();
        });
    }

    @Test
    void keepsUncommittedWorkOfAPersonOutOfThePromotionCommit() throws IOException {
        Path repo = temp.resolve("gitops");
        GitOpsTarget target = open(settings(repo).build());
        Path base = repo.resolve("base/kustomization.yaml");
        String edited = Files.readString(base) + "# work in progress\n";
        Files.writeString(base, edited);

        DeployResult result = target.deploy(release("dev", "1.4.2", DIGEST_2));

        assertThat(GitRepos.fileAt(repo, result.revision(), "base/kustomization.yaml")).doesNotContain("work in progress");
        assertThat(base).content().isEqualTo(edited);
        assertThat(repo.resolve("overlays/dev/kustomization.yaml")).content().contains("newTag: 1.4.2");
    }

    @Test
    void editsAHelmValuesFile() {
        Path repo = temp.resolve("helm");
        GitOpsTarget target = open(settings(repo).layout(ManifestLayout.helm()).build());
        assertThat(repo.resolve("helm/values-staging.yaml")).content().isEqualTo("""
                # Helm values for staging. Stagecoach promotes a release by editing the image tag and digest;
                # other edits are kept.
                image:
                  repository: ghcr.io/acme/knative-lambda-builder
                """);

        DeployResult result = target.deploy(release("staging", "1.10", DIGEST_1));

        assertThat(GitRepos.fileAt(repo, result.revision(), "helm/values-staging.yaml")).isEqualTo("""
                # Helm values for staging. Stagecoach promotes a release by editing the image tag and digest;
                # other edits are kept.
                image:
                  repository: ghcr.io/acme/knative-lambda-builder
                  tag: "1.10"
                  digest: %s
                """.formatted(DIGEST_1));
        assertThat(target.running("staging", SERVICE))
                .hasValue(new RunningRelease("1.10", IMAGE, DIGEST_1, result.revision()));
        assertThat(target.deploy(release("staging", "1.10", DIGEST_1)).changed()).isFalse();
        assertThat(GitRepos.log(repo)).hasSize(2);
    }

    @Test
    void anEnvironmentWithoutOverlayIsAPermanentError() {
        GitOpsTarget target = open(settings(temp.resolve("gitops")).build());

        assertThatThrownBy(() -> target.deploy(release("qa", "1.4.2", DIGEST_2)))
                .isInstanceOf(PermanentTargetException.class)
                .hasMessageContaining("overlays/qa/kustomization.yaml")
                .hasMessageContaining("environment qa");
    }

    @Test
    void aMalformedOverlayIsAPermanentErrorAndNothingIsCommitted() throws IOException {
        Path repo = temp.resolve("gitops");
        GitOpsTarget target = open(settings(repo).build());
        Files.writeString(repo.resolve(STAGING), "images: {name: " + IMAGE + "}\n");
        GitRepos.commitAll(repo, "Break the overlay");

        assertThatThrownBy(() -> target.deploy(release("staging", "1.4.2", DIGEST_2)))
                .isInstanceOf(MalformedManifestException.class)
                .hasMessageStartingWith(STAGING + ":1: ")
                .satisfies(e -> assertThat(((DeployTargetException) e).isTransient()).isFalse());
        assertThat(GitRepos.log(repo)).hasSize(2);
    }

    @Test
    void promotionsFromManyThreadsOfOneProcessAreAllCommitted() throws Exception {
        Path repo = temp.resolve("gitops");
        GitOpsTarget target = open(settings(repo).build());
        GitOpsTarget sameRepository = open(settings(repo).build());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> runs = new ArrayList<>();
            List<String> environments = List.of("dev", "staging", "prod");
            for (int e = 0; e < environments.size(); e++) {
                String environment = environments.get(e);
                GitOpsTarget writer = e % 2 == 0 ? target : sameRepository;
                runs.add(pool.submit(() -> {
                    for (int v = 1; v <= 4; v++) {
                        writer.deploy(release(environment, "2.0." + v, null));
                    }
                }));
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(GitRepos.log(repo)).hasSize(1 + 12);
        for (String environment : List.of("dev", "staging", "prod")) {
            assertThat(target.running(environment, SERVICE)).map(RunningRelease::version).hasValue("2.0.4");
        }
        assertThat(GitRepos.isClean(repo)).isTrue();
    }

    @Test
    void aPushThatLostTheRaceIsRebuiltOnTheNewRemoteTipAndLands() {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget first = open(settings(temp.resolve("first")).remote(remote.toUri().toString()).build());
        GitOpsTarget second = open(settings(temp.resolve("second")).remote(remote.toUri().toString()).build());
        var once = new AtomicBoolean();
        first.beforePush(() -> {
            if (once.compareAndSet(false, true)) {
                second.deploy(release("prod", "1.4.0", DIGEST_1));
            }
        });

        DeployResult result = first.deploy(release("staging", "1.4.2", DIGEST_2));

        List<RevCommit> log = GitRepos.log(remote);
        assertThat(log).extracting(RevCommit::getShortMessage).containsExactly(
                "Promote knative-lambda-builder 1.4.2 to staging",
                "Promote knative-lambda-builder 1.4.0 to prod",
                "Seed the deploy repository for dev, staging, prod");
        assertThat(result.revision()).isEqualTo(log.get(0).name());
        assertThat(GitRepos.fileAt(remote, "main", "overlays/prod/kustomization.yaml")).contains("newTag: 1.4.0");
        assertThat(GitRepos.fileAt(remote, "main", STAGING)).contains("newTag: 1.4.2");
        assertThat(second.running("staging", SERVICE)).map(RunningRelease::version).hasValue("1.4.2");
        assertThat(temp.resolve("first").resolve(STAGING)).content().contains("newTag: 1.4.2");
        assertThat(temp.resolve("first").resolve("overlays/prod/kustomization.yaml")).content()
                .contains("newTag: 1.4.0");
    }

    @Test
    void aBranchLockLeftBehindByAWriterThatStoppedIsRemovedAndThePushLands() throws IOException {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget target = open(settings(temp.resolve("clone")).remote(remote.toUri().toString()).build());
        target.deploy(release("dev", "1.0.0", DIGEST_1));
        Path lock = remote.resolve("refs/heads/main.lock");
        Files.writeString(lock, "0000000000000000000000000000000000000000\n");
        Files.setLastModifiedTime(lock, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(LocalRemote.STALE_LOCK).minusSeconds(5)));

        target.deploy(release("dev", "1.0.1", DIGEST_2));

        assertThat(lock).doesNotExist();
        assertThat(GitRepos.fileAt(remote, "main", "overlays/dev/kustomization.yaml")).contains("newTag: 1.0.1");
    }

    @Test
    void aBranchLockAWriterMayStillHoldIsLeftAndThePushGivesUpAsContention() throws IOException {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget target = open(settings(temp.resolve("clone")).remote(remote.toUri().toString()).build());
        target.deploy(release("dev", "1.0.0", DIGEST_1));
        Path lock = remote.resolve("refs/heads/main.lock");
        Files.writeString(lock, "0000000000000000000000000000000000000000\n");

        assertThatThrownBy(() -> target.deploy(release("dev", "1.0.1", DIGEST_2)))
                .isInstanceOf(TransientTargetException.class)
                .hasMessageContaining("kept moving");
        assertThat(lock).exists();
        assertThat(GitRepos.fileAt(remote, "main", "overlays/dev/kustomization.yaml")).contains("newTag: 1.0.0");
    }

    @Test
    void aPromotionDecidedOnAnOlderPinDoesNotOverwriteOneCommittedInBetween() {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget first = open(settings(temp.resolve("first")).remote(remote.toUri().toString()).build());
        GitOpsTarget second = open(settings(temp.resolve("second")).remote(remote.toUri().toString()).build());
        first.deploy(release("staging", "1.1.0", DIGEST_1));
        // both promotion pods decide on 1.1.0; the second lands 1.3.0 while the first is pushing 1.2.0
        Deployment.Expected saw = Deployment.Expected.of(first.running("staging", SERVICE));
        var once = new AtomicBoolean();
        first.beforePush(() -> {
            if (once.compareAndSet(false, true)) {
                second.deploy(release("staging", "1.3.0", DIGEST_2).expecting(saw));
            }
        });

        assertThatThrownBy(() -> first.deploy(release("staging", "1.2.0", null).expecting(saw)))
                .isInstanceOfSatisfying(StaleDecisionException.class, e -> {
                    assertThat(e.isTransient()).isFalse();
                    assertThat(e.found().version()).isEqualTo("1.3.0");
                    assertThat(e.found().revision()).isEqualTo(GitRepos.log(remote).get(0).name());
                })
                .hasMessageContaining("saw 1.1.0@" + DIGEST_1).hasMessageContaining("now holds 1.3.0@" + DIGEST_2);

        assertThat(GitRepos.log(remote)).extracting(RevCommit::getShortMessage).containsExactly(
                "Promote knative-lambda-builder 1.3.0 to staging",
                "Promote knative-lambda-builder 1.1.0 to staging",
                "Seed the deploy repository for dev, staging, prod");
        assertThat(GitRepos.fileAt(remote, "main", STAGING)).contains("newTag: 1.3.0", "digest: " + DIGEST_2);
        assertThat(first.running("staging", SERVICE)).map(RunningRelease::version).hasValue("1.3.0");
    }

    @Test
    void aRollbackDoesNotRevertAPromotionCommittedAfterItsDecision() {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget rollback = open(settings(temp.resolve("rollback")).remote(remote.toUri().toString()).build());
        GitOpsTarget promotion = open(settings(temp.resolve("promotion")).remote(remote.toUri().toString())
                .build());
        promotion.deploy(release("prod", "1.2.0", DIGEST_1));
        promotion.deploy(release("prod", "1.3.0", DIGEST_2));
        // the rollback decides to take 1.3.0 out; a fresh promotion of 1.4.0 lands before its push
        var once = new AtomicBoolean();
        rollback.beforePush(() -> {
            if (once.compareAndSet(false, true)) {
                promotion.deploy(release("prod", "1.4.0", null)
                        .expecting(new Deployment.Expected("1.3.0", DIGEST_2)));
            }
        });

        assertThatThrownBy(() -> rollback.deploy(release("prod", "1.2.0", DIGEST_1)
                .expecting(new Deployment.Expected("1.3.0", DIGEST_2))))
                .isInstanceOfSatisfying(StaleDecisionException.class,
                        e -> assertThat(e.found().version()).isEqualTo("1.4.0"));

        assertThat(GitRepos.log(remote).get(0).getShortMessage())
                .isEqualTo("Promote knative-lambda-builder 1.4.0 to prod");
        assertThat(GitRepos.fileAt(remote, "main", "overlays/prod/kustomization.yaml")).contains("newTag: 1.4.0")
                .doesNotContain("digest:");
    }

    @Test
    void aDecisionOnTheRemotesStateLandsThoughTheCloneHadNotFetchedIt() {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget first = open(settings(temp.resolve("first")).remote(remote.toUri().toString()).build());
        GitOpsTarget second = open(settings(temp.resolve("second")).remote(remote.toUri().toString()).build());
        first.deploy(release("dev", "1.0.0", null));
        second.deploy(release("dev", "2.0.0", null));

        // first last saw 1.0.0; the decision (made elsewhere) saw the remote's 2.0.0, which is right
        DeployResult result = first.deploy(release("dev", "3.0.0", null)
                .expecting(new Deployment.Expected("2.0.0", null)));

        assertThat(result.changed()).isTrue();
        assertThat(result.previousVersion()).isEqualTo("2.0.0");
        assertThat(GitRepos.fileAt(remote, "main", "overlays/dev/kustomization.yaml")).contains("newTag: 3.0.0");
    }

    @Test
    void aDeploymentAlreadyThereIsNoChangeWhateverTheDecisionSaw() {
        GitOpsTarget target = open(settings(temp.resolve("gitops")).build());
        target.deploy(release("staging", "1.3.0", DIGEST_1).expecting(Deployment.Expected.nothing()));

        // a retry of a push that landed before its answer was lost
        DeployResult again = target.deploy(release("staging", "1.3.0", DIGEST_1)
                .expecting(Deployment.Expected.nothing()));

        assertThat(again.changed()).isFalse();
        assertThatThrownBy(() -> target.deploy(release("staging", "1.4.0", DIGEST_2)
                .expecting(Deployment.Expected.nothing())))
                .isInstanceOf(StaleDecisionException.class).hasMessageContaining("saw nothing");
        assertThat(GitRepos.log(temp.resolve("gitops"))).hasSize(2);
    }

    @Test
    void eachEnvironmentsTargetWritesOnlyItsOwnRepository() {
        Path stagingRemote = GitRepos.initBare(temp.resolve("deploy-staging.git"));
        Path prodRemote = GitRepos.initBare(temp.resolve("deploy-prod.git"));
        GitOpsTarget staging = open(GitOpsSettings.builder(temp.resolve("staging")).service(SERVICE, IMAGE)
                .environment("staging", "knative-lambda-staging").remote(stagingRemote.toUri().toString()).build());
        GitOpsTarget prod = open(GitOpsSettings.builder(temp.resolve("prod")).service(SERVICE, IMAGE)
                .environment("prod", "knative-lambda-prod").remote(prodRemote.toUri().toString()).build());

        staging.deploy(release("staging", "1.4.0", DIGEST_1));
        prod.deploy(release("prod", "1.3.0", DIGEST_2));

        assertThatThrownBy(() -> staging.deploy(release("prod", "6.6.6", null)))
                .isInstanceOf(PermanentTargetException.class)
                .hasMessageContaining("for environment prod is not written through")
                .hasMessageContaining("holds that of staging only");
        assertThat(GitRepos.fileAt(stagingRemote, "main", STAGING)).contains("newTag: 1.4.0");
        assertThat(GitRepos.fileAt(stagingRemote, "main", "overlays/prod/kustomization.yaml")).isNull();
        assertThat(GitRepos.fileAt(prodRemote, "main", "overlays/prod/kustomization.yaml")).contains("newTag: 1.3.0");
        assertThat(GitRepos.fileAt(prodRemote, "main", STAGING)).isNull();
        assertThat(GitRepos.log(prodRemote)).extracting(RevCommit::getShortMessage).containsExactly(
                "Promote knative-lambda-builder 1.3.0 to prod", "Seed the deploy repository for prod");
    }

    @Test
    void eachEnvironmentsTargetWritesOnlyItsOwnBranchOfOneRepository() {
        Path remote = GitRepos.initBare(temp.resolve("deploy.git"));
        GitOpsTarget staging = open(GitOpsSettings.builder(temp.resolve("staging")).service(SERVICE, IMAGE)
                .environment("staging", "knative-lambda-staging").remote(remote.toUri().toString())
                .branch("staging").build());
        GitOpsTarget prod = open(GitOpsSettings.builder(temp.resolve("prod")).service(SERVICE, IMAGE)
                .environment("prod", "knative-lambda-prod").remote(remote.toUri().toString()).branch("prod")
                .build());

        staging.deploy(release("staging", "1.4.0", DIGEST_1));
        prod.deploy(release("prod", "1.3.0", DIGEST_2));

        assertThatThrownBy(() -> staging.deploy(release("prod", "6.6.6", null)))
                .isInstanceOf(PermanentTargetException.class);
        assertThat(GitRepos.fileAt(remote, "refs/heads/staging", STAGING)).contains("newTag: 1.4.0");
        assertThat(GitRepos.fileAt(remote, "refs/heads/staging", "overlays/prod/kustomization.yaml")).isNull();
        assertThat(GitRepos.log(remote, "prod")).extracting(RevCommit::getShortMessage).containsExactly(
                "Promote knative-lambda-builder 1.3.0 to prod", "Seed the deploy repository for prod");
        assertThat(GitRepos.log(remote, "staging")).extracting(RevCommit::getShortMessage)
                .noneMatch(message -> message.contains("prod"));
    }

    @Test
    void promotionsQueuedDuringAPushLandTogetherInOnePushWithACommitEach() throws Exception {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget target = open(settings(temp.resolve("clone")).remote(remote.toUri().toString()).build());
        int seeded = GitRepos.log(remote).size();
        List<Deployment> waiting = List.of(release("staging", "2.0.1", null), release("prod", "2.0.2", DIGEST_1),
                release("dev", "2.0.3", null), release("staging", "2.0.4", DIGEST_2));
        List<CompletableFuture<DeployResult>> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(waiting.size());
        AtomicInteger pushes = new AtomicInteger();
        target.beforePush(() -> {
            if (pushes.incrementAndGet() == 1) {
                waiting.forEach(d -> results.add(CompletableFuture.supplyAsync(() -> target.deploy(d), pool)));
                awaitQueued(target, waiting.size());
            }
        });
        try {
            DeployResult first = target.deploy(release("dev", "2.0.0", null));
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            assertThat(pushes).as("one push for the first, one for the four queued behind it").hasValue(2);
            List<RevCommit> log = GitRepos.log(remote);
            assertThat(log).hasSize(seeded + 5);
            assertThat(log.subList(0, 5)).extracting(RevCommit::getShortMessage).containsExactlyInAnyOrder(
                    "Promote knative-lambda-builder 2.0.0 to dev", "Promote knative-lambda-builder 2.0.1 to staging",
                    "Promote knative-lambda-builder 2.0.2 to prod", "Promote knative-lambda-builder 2.0.3 to dev",
                    "Promote knative-lambda-builder 2.0.4 to staging");
            assertThat(log).allSatisfy(commit -> assertThat(commit.getParentCount()).isLessThanOrEqualTo(1));
            List<String> revisions = new ArrayList<>(List.of(first.revision()));
            for (CompletableFuture<DeployResult> result : results) {
                revisions.add(result.get().revision());
            }
            assertThat(revisions).doesNotHaveDuplicates()
                    .allSatisfy(r -> assertThat(log).extracting(RevCommit::name).contains(r));
            for (int i = 0; i < waiting.size(); i++) {
                Deployment d = waiting.get(i);
                String path = "overlays/" + d.environment() + "/kustomization.yaml";
                assertThat(GitRepos.fileAt(remote, revisions.get(i + 1), path))
                        .as("each promotion's own commit holds its own release")
                        .contains("newTag: " + d.version());
            }
            assertThat(target.running("staging", SERVICE)).map(RunningRelease::version).hasValue("2.0.4");
            assertThat(target.running("dev", SERVICE)).map(RunningRelease::version).hasValue("2.0.3");
            assertThat(temp.resolve("clone").resolve(STAGING)).as("the work tree caught up once the queue was empty")
                    .content().contains("newTag: 2.0.4");
            assertThat(temp.resolve("clone").resolve("overlays/dev/kustomization.yaml")).content()
                    .contains("newTag: 2.0.3");
            assertThat(GitRepos.isClean(temp.resolve("clone"))).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPromotionThatFailsInABatchFailsAloneAndTheOthersLand() throws Exception {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget target = open(settings(temp.resolve("clone")).remote(remote.toUri().toString()).build());
        int seeded = GitRepos.log(remote).size();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<CompletableFuture<DeployResult>> results = new ArrayList<>();
        AtomicInteger pushes = new AtomicInteger();
        target.beforePush(() -> {
            if (pushes.incrementAndGet() == 1) {
                for (Deployment d : List.of(release("staging", "3.0.1", null), release("qa", "3.0.1", null),
                        release("prod", "3.0.1", null))) {
                    results.add(CompletableFuture.supplyAsync(() -> target.deploy(d), pool));
                    awaitQueued(target, results.size());
                }
            }
        });
        try {
            target.deploy(release("dev", "3.0.1", null));

            assertThat(results.get(0).get(60, TimeUnit.SECONDS).changed()).isTrue();
            assertThatThrownBy(() -> results.get(1).get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(PermanentTargetException.class)
                    .hasMessageContaining("for environment qa");
            assertThat(results.get(2).get(60, TimeUnit.SECONDS).changed()).isTrue();
            assertThat(pushes).hasValue(2);
            assertThat(GitRepos.log(remote)).hasSize(seeded + 3);
            for (String environment : List.of("dev", "staging", "prod")) {
                assertThat(target.running(environment, SERVICE)).map(RunningRelease::version).hasValue("3.0.1");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void awaitQueued(GitOpsTarget target, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (target.queued() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(count + " promotions did not queue within 10 s: " + target.queued());
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void whatRunsIsAnsweredByAPushThatLandedWhileTheQuestionWaited() throws Exception {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget target = open(settings(temp.resolve("clone")).remote(remote.toUri().toString()).build());
        AtomicInteger pushes = new AtomicInteger();
        var asking = new java.util.concurrent.atomic.AtomicReference<Thread>();
        CompletableFuture<Optional<RunningRelease>> answer = new CompletableFuture<>();
        target.beforePush(() -> {
            if (pushes.incrementAndGet() == 1) {
                Thread thread = new Thread(() -> answer.complete(target.running("dev", SERVICE)));
                asking.set(thread);
                thread.start();
                awaitWaiting(thread);
            }
        });
        long fetchesBefore = target.fetches();

        target.deploy(release("dev", "4.0.0", null));

        assertThat(answer.get(30, TimeUnit.SECONDS)).map(RunningRelease::version).hasValue("4.0.0");
        assertThat(target.fetches()).as("the push answered the question that waited for it").isEqualTo(fetchesBefore);
        target.running("staging", SERVICE);
        assertThat(target.fetches()).as("a question asked later fetches").isEqualTo(fetchesBefore + 1);
    }

    private static void awaitWaiting(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the question did not wait for the push: " + thread.getState());
            }
            Thread.onSpinWait();
        }
    }

    /** Pack files and loose objects in a repository's object store. */
    private static long[] objectFiles(Path gitDir) throws java.io.IOException {
        Path objects = gitDir.resolve("objects");
        long packs;
        try (var files = java.nio.file.Files.list(objects.resolve("pack"))) {
            packs = files.filter(f -> f.toString().endsWith(".pack")).count();
        }
        long loose;
        try (var files = java.nio.file.Files.walk(objects, 2)) {
            loose = files.filter(f -> f.getParent().getFileName().toString().matches("[0-9a-f]{2}")).count();
        }
        return new long[] {packs, loose};
    }

    @Test
    void aLongRunningCloneAndItsLocalRemoteKeepTheirObjectsPackedAndLoseNothing() throws Exception {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget first = open(settings(temp.resolve("first")).remote(remote.toUri().toString()).build());
        GitOpsTarget second = open(settings(temp.resolve("second")).remote(remote.toUri().toString()).build());
        int seeded = GitRepos.log(remote).size();
        int rounds = 2 * GitOpsTarget.PACK_AFTER + 20;
        // two writers take turns, so every push of one finds the other's commit first: a fetch (a pack) and a
        // commit (loose objects) each time
        for (int i = 0; i < rounds; i++) {
            first.deploy(release("dev", "3.0." + i, null));
            second.deploy(release("staging", "3.0." + i, null));
        }

        for (Path clone : List.of(temp.resolve("first/.git"), temp.resolve("second/.git"))) {
            long[] files = objectFiles(clone);
            // without packing: one pack per fetch (a round each) and four loose objects per commit
            assertThat(files[0]).as("packs in %s", clone).isLessThanOrEqualTo(GitOpsTarget.PACK_AFTER / 2 + 2);
            assertThat(files[1]).as("loose objects in %s", clone).isLessThanOrEqualTo(4L * GitOpsTarget.PACK_AFTER);
        }
        // the remote, a bare repository on this machine, is kept packed by its writers (one pack per push otherwise)
        assertThat(objectFiles(remote)[0]).as("packs in the remote").isLessThanOrEqualTo(LocalRemote.PACK_LIMIT + 1);
        assertThat(first.remotePackings() + second.remotePackings()).isGreaterThanOrEqualTo(2);
        assertThat(first.packings()).isGreaterThanOrEqualTo(2);
        assertThat(second.packings()).isGreaterThanOrEqualTo(2);
        // every promotion is still there, and both clones still read and write
        List<RevCommit> log = GitRepos.log(remote);
        assertThat(log).hasSize(seeded + 2 * rounds);
        assertThat(log.get(0).getShortMessage())
                .isEqualTo("Promote knative-lambda-builder 3.0." + (rounds - 1) + " to staging");
        assertThat(first.running("staging", SERVICE)).map(RunningRelease::version).hasValue("3.0." + (rounds - 1));
        assertThat(second.running("dev", SERVICE)).map(RunningRelease::version).hasValue("3.0." + (rounds - 1));
        DeployResult after = first.deploy(release("prod", "3.1.0", DIGEST_1));
        assertThat(after.changed()).isTrue();
        assertThat(GitRepos.fileAt(remote, after.revision(), "overlays/prod/kustomization.yaml"))
                .contains("newTag: 3.1.0");
        try (Git git = Git.open(temp.resolve("first").toFile()); RevWalk walk = new RevWalk(git.getRepository())) {
            // every commit and tree the clone knows is readable after its old packs went
            for (RevCommit commit : git.log().call()) {
                assertThat(walk.parseCommit(commit).getTree()).isNotNull();
                try (TreeWalk tree = new TreeWalk(git.getRepository())) {
                    tree.addTree(commit.getTree());
                    tree.setRecursive(true);
                    while (tree.next()) {
                        git.getRepository().open(tree.getObjectId(0)).getBytes();
                    }
                }
            }
        }
    }

    @Test
    void aRepackOfTheLocalRemoteLeavesAPackAnotherProcessIsStillReceiving() throws Exception {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget target = open(settings(temp.resolve("clone")).remote(remote.toUri().toString()).build());
        for (int i = 0; i < 4; i++) {
            target.deploy(release("dev", "4.0." + i, null));
        }
        // what a receive-pack in another process leaves while its refs are not updated yet: a pack with a .keep
        Path kept;
        try (var files = java.nio.file.Files.list(remote.resolve("objects/pack"))) {
            kept = files.filter(f -> f.toString().endsWith(".pack")).findFirst().orElseThrow();
        }
        Path keep = kept.resolveSibling(kept.getFileName().toString().replace(".pack", ".keep"));
        java.nio.file.Files.writeString(keep, "receive-pack in another process");
        for (int i = 0; i < LocalRemote.PACK_LIMIT + 4; i++) {
            target.deploy(release("staging", "4.1." + i, null));
        }

        assertThat(target.remotePackings()).isGreaterThanOrEqualTo(1);
        assertThat(kept).as("the kept pack").exists();
        assertThat(objectFiles(remote)[0]).isLessThanOrEqualTo(LocalRemote.PACK_LIMIT + 1);
        assertThat(GitRepos.fileAt(remote, "main", STAGING)).contains("newTag: 4.1." + (LocalRemote.PACK_LIMIT + 3));
    }

    @Test
    void aCloneThatDidNotSeeAnotherWritersPushStillDecidesOnTheRemoteTip() {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget first = open(settings(temp.resolve("first")).remote(remote.toUri().toString()).build());
        GitOpsTarget second = open(settings(temp.resolve("second")).remote(remote.toUri().toString()).build());
        first.deploy(release("dev", "1.0.0", null));
        second.deploy(release("dev", "2.0.0", null));

        // first last saw 1.0.0 in dev: deploying it again is a change on the remote, which has 2.0.0
        DeployResult again = first.deploy(release("dev", "1.0.0", null));
        DeployResult newer = first.deploy(release("staging", "2.0.0", null));

        assertThat(again.changed()).isTrue();
        assertThat(again.previousVersion()).isEqualTo("2.0.0");
        assertThat(newer.changed()).isTrue();
        assertThat(GitRepos.fileAt(remote, "main", "overlays/dev/kustomization.yaml")).contains("newTag: 1.0.0");
        assertThat(GitRepos.fileAt(remote, "main", STAGING)).contains("newTag: 2.0.0");
        assertThat(second.running("dev", SERVICE)).map(RunningRelease::version).hasValue("1.0.0");
    }

    @Test
    void concurrentPromotionsFromTwoClonesOfOneRemoteAreAllKept() throws Exception {
        Path remote = GitRepos.initBare(temp.resolve("remote.git"));
        GitOpsTarget dev = open(settings(temp.resolve("dev")).remote(remote.toUri().toString())
                .pushAttempts(50).build());
        GitOpsTarget staging = open(settings(temp.resolve("staging")).remote(remote.toUri().toString())
                .pushAttempts(50).build());
        var start = new CountDownLatch(1);

        CompletableFuture<Void> devRuns = CompletableFuture.runAsync(() -> promote(dev, "dev", start));
        CompletableFuture<Void> stagingRuns = CompletableFuture.runAsync(() -> promote(staging, "staging", start));
        start.countDown();
        CompletableFuture.allOf(devRuns, stagingRuns).get(120, TimeUnit.SECONDS);

        List<String> messages = GitRepos.log(remote).stream().map(RevCommit::getShortMessage).toList();
        assertThat(messages).hasSize(1 + 10).doesNotHaveDuplicates();
        for (int v = 1; v <= 5; v++) {
            assertThat(messages).contains("Promote knative-lambda-builder 1.0." + v + " to dev",
                    "Promote knative-lambda-builder 1.0." + v + " to staging");
        }
        assertThat(dev.running("staging", SERVICE)).map(RunningRelease::version).hasValue("1.0.5");
        assertThat(staging.running("dev", SERVICE)).map(RunningRelease::version).hasValue("1.0.5");
    }

    private static void promote(GitOpsTarget target, String environment, CountDownLatch start) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        for (int v = 1; v <= 5; v++) {
            target.deploy(release(environment, "1.0." + v, null));
        }
    }

    @Test
    void refusesADirectoryThatHoldsSomethingElse() throws IOException {
        Path directory = Files.createDirectories(temp.resolve("not-a-repo"));
        Files.writeString(directory.resolve("notes.txt"), "mine", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> GitOpsTarget.open(settings(directory).build()))
                .isInstanceOf(PermanentTargetException.class)
                .hasMessageContaining("not a Git repository");
    }
}
