package io.stagecoach.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalDecided.Decision;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DriftCleared;
import io.stagecoach.events.DriftDetected;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Flags;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.RollbackRequested;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.deploy.DeployTarget;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.AuditTrail;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.stagecoach.local.Releases.build;
import static io.stagecoach.local.Releases.release;
import static io.stagecoach.local.Releases.runId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end: the whole pipeline (every service of dev, staging and prod, each in its own context as
 * {@link LocalPipeline} runs them) on the real broker, provisioned like production under this class's prefix,
 * deploying into a real GitOps repository that demo workloads "run". Each test promotes a service of its own,
 * so they share one pipeline without sharing state. Assertions are on the Git history and on each environment's
 * audit stream, as an operator would check them.
 *
 * <p>dev's demo workloads answer 503 only for versions containing {@code -bad-dev}, staging's and prod's for
 * {@code -bad}: a {@code -bad} release passes dev and fails staging's smoke test. prod's approval requests expire
 * after {@value #PROD_APPROVAL_TTL} (swept every second), so an expiry can be watched; every other decision comes
 * within a second or two of its request.
 */
@RealBroker
@Execution(ExecutionMode.CONCURRENT)
class PipelineEndToEndTests {

    /** Long enough for a rollback in staging to reach prod before the request it withdraws expires on a busy machine. */
    private static final String PROD_APPROVAL_TTL = "30s";

    private static final String RUN_ID = "Stagecoach-Run-Id";
    private static final String EVENT_ID = "Stagecoach-Event-Id";
    private static final String APPROVED_BY = "Approved-By";
    private static final List<String> SERVICES = List.of("svc-good", "svc-staging-fails", "svc-refusals",
            "svc-expiry", "svc-duplicates", "svc-older", "svc-withdrawn-by-operator", "svc-withdrawn-by-alert",
            "svc-superseded", "svc-drift", "svc-flags");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Tells the chat bot's decisions apart: each is a message of its own. */
    private static final AtomicInteger DECISIONS = new AtomicInteger();

    @TempDir
    static Path workdir;

    private static TestPipeline broker;
    private static LocalPipeline pipeline;
    private static GitOpsHistory git;

    @BeforeAll
    static void startThePipeline(TestBroker testBroker) throws Exception {
        broker = TestPipeline.provision(testBroker);
        LocalPipelineSettings.Builder settings = EndToEndPipelines.settings(testBroker, workdir, SERVICES,
                PROD_APPROVAL_TTL, "local-pipeline-tests.log")
                .badMarker("dev", "-bad-dev")
                .property("stagecoach.approval.sweep-interval", "1s");
        pipeline = LocalPipeline.start(settings.build(), line -> System.out.println("[local pipeline] " + line));
        git = new GitOpsHistory(pipeline.gitopsRepository());
        System.out.println("[local pipeline] ready in " + LocalPipeline.seconds(pipeline.startup()));
    }

    @AfterAll
    static void stopThePipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void runsEveryServiceOfEveryEnvironmentAsAReadyContextOfItsOwn() throws Exception {
        Map<String, List<String>> services = pipeline.services().stream().collect(Collectors.groupingBy(
                LocalPipeline.Service::environment, Collectors.mapping(LocalPipeline.Service::service,
                        Collectors.toList())));

        assertThat(services.get("dev")).containsExactlyInAnyOrder("build-completed", "promotion", "smoke-test",
                "rollback");
        assertThat(services.get("staging")).containsExactlyInAnyOrder("promotion", "smoke-test", "rollback");
        assertThat(services.get("prod")).containsExactlyInAnyOrder("promotion", "smoke-test", "rollback",
                "approval");
        assertThat(pipeline.services()).extracting(LocalPipeline.Service::port).doesNotHaveDuplicates()
                .allMatch(port -> port > 0);
        for (LocalPipeline.Service service : pipeline.services()) {
            String name = service.environment() + " " + service.service();
            HttpResponse<String> readiness = get("http://127.0.0.1:" + service.port() + "/actuator/health/readiness");
            assertThat(readiness.statusCode()).as(name).isEqualTo(200);
            // every service jar is on the one class path: only those that deploy may open a deploy target
            boolean deploys = service.service().equals("promotion") || service.service().equals("rollback");
            assertThat(pipeline.context(service.environment(), service.service())
                    .getBeanNamesForType(DeployTarget.class)).as(name).hasSize(deploys ? 2 : 0);
        }
    }

    @Test
    void aGoodBuildReachesStagingOnItsOwnWaitsAtProdAndEntersProdAfterAnAllowedApproval() throws Exception {
        Release release = release("svc-good", "1.0.0", "jane");
        String run = runId(release);

        broker.as("dev", Principal.CI).withoutUserId().publish(build(release));

        CloudEvent<?> requested = broker.audit("prod").await(ApprovalRequested.class,
                r -> r.release().sameBuildAs(release));
        ApprovalRequested request = (ApprovalRequested) requested.data();
        assertThat(health("staging", "svc-good").version()).isEqualTo("1.0.0");
        assertThat(health("dev", "svc-good").version()).isEqualTo("1.0.0");
        assertThat(request.verifiedIn().environment()).isEqualTo("staging");
        assertThat(broker.audit("prod").caughtUp().events(DeploymentCompleted.class,
                d -> d.release().sameBuildAs(release))).as("nothing enters prod before an approval").isEmpty();
        assertThat(health("prod", "svc-good").status()).isEqualTo(503);

        broker.publish("prod", Principal.CHATOPS, decision(requested, "alice", release.digest()));

        broker.audit("prod").await(SmokeTestPassed.class, s -> s.release().sameBuildAs(release));
        ApprovalGranted granted = broker.audit("prod").awaitData(ApprovalGranted.class,
                g -> g.requestId().equals(request.requestId()));
        assertThat(granted.approvers()).containsExactly("alice");
        assertThat(health("prod", "svc-good").version()).isEqualTo("1.0.0");

        List<RevCommit> commits = git.commitsWithTrailer(RUN_ID, run);
        assertThat(commits).as("one promotion commit per environment").hasSize(3);
        for (String environment : List.of("dev", "staging", "prod")) {
            RevCommit commit = commits.stream()
                    .filter(c -> git.changedPaths(c).contains(GitOpsHistory.overlay(environment)))
                    .collect(onlyOne(environment));
            assertThat(git.changedPaths(commit)).containsExactly(GitOpsHistory.overlay(environment));
            CloudEvent<DeploymentCompleted> deployed = broker.audit(environment).caughtUp()
                    .events(DeploymentCompleted.class, d -> d.release().sameBuildAs(release)).get(0);
            Map<String, String> trailers = GitOpsHistory.trailers(commit);
            assertThat(deployed.data().revision()).isEqualTo(commit.name());
            assertThat(trailers).containsEntry(RUN_ID, run).containsEntry(EVENT_ID, deployed.causationid());
            if (environment.equals("prod")) {
                assertThat(trailers).containsEntry(APPROVED_BY, "alice");
            } else {
                assertThat(trailers).doesNotContainKey(APPROVED_BY);
            }
        }
        String prodOverlay = git.file(GitOpsHistory.overlay("prod"));
        assertThat(prodOverlay).startsWith("# The prod overlay.")
                .contains("name: " + release.image() + "\n    newTag: 1.0.0\n    digest: " + release.digest());
    }

    @Test
    void aHandEditOfAnOverlayIsDriftWithinTenSecondsAndPuttingItBackClearsIt() throws Exception {
        Release release = release("svc-drift", "1.0.0", "jane");
        broker.as("dev", Principal.CI).withoutUserId().publish(build(release));
        broker.audit("dev").await(SmokeTestPassed.class, s -> s.release().sameBuildAs(release));
        String pinned = "name: " + release.image() + "\n    newTag: 1.0.0\n";
        String edited = "name: " + release.image() + "\n    newTag: 1.0.0-hand\n";

        Instant edit = Instant.now();
        git.editByHand(GitOpsHistory.overlay("dev"), overlay -> overlay.replace(pinned, edited),
                "svc-drift: try 1.0.0-hand", workdir);
        CloudEvent<?> detection = broker.audit("dev").await(DriftDetected.class,
                d -> d.service().equals("svc-drift"));
        DriftDetected detected = (DriftDetected) detection.data();
        double seconds = Duration.between(edit, detection.time()).toMillis() / 1e3;
        System.out.printf("[drift] a hand edit of dev's overlay was drift.detected %.1f s after its push%n", seconds);
        assertThat(seconds).as("seconds from the push to drift.detected").isLessThanOrEqualTo(10);
        assertThat(detected.recorded().version()).isEqualTo("1.0.0");
        assertThat(detected.recorded().digest()).isEqualTo(release.digest());
        assertThat(detected.desired().version()).isEqualTo("1.0.0-hand");
        assertThat(detected.desired().digest()).as("the digest was left as it was").isEqualTo(release.digest());
        assertThat(detected.running().version()).as("the workload answers what the overlay says")
                .isEqualTo("1.0.0-hand");
        assertThat(detected.differences()).hasSize(2);

        Instant putBack = Instant.now();
        git.editByHand(GitOpsHistory.overlay("dev"), overlay -> overlay.replace(edited, pinned),
                "svc-drift: back to 1.0.0", workdir);
        CloudEvent<?> clearing = broker.audit("dev").await(DriftCleared.class,
                c -> c.detectedId().equals(detection.id()));
        System.out.printf("[drift] putting it back was drift.cleared %.1f s after its push%n",
                Duration.between(putBack, clearing.time()).toMillis() / 1e3);
        assertThat(broker.audit("dev").caughtUp().events(DriftDetected.class, d -> d.service().equals("svc-drift")))
                .as("one detection for the one drift").hasSize(1);
    }

    @Test
    void aBuildThatFailsStagingsSmokeTestIsRolledBackThereAndNeverReachesTheProdGate() throws Exception {
        Release good = release("svc-staging-fails", "1.0.0", "jane");
        Release bad = release("svc-staging-fails", "1.1.0-bad.1", "jane");
        broker.as("dev", Principal.CI).withoutUserId().publish(build(good));
        broker.audit("prod").await(ApprovalRequested.class, r -> r.release().sameBuildAs(good));

        broker.as("dev", Principal.CI).withoutUserId().publish(build(bad));

        broker.audit("dev").await(SmokeTestPassed.class, s -> s.release().sameBuildAs(bad));
        SmokeTestFailed failed = broker.audit("staging").awaitData(SmokeTestFailed.class,
                s -> s.release().sameBuildAs(bad));
        assertThat(failed.status()).isEqualTo(SmokeTestFailed.Status.FAILED);
        assertThat(failed.summary()).contains("health").contains("503");
        AuditRecord rollback = broker.audit("staging").awaitRecord(RollbackCompleted.class,
                r -> r.from().sameBuildAs(bad));
        RollbackCompleted completed = (RollbackCompleted) rollback.event().data();
        assertThat(completed.to().sameBuildAs(good)).as("back to the last verified release").isTrue();
        assertThat(health("staging", "svc-staging-fails").version()).isEqualTo("1.0.0");
        assertThat(git.file(GitOpsHistory.overlay("staging")))
                .contains("name: " + good.image() + "\n    newTag: 1.0.0\n    digest: " + good.digest());
        RevCommit restored = git.commits().stream().filter(c -> c.name().equals(completed.revision())).findFirst()
                .orElseThrow();
        assertThat(git.changedPaths(restored)).containsExactly(GitOpsHistory.overlay("staging"));
        assertThat(broker.audit("staging").caughtUp().ledger().isHeld(bad)).isTrue();

        // staging's audit is complete up to the rollback: a hand-off to prod would have been published there first
        assertThat(broker.audit("staging").events(SmokeTestPassed.class, s -> s.release().sameBuildAs(bad))).isEmpty();
        assertThat(broker.audit("staging").events(ApprovalRequested.class, r -> r.release().sameBuildAs(bad)))
                .isEmpty();
        assertThat(broker.audit("prod").caughtUp().events(ApprovalRequested.class,
                r -> r.release().sameBuildAs(bad))).isEmpty();
        assertThat(health("prod", "svc-staging-fails").status()).isEqualTo(503);
        assertThat(git.commitsWithTrailer(RUN_ID, runId(bad))).noneMatch(c -> git.changedPaths(c)
                .contains(GitOpsHistory.overlay("prod")));

        // the next good build is not stuck behind the rollback
        Release fixed = release("svc-staging-fails", "1.2.0", "jane");
        broker.as("dev", Principal.CI).withoutUserId().publish(build(fixed));
        broker.audit("prod").await(ApprovalRequested.class, r -> r.release().sameBuildAs(fixed));
        assertThat(health("staging", "svc-staging-fails").version()).isEqualTo("1.2.0");
    }

    @Test
    void refusesApprovalsByTheAuthorANonApproverWithoutUserIdForAnotherDigestAndForASupersededRequest()
            throws Exception {
        Release release = release("svc-refusals", "1.0.0", "alice");
        broker.as("dev", Principal.CI).withoutUserId().publish(build(release));
        CloudEvent<?> requested = broker.audit("prod").await(ApprovalRequested.class,
                r -> r.release().sameBuildAs(release));
        ApprovalRequested request = (ApprovalRequested) requested.data();
        Release otherBuild = release("svc-refusals", "1.0.0-other", "alice");

        String chatops = broker.user("prod", Principal.CHATOPS);
        // alice is an approver, but she wrote the release
        CloudEvent<ApprovalDecided> byTheAuthor = decision(requested, "alice", release.digest());
        CloudEvent<ApprovalDecided> byANonApprover = decision(requested, "mallory", release.digest());
        CloudEvent<ApprovalDecided> withoutUserId = decision(requested, "bob", release.digest());
        CloudEvent<ApprovalDecided> forAnotherBuild = decision(requested, "bob", otherBuild.digest());
        broker.publish("prod", Principal.CHATOPS, byTheAuthor);
        broker.publish("prod", Principal.CHATOPS, byANonApprover);
        // the chat bot's credential, but no user_id: the broker vouches for nobody
        broker.as("prod", Principal.CHATOPS).withoutUserId().publish(withoutUserId);
        broker.publish("prod", Principal.CHATOPS, forAnotherBuild);

        assertRefused(byTheAuthor, ApprovalRefused.Reason.SELF_APPROVAL, chatops);
        assertRefused(byANonApprover, ApprovalRefused.Reason.NOT_AN_APPROVER, chatops);
        assertRefused(withoutUserId, ApprovalRefused.Reason.MISSING_USER_ID, null);
        assertRefused(forAnotherBuild, ApprovalRefused.Reason.DIGEST_MISMATCH, chatops);

        AuditTrail prod = broker.audit("prod").caughtUp();
        assertThat(prod.ledger().pending(request.requestId())).as("the request stays pending").isPresent();

        // a newer release reaches the gate and supersedes the request: a yes to the old one comes too late
        Release newer = release("svc-refusals", "1.1.0", "alice");
        broker.as("dev", Principal.CI).withoutUserId().publish(build(newer));
        ApprovalExpired superseded = broker.audit("prod").awaitData(ApprovalExpired.class,
                e -> e.requestId().equals(request.requestId()));
        assertThat(superseded.reason()).isEqualTo(ApprovalExpired.Reason.SUPERSEDED);
        CloudEvent<ApprovalDecided> forTheSupersededRequest = decision(requested, "bob", release.digest());
        broker.publish("prod", Principal.CHATOPS, forTheSupersededRequest);
        assertRefused(forTheSupersededRequest, ApprovalRefused.Reason.SUPERSEDED, chatops);

        prod.caughtUp();
        assertThat(prod.events(ApprovalGranted.class, g -> g.release().service().equals("svc-refusals"))).isEmpty();
        assertThat(prod.events(PromotionRequested.class, p -> p.release().service().equals("svc-refusals")))
                .isEmpty();
        assertThat(git.commits()).noneMatch(c -> c.getFullMessage().contains("svc-refusals")
                && git.changedPaths(c).contains(GitOpsHistory.overlay("prod")));
        assertThat(health("prod", "svc-refusals").status()).as("nothing runs in prod").isEqualTo(503);
    }

    @Test
    void refusesAnApprovalAfterTheRequestExpired() throws Exception {
        Release release = release("svc-expiry", "1.0.0", "jane");
        broker.as("dev", Principal.CI).withoutUserId().publish(build(release));
        CloudEvent<?> requested = broker.audit("prod").await(ApprovalRequested.class,
                r -> r.release().sameBuildAs(release));
        ApprovalRequested request = (ApprovalRequested) requested.data();

        ApprovalExpired expired = broker.audit("prod").awaitData(ApprovalExpired.class,
                e -> e.requestId().equals(request.requestId()));
        assertThat(expired.reason()).isEqualTo(ApprovalExpired.Reason.EXPIRED);
        CloudEvent<ApprovalDecided> tooLate = decision(requested, "bob", release.digest());
        broker.publish("prod", Principal.CHATOPS, tooLate);

        assertRefused(tooLate, ApprovalRefused.Reason.EXPIRED, broker.user("prod", Principal.CHATOPS));
        assertThat(broker.audit("prod").caughtUp().events(PromotionRequested.class,
                p -> p.release().sameBuildAs(release))).isEmpty();
        assertThat(health("prod", "svc-expiry").status()).as("nothing runs in prod").isEqualTo(503);
    }

    @Test
    void aDuplicatedEventMakesNoSecondCommitAndNoSecondDownstreamEvent() throws Exception {
        Release release = release("svc-duplicates", "1.0.0", "jane");
        String run = runId(release);
        CloudEvent<BuildCompleted> build = build(release);
        broker.as("dev", Principal.CI).withoutUserId().publish(build);
        broker.audit("prod").await(ApprovalRequested.class, r -> r.release().sameBuildAs(release));
        List<AuditRecord> before = broker.audit("dev").caughtUp().run(run);
        assertThat(git.commitsWithTrailer(RUN_ID, run)).hasSize(2);

        List<String> published = new ArrayList<>();
        broker.as("dev", Principal.CI).withoutUserId().publish(build);
        published.add(build.id());
        CloudEvent<BuildCompleted> again = build(release, "the CI job ran twice");
        broker.as("dev", Principal.CI).withoutUserId().publish(again);
        published.add(again.id());
        // every event a dev service consumed in this run, again, from the service that published it
        for (AuditRecord record : before) {
            if (record.event().data() instanceof PromotionRequested p && p.targetEnvironment().equals("dev")
                    || record.event().data() instanceof DeploymentCompleted
                    || record.event().data() instanceof SmokeTestPassed) {
                broker.as("dev", record.publisher()).publish(record.routingKey(), record.event());
                published.add(record.event().id());
            }
        }
        assertThat(published).hasSize(5);
        // a newer build queues behind the duplicates in every dev inbox: once dev hands it to staging, each
        // duplicate was handled (one consumer per inbox, in order), and what it caused is in the audit stream
        Release newer = release("svc-duplicates", "1.1.0", "jane");
        broker.as("dev", Principal.CI).withoutUserId().publish(build(newer));
        broker.audit("dev").await(PromotionRequested.class,
                p -> p.release().sameBuildAs(newer) && p.targetEnvironment().equals("staging"));

        List<String> expected = new ArrayList<>(ids(before));
        expected.addAll(published);
        assertThat(ids(broker.audit("dev").caughtUp().run(run)))
                .as("the run's events in dev: the originals and the duplicates, nothing they caused")
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(git.commitsWithTrailer(RUN_ID, run)).as("still one commit each in dev and staging").hasSize(2);
    }

    @Test
    void anOlderBuildArrivingAfterANewerOneIsBlockedNotDeployed() throws Exception {
        Release newer = release("svc-older", "2.0.0", "jane");
        Release older = release("svc-older", "1.9.0", "jane");
        broker.as("dev", Principal.CI).withoutUserId().publish(build(newer));
        broker.audit("dev").await(SmokeTestPassed.class, s -> s.release().sameBuildAs(newer));

        broker.as("dev", Principal.CI).withoutUserId().publish(build(older));

        PromotionBlocked blocked = broker.audit("dev").awaitData(PromotionBlocked.class,
                b -> b.release().sameBuildAs(older));
        assertThat(blocked.reason()).isEqualTo(PromotionBlocked.Reason.OLDER_THAN_RUNNING);
        assertThat(blocked.runningVersion()).isEqualTo("2.0.0");
        assertThat(broker.audit("dev").caughtUp().events(DeploymentCompleted.class,
                d -> d.release().sameBuildAs(older))).isEmpty();
        assertThat(git.commitsWithTrailer(RUN_ID, runId(older))).isEmpty();
        assertThat(health("dev", "svc-older").version()).isEqualTo("2.0.0");
    }

    @Test
    void anOperatorsRollbackInStagingWithdrawsTheReleaseFromProdWhereItWaitedForApproval() throws Exception {
        Release previous = release("svc-withdrawn-by-operator", "41.445.0", "jane");
        Release rejected = release("svc-withdrawn-by-operator", "41.445.1", "jane");
        broker.as("dev", Principal.CI).withoutUserId().publish(build(previous));
        CloudEvent<?> previousRequest = broker.audit("prod").await(ApprovalRequested.class,
                r -> r.release().sameBuildAs(previous));
        broker.publish("prod", Principal.CHATOPS, decision(previousRequest, "alice", previous.digest()));
        broker.audit("prod").await(SmokeTestPassed.class, s -> s.release().sameBuildAs(previous));
        broker.as("dev", Principal.CI).withoutUserId().publish(build(rejected));
        CloudEvent<?> requested = broker.audit("prod").await(ApprovalRequested.class,
                r -> r.release().sameBuildAs(rejected));
        String requestId = ((ApprovalRequested) requested.data()).requestId();

        // stagecoach rollback --env staging --service svc-withdrawn-by-operator --reason "p99 latency doubled"
        String asked = EventIds.derive("rollback.requested", "staging", rejected.digest());
        broker.publish("staging", Principal.OPERATOR, CloudEvent.of(new RollbackRequested("staging",
                rejected.service(), null, "sam", "p99 latency doubled"), "/stagecoach/cli", "staging",
                runId(rejected), asked, asked));

        RollbackCompleted rolledBack = broker.audit("staging").awaitData(RollbackCompleted.class,
                r -> r.from().sameBuildAs(rejected));
        assertThat(rolledBack.to().sameBuildAs(previous)).isTrue();
        assertWithdrawnFromProd(rejected, requestId, "a rollback asked for by sam: p99 latency doubled");

        // bob approves the request he still sees in the chat
        CloudEvent<ApprovalDecided> late = decision(requested, "bob", rejected.digest());
        broker.publish("prod", Principal.CHATOPS, late);
        assertRefused(late, ApprovalRefused.Reason.WITHDRAWN, broker.user("prod", Principal.CHATOPS));

        // a grant that went out just before the withdrawal arrived: its promotion is blocked on the way
        var approved = PromotionRequested.approved(rejected, "prod", ((ApprovalRequested) requested.data())
                .verifiedIn(), new io.stagecoach.events.Approval(requestId, List.of("bob")));
        CloudEvent<PromotionRequested> inFlight = CloudEvent.of(approved, "/stagecoach/prod/approval", "prod",
                runId(rejected), requested.id(), EventIds.derive(requestId, "granted just before"));
        broker.publish("prod", Principal.APPROVAL, inFlight);
        PromotionBlocked blocked = broker.audit("prod").awaitCausedBy(PromotionBlocked.class,
                inFlight).data();
        assertThat(blocked.reason()).isEqualTo(PromotionBlocked.Reason.WITHDRAWN);
        assertThat(blocked.message()).contains("staging withdrew it");

        assertProdUnchanged(rejected, "41.445.0");
    }

    @Test
    void anAlertInStagingWithdrawsTheReleaseFromProdWhereItWaitedForApproval() throws Exception {
        Release previous = release("svc-withdrawn-by-alert", "3.0.0", "jane");
        Release alerting = release("svc-withdrawn-by-alert", "3.1.0", "jane");
        broker.as("dev", Principal.CI).withoutUserId().publish(build(previous));
        broker.audit("prod").await(ApprovalRequested.class, r -> r.release().sameBuildAs(previous));
        broker.as("dev", Principal.CI).withoutUserId().publish(build(alerting));
        CloudEvent<?> requested = broker.audit("prod").await(ApprovalRequested.class,
                r -> r.release().sameBuildAs(alerting));
        String requestId = ((ApprovalRequested) requested.data()).requestId();

        // Alertmanager posts a firing alert of staging to staging's rollback service; it started after the release
        // was deployed there (an alert that started before is about the previous release and rolls nothing back)
        HttpResponse<String> posted = post(service("staging", "rollback") + "/alerts", """
                {"version": "4", "status": "firing", "receiver": "stagecoach", "alerts": [
                 {"status": "firing",
                  "labels": {"alertname": "StagingLatency", "environment": "staging",
                             "service": "svc-withdrawn-by-alert", "severity": "critical"},
                  "annotations": {"summary": "p99 above 2s"},
                  "startsAt": "%s", "endsAt": "0001-01-01T00:00:00Z",
                  "generatorURL": "http://prometheus:9090/graph", "fingerprint": "7a1e2b3c4d5e6f70"}]}
                """.formatted(java.time.Instant.now()));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);

        RollbackCompleted rolledBack = broker.audit("staging").awaitData(RollbackCompleted.class,
                r -> r.from().sameBuildAs(alerting));
        assertThat(rolledBack.to().sameBuildAs(previous)).isTrue();
        assertWithdrawnFromProd(alerting, requestId, "alert StagingLatency: p99 above 2s");

        CloudEvent<ApprovalDecided> late = decision(requested, "bob", alerting.digest());
        broker.publish("prod", Principal.CHATOPS, late);
        assertRefused(late, ApprovalRefused.Reason.WITHDRAWN, broker.user("prod", Principal.CHATOPS));

        assertProdUnchanged(alerting, null);
    }

    @Test
    void everyRunEndsWithAnEventWhenBuildsComeFasterThanThePipeline() throws Exception {
        List<Release> releases = List.of(release("svc-superseded", "1.0.0", "jane"),
                release("svc-superseded", "1.0.1", "jane"), release("svc-superseded", "1.0.2", "jane"));
        for (Release release : releases) {
            broker.as("dev", Principal.CI).withoutUserId().publish(build(release));
        }

        broker.audit("prod").await(ApprovalRequested.class, r -> r.release().sameBuildAs(releases.get(2)));
        for (Release replaced : releases.subList(0, 2)) {
            String run = runId(replaced);
            org.awaitility.Awaitility.await().atMost(TestPipeline.WAIT).pollInterval(Duration.ofMillis(200))
                    .alias("the event that ends the run of " + replaced.version())
                    .until(() -> supersession(run).isPresent());
            String newer = supersession(run).orElseThrow();
            assertThat(newer).as("the run of %s names what replaced it", replaced.version())
                    .isIn("1.0.1", "1.0.2");
            assertThat(git.commitsWithTrailer(RUN_ID, run)).noneMatch(c -> git.changedPaths(c)
                    .contains(GitOpsHistory.overlay("prod")));
        }
    }

    /**
     * The version named by the event that ended {@code run} as superseded, in any environment: a block (superseded,
     * or older than what runs) or an approval request superseded.
     */
    private static java.util.Optional<String> supersession(String run) throws Exception {
        for (String environment : List.of("dev", "staging", "prod")) {
            for (AuditRecord record : broker.audit(environment).run(run)) {
                if (record.event().data() instanceof PromotionBlocked b
                        && b.reason() == PromotionBlocked.Reason.SUPERSEDED) {
                    return java.util.Optional.of(b.supersededBy());
                }
                if (record.event().data() instanceof PromotionBlocked b
                        && b.reason() == PromotionBlocked.Reason.OLDER_THAN_RUNNING) {
                    return java.util.Optional.of(b.runningVersion());
                }
                if (record.event().data() instanceof ApprovalExpired e
                        && e.reason() == ApprovalExpired.Reason.SUPERSEDED) {
                    return java.util.Optional.of(e.supersededBy());
                }
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * staging withdrew {@code release} from prod: the withdrawal crossed the shovel from staging's rollback user,
     * prod's promotion service blocked the release, and the request waiting there ended with the reason.
     */
    private static void assertWithdrawnFromProd(Release release, String requestId, String why) throws Exception {
        AuditRecord withdrawal = broker.audit("prod").awaitRecord(ReleaseWithdrawn.class,
                w -> w.release().sameBuildAs(release));
        assertThat(withdrawal.routingKey()).isEqualTo("release.withdrawn.prod");
        assertThat(withdrawal.publisher()).isEqualTo(broker.user("staging", Principal.ROLLBACK));
        assertThat(((ReleaseWithdrawn) withdrawal.event().data()).message()).contains(why);

        PromotionBlocked blocked = broker.audit("prod").awaitCausedBy(PromotionBlocked.class,
                withdrawal.event()).data();
        assertThat(blocked.reason()).isEqualTo(PromotionBlocked.Reason.WITHDRAWN);
        assertThat(blocked.message()).contains("may no longer enter prod", "staging withdrew it", why);

        ApprovalExpired ended = broker.audit("prod").awaitData(ApprovalExpired.class,
                e -> e.requestId().equals(requestId));
        assertThat(ended.reason()).as("the request ends withdrawn, before it could expire")
                .isEqualTo(ApprovalExpired.Reason.WITHDRAWN);
        assertThat(ended.message()).startsWith("staging withdrew " + release.version() + ": ").contains(why);
        assertThat(broker.audit("prod").caughtUp().ledger().pending(requestId)).isEmpty();
    }

    /** Nothing of {@code release} entered prod, which still runs {@code running} (or nothing). */
    private static void assertProdUnchanged(Release release, String running) throws Exception {
        AuditTrail prod = broker.audit("prod").caughtUp();
        assertThat(prod.events(ApprovalGranted.class, g -> g.release().sameBuildAs(release))).isEmpty();
        assertThat(prod.events(DeploymentCompleted.class, d -> d.release().sameBuildAs(release))).isEmpty();
        assertThat(git.commitsWithTrailer(RUN_ID, runId(release))).noneMatch(c -> git.changedPaths(c)
                .contains(GitOpsHistory.overlay("prod")));
        assertThat(git.file(GitOpsHistory.overlay("prod"))).doesNotContain(release.digest());
        Health health = health("prod", release.service());
        if (running == null) {
            assertThat(health.status()).as("nothing runs in prod").isEqualTo(503);
        } else {
            assertThat(health.version()).isEqualTo(running);
        }
    }

    private static String service(String environment, String service) {
        int port = pipeline.services().stream()
                .filter(s -> s.environment().equals(environment) && s.service().equals(service)).findFirst()
                .orElseThrow().port();
        return "http://127.0.0.1:" + port;
    }

    private static HttpResponse<String> post(String url, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(CloudEvent<ApprovalDecided> decision, ApprovalRefused.Reason reason,
                                      String publisher) throws Exception {
        ApprovalRefused refused = broker.audit("prod").awaitCausedBy(ApprovalRefused.class, decision).data();
        assertThat(refused.reason()).as("refusal of " + decision.data().approver()).isEqualTo(reason);
        assertThat(refused.requestId()).isEqualTo(decision.data().requestId());
        assertThat(refused.attemptedBy()).isEqualTo(decision.data().approver());
        assertThat(refused.publisher()).isEqualTo(publisher);
        assertThat(refused.message()).isNotBlank();
    }

    /** The chat bot's {@code approval.decided} on {@code requested}, by {@code approver}, naming {@code digest}. */
    private static CloudEvent<ApprovalDecided> decision(CloudEvent<?> requested, String approver, String digest) {
        ApprovalRequested request = (ApprovalRequested) requested.data();
        Release release = request.release();
        var data = new ApprovalDecided(request.requestId(), release.service(), release.version(), digest, "prod",
                Decision.APPROVE, approver, "looks good", false);
        return CloudEvent.of(data, "/chatops", "prod", requested.correlationid(), requested.id(),
                EventIds.derive("decision", request.requestId(), approver, digest,
                        String.valueOf(DECISIONS.incrementAndGet())));
    }

    private static List<String> ids(List<AuditRecord> records) {
        return records.stream().map(r -> r.event().id()).toList();
    }

    private static <T> java.util.stream.Collector<T, ?, T> onlyOne(String what) {
        return Collectors.collectingAndThen(Collectors.toList(), list -> {
            assertThat(list).as("commits for " + what).hasSize(1);
            return list.get(0);
        });
    }

    /** What {@code service}'s demo workload in {@code environment} answers: the version that runs there. */
    /** dev has the flag, off for everyone. */
    private static final String FLAGS_OFF = """
            {
              "$schema": "https://flagd.dev/schema/v0/flags.json",
              "flags": {
                "new-checkout": {
                  "state": "ENABLED",
                  "variants": {"on": true, "off": false},
                  "defaultVariant": "off"
                }
              }
            }
            """;

    /** The same flag rolled out to a tenth of the users. */
    private static final String FLAGS_TENTH = """
            {
              "$schema": "https://flagd.dev/schema/v0/flags.json",
              "flags": {
                "new-checkout": {
                  "state": "ENABLED",
                  "variants": {"on": true, "off": false},
                  "defaultVariant": "off",
                  "targeting": {"fractional": [["on", 10], ["off", 90]]}
                }
              }
            }
            """;

    /** On for everyone. */
    private static final String FLAGS_ALL = FLAGS_OFF.replace("\"defaultVariant\": \"off\"",
            "\"defaultVariant\": \"on\"");

    @Test
    void aFlagChangeMovesLikeAReleaseIntoProdOnlyAfterAnApprovalAndARollbackPutsTheEarlierFlagsBack()
            throws Exception {
        String service = "svc-flags";
        Release first = release(service, "1.0.0", "jane").withFlags(Flags.of(FLAGS_OFF));
        // a change of flags alone: the same image, a new version
        Release tenth = new Release(service, "1.1.0", first.image(), first.digest(), first.commit(), "jane",
                Flags.of(FLAGS_TENTH));
        Release broken = new Release(service, "1.2.0-bad-dev", first.image(), first.digest(), first.commit(), "jane",
                Flags.of(FLAGS_ALL));

        broker.as("dev", Principal.CI).withoutUserId().publish(build(first));
        CloudEvent<?> requested = broker.audit("prod").await(ApprovalRequested.class,
                r -> r.release().sameBuildAs(first));
        for (String environment : List.of("dev", "staging")) {
            assertThat(git.file(flagsPath(environment, service))).as(environment).isEqualTo(FLAGS_OFF);
            assertThat(health(environment, service).flags()).as(environment).isEqualTo(first.flagsDigest());
            SmokeTestPassed passed = broker.audit(environment).awaitData(SmokeTestPassed.class,
                    p -> p.release().sameBuildAs(first));
            assertThat(passed.release().flags()).isEqualTo(first.flags());
        }
        assertThat(git.fileIfAny(flagsPath("prod", service))).as("no flags in prod before an approval").isEmpty();

        broker.publish("prod", Principal.CHATOPS, decision(requested, "alice", first.digest()));
        broker.audit("prod").await(SmokeTestPassed.class, p -> p.release().sameBuildAs(first));
        assertThat(git.file(flagsPath("prod", service))).isEqualTo(FLAGS_OFF);
        assertThat(health("prod", service).flags()).isEqualTo(first.flagsDigest());
        RevCommit prodCommit = git.commitsWithTrailer(RUN_ID, runId(first)).stream()
                .filter(c -> git.changedPaths(c).contains(flagsPath("prod", service))).collect(onlyOne("prod"));
        assertThat(git.changedPaths(prodCommit)).containsExactlyInAnyOrder(GitOpsHistory.overlay("prod"),
                flagsPath("prod", service));
        assertThat(GitOpsHistory.trailers(prodCommit)).containsEntry("Stagecoach-Flags", first.flagsDigest());

        // the flag change travels the same way: staging on its own, prod waits for a person
        broker.as("dev", Principal.CI).withoutUserId().publish(build(tenth));
        broker.audit("prod").await(ApprovalRequested.class, r -> r.release().sameBuildAs(tenth));
        assertThat(git.file(flagsPath("staging", service))).isEqualTo(FLAGS_TENTH);
        assertThat(git.file(flagsPath("prod", service))).as("prod keeps its flags until approved")
                .isEqualTo(FLAGS_OFF);
        assertThat(broker.audit("staging").caughtUp().ledger().running(service)).get()
                .extracting(d -> d.release().flagsDigest()).isEqualTo(tenth.flagsDigest());

        // a release that fails dev's smoke test is rolled back, and its flags with it
        broker.as("dev", Principal.CI).withoutUserId().publish(build(broken));
        RollbackCompleted rolledBack = broker.audit("dev").awaitData(RollbackCompleted.class,
                r -> broken.sameBuildAs(r.from()));
        assertThat(rolledBack.to().flags()).isEqualTo(tenth.flags());
        assertThat(git.file(flagsPath("dev", service))).isEqualTo(FLAGS_TENTH);
        assertThat(health("dev", service).flags()).isEqualTo(tenth.flagsDigest());
        assertThat(git.commits().stream().anyMatch(c -> git.changedPaths(c).contains(flagsPath("dev", service))
                && FLAGS_ALL.equals(git.fileAt(c, flagsPath("dev", service))))).as("the broken flags were deployed")
                .isTrue();

        // flags whose digest is not their content's are refused where they enter, and audited
        Release forged = new Release(service, "1.3.0", first.image(), first.digest(), first.commit(), "jane",
                new Flags(tenth.flagsDigest(), FLAGS_ALL));
        broker.as("dev", Principal.CI).withoutUserId().publish(build(forged));
        PromotionBlocked refused = broker.audit("dev").awaitData(PromotionBlocked.class,
                b -> b.release().sameBuildAs(forged));
        assertThat(refused.reason()).isEqualTo(PromotionBlocked.Reason.BUILD_REFUSED);
        assertThat(refused.message()).contains("is not their content's");
        assertThat(git.file(flagsPath("dev", service))).isEqualTo(FLAGS_TENTH);
    }

    private static String flagsPath(String environment, String service) {
        return "flags/" + environment + "/" + service + ".flagd.json";
    }

    private static Health health(String environment, String service) throws Exception {
        LocalPipeline.Workload workload = pipeline.workloads().stream()
                .filter(w -> w.environment().equals(environment) && w.service().equals(service)).findFirst()
                .orElseThrow();
        HttpResponse<String> response = get(workload.url());
        JsonNode body = JSON.readTree(response.body());
        return new Health(response.statusCode(), body.path("version").isNull() ? null
                : body.path("version").asString(), body.path("flags").isString() ? body.path("flags").asString() : null);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private record Health(int status, String version, String flags) {
    }
}
