package io.stagecoach.cli;

import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows one run across every environment's audit stream, printing a line per event of it, until it waits at a
 * manual gate, passed the last environment, failed, or was superseded by a newer release. A failed deployment or
 * smoke test is followed a little longer, so the rollback it causes is shown too.
 */
final class RunFollower {

    /** How long a failing run is followed for the rollback that answers it. */
    static final Duration ROLLBACK_GRACE = Duration.ofSeconds(30);

    private final Broker broker;
    private final Environments environments;
    private final PrintWriter out;
    private final Set<String> seen = new HashSet<>();

    RunFollower(Broker broker, Environments environments, PrintWriter out) {
        this.broker = broker;
        this.environments = environments;
        this.out = out;
    }

    /**
     * @param status  the exit status: {@link ExitCodes#OK}, {@link ExitCodes#PIPELINE} or
     *                {@link ExitCodes#SUPERSEDED}
     * @param summary the last line to print
     */
    record Outcome(int status, String summary) {
    }

    Outcome follow(String runId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        BlockingQueue<AuditRecord> records = new LinkedBlockingQueue<>();
        List<LedgerFeed> feeds = new ArrayList<>();
        Map<String, Duration> soaks = new HashMap<>();
        environments.all().forEach(environment -> soaks.put(environment.name(), environment.soak()));
        RunProgress progress = new RunProgress(environments.all().get(environments.all().size() - 1).name(), soaks);
        out.println("Following run " + runId + " across " + EnvironmentOptions.names(environments)
                + " (up to " + EventLines.age(timeout) + ")...");
        out.flush();
        try {
            for (Environment environment : environments.all()) {
                feeds.add(Ledgers.start(broker, environments, environment, records::add));
            }
            // what already happened, in time order across environments; then decide, then follow live
            List<AuditRecord> replayed = new ArrayList<>();
            records.drainTo(replayed);
            replayed.sort(Comparator.comparing(r -> r.event().time()));
            replayed.forEach(r -> apply(r, runId, progress));
            long failingSince = progress.stage() == RunProgress.Stage.FAILING ? System.nanoTime() : 0;
            while (!progress.stage().settled()) {
                long end = failingSince == 0 ? deadline : Math.min(deadline, failingSince + ROLLBACK_GRACE.toNanos());
                long left = end - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                AuditRecord next = records.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)), TimeUnit.NANOSECONDS);
                if (next != null) {
                    apply(next, runId, progress);
                    if (progress.stage() == RunProgress.Stage.FAILING && failingSince == 0) {
                        failingSince = System.nanoTime();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(ExitCodes.PIPELINE, "Interrupted; " + progress.description());
        } finally {
            feeds.forEach(LedgerFeed::close);
        }
        return switch (progress.stage()) {
            case AT_GATE, FROZEN, SOAKING, DONE -> new Outcome(ExitCodes.OK, progress.description());
            case SUPERSEDED -> new Outcome(ExitCodes.SUPERSEDED, "Superseded: " + progress.description());
            case FAILED, FAILING -> new Outcome(ExitCodes.PIPELINE, "Failed: " + progress.description());
            case NOT_SEEN -> new Outcome(ExitCodes.PIPELINE, "Timed out after " + EventLines.age(timeout)
                    + ": no event of run " + runId + " appeared; are the services running (`stagecoach up`)?");
            case TRAVELLING -> new Outcome(ExitCodes.PIPELINE, "Timed out after " + EventLines.age(timeout)
                    + "; last seen: " + progress.description());
        };
    }

    private void apply(AuditRecord record, String runId, RunProgress progress) {
        // a hand-off is in two streams: the sender's and the receiver's
        if (!runId.equals(record.event().correlationid()) || !seen.add(record.event().id())) {
            return;
        }
        out.println(EventLines.watch(record.event(), record.publisher()));
        out.flush();
        progress.apply(record.event());
    }
}
