package io.stagecoach.cli;

import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Principal;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.events.Trigger;
import io.stagecoach.events.Verification;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The audit of the first environment as its producers write it, for the replay benchmark: builds of {@code services}
 * services one after another, each run as the pipeline records it (the build, its promotion request, the deployment,
 * the smoke test, then the hand-off to the next environment, or a failure and its rollback), and a checkpoint of a
 * service every few runs of it, taken from a ledger folded from the same records. Deterministic for a seed, so two
 * runs of the benchmark replay the same history.
 */
final class ReplayHistory {

    /** One record: the event and the principal that publishes it (under the event's own routing key). */
    record Entry(CloudEvent<?> event, Principal publisher) {
    }

    /** One run in this many fails its smoke test and is rolled back. */
    static final int FAILURE_EVERY = 10;
    /** A service gets a checkpoint every this many of its runs. */
    static final int CHECKPOINT_EVERY = 5;
    static final String IMAGES = "ghcr.io/acme/";

    private final Environment here;
    private final Environment next;
    private final List<String> services;
    private final Random random;
    private final EnvironmentLedger folded;
    private final Deque<Entry> queued = new ArrayDeque<>();
    private int runs;
    private long offset;

    /**
     * @param environments the environments whose first one's audit this is; it must hand off to a next one
     */
    ReplayHistory(Environments environments, int services, long seed) {
        this.here = environments.first();
        this.next = environments.next(here.name()).orElseThrow(() -> new IllegalArgumentException(
                "the replay history needs an environment after " + here.name() + " to hand off to"));
        this.services = new ArrayList<>();
        for (int i = 1; i <= services; i++) {
            this.services.add(String.format(Locale.ROOT, "service-%02d", i));
        }
        this.random = new Random(seed);
        this.folded = new EnvironmentLedger(here.name(), Provenance.of(environments));
    }

    List<String> services() {
        return services;
    }

    /** The next record of the history (it never ends). */
    Entry next() {
        if (queued.isEmpty()) {
            run();
        }
        Entry entry = queued.removeFirst();
        // the ledger the checkpoints come from reads the records as the stream will hand them over
        folded.apply(new AuditRecord(entry.event(), entry.event().routingKey(), entry.publisher().userIn(here.vhost()),
                offset++));
        return entry;
    }

    private void run() {
        String service = services.get(runs % services.size());
        int build = runs / services.size() + 1;
        runs++;
        String version = "1." + (build / 1000) + "." + (build % 1000);
        Release release = new Release(service, version, IMAGES + service,
                "sha256:" + String.format(Locale.ROOT, "%064x", (long) service.hashCode() * 1_000_003L + build),
                String.format(Locale.ROOT, "%040x", (long) build * 7919L + service.hashCode()),
                List.of("alice", "bob", "carol", "dave").get(random.nextInt(4)));
        String runId = EventIds.derive("replay-run", service, version);
        String env = here.name();
        String source = "/stagecoach/" + env + "/";

        CloudEvent<?> built = CloudEvent.of(new BuildCompleted(release, "https://ci.example.com/" + service + "/"
                + build), "https://ci.example.com", env, runId, null,
                EventIds.derive("build.completed", service, version, release.digest()));
        queue(built, Principal.CI);
        CloudEvent<?> requested = CloudEvent.causedBy(built, PromotionRequested.build(release, env),
                source + "build-completed", env);
        queue(requested, Principal.BUILD_COMPLETED);
        CloudEvent<?> deployed = CloudEvent.causedBy(requested, new DeploymentCompleted(release, env, "gitops",
                "rev-" + Integer.toHexString(random.nextInt()), null, false), source + "promotion", env);
        queue(deployed, Principal.PROMOTION);
        List<SmokeCheck> checks = List.of(
                new SmokeCheck("health", "http://" + service + "." + env + ".svc/health", 200, 200,
                        SmokeCheck.Result.PASSED, "ok", 4 + random.nextInt(40)),
                new SmokeCheck("version", "http://" + service + "." + env + ".svc/version", 200, 200,
                        SmokeCheck.Result.PASSED, version, 3 + random.nextInt(20)));
        if (random.nextInt(FAILURE_EVERY) == 0) {
            CloudEvent<?> failed = CloudEvent.causedBy(deployed, new SmokeTestFailed(release, env,
                    SmokeTestFailed.Status.FAILED, List.of(checks.get(0), new SmokeCheck("version", "http://"
                    + service + "." + env + ".svc/version", 200, 503, SmokeCheck.Result.FAILED, "503 Service "
                    + "Unavailable", 31)), "version: expected 200, got 503"), source + "smoke-test", env);
            queue(failed, Principal.SMOKE_TEST);
            folded.lastVerified(service, release).ifPresent(target -> queue(CloudEvent.causedBy(failed,
                    new RollbackCompleted(env, service, release, target.release(),
                            new Trigger(Trigger.Type.SMOKETEST_FAILED, failed.id()),
                            "rev-" + Integer.toHexString(random.nextInt())), source + "rollback", env),
                    Principal.ROLLBACK));
        } else {
            CloudEvent<?> passed = CloudEvent.causedBy(deployed, new SmokeTestPassed(release, env, checks),
                    source + "smoke-test", env);
            queue(passed, Principal.SMOKE_TEST);
            queue(CloudEvent.causedBy(passed, PromotionRequested.verified(release, next.name(),
                    new Verification(env, passed.id())), source + "promotion", next.name()), Principal.PROMOTION);
        }
        if (build % CHECKPOINT_EVERY == 0) {
            // as the promotion service writes them: correlated per service, caused by the offset of its last change
            String changed = Long.toString(folded.changedAt(service));
            queue(CloudEvent.of(folded.checkpoint(service), source + "promotion", env,
                    EventIds.derive("ledger", env, service), EventIds.derive("ledger", env, service, changed),
                    EventIds.derive("ledger.checkpointed", env, service, changed, Integer.toString(build))),
                    Principal.PROMOTION);
        }
    }

    private void queue(CloudEvent<?> event, Principal publisher) {
        queued.addLast(new Entry(event, publisher));
    }
}
