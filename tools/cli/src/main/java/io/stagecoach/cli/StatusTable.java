package io.stagecoach.cli;

import io.stagecoach.events.EventType;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The status table: per service, per environment what runs (as recorded; beside it what the deploy target declares
 * and what was observed running, which say {@code same} unless a drift is open), whether it is verified there, what waits, what failed,
 * what went no further without failing (superseded by a newer release, or withdrawn by the environment before), and
 * which releases are held there (rolled back from, until an operator lifts the hold), and whether the environment is
 * frozen, until when, with what waits for its end.
 */
final class StatusTable {

    static final List<String> HEADER = List.of("ENVIRONMENT", "RUNNING", "DESIRED", "OBSERVED", "VERIFIED HERE",
            "PENDING APPROVALS", "LAST FAILURE", "LAST STOPPED", "HELD", "FROZEN");
    private static final int DETAIL_WIDTH = 70;

    private StatusTable() {
    }

    /** The services to show: the one asked for, else the configured ones, then any other seen anywhere. */
    static List<String> services(Environments environments, Map<String, EnvironmentLedger> ledgers, String only) {
        if (only != null) {
            return List.of(only);
        }
        Set<String> others = new TreeSet<>();
        ledgers.values().forEach(l -> others.addAll(l.services()));
        List<String> all = new ArrayList<>(environments.services());
        others.stream().filter(s -> !all.contains(s)).forEach(all::add);
        return all;
    }

    static String render(Environments environments, Map<String, EnvironmentLedger> ledgers, List<String> services,
                         Instant now) {
        StringBuilder text = new StringBuilder();
        for (String service : services) {
            List<List<String>> rows = new ArrayList<>();
            rows.add(HEADER);
            for (Environment environment : environments.all()) {
                rows.add(row(service, environment, ledgers.get(environment.name()), now));
            }
            if (!text.isEmpty()) {
                text.append(System.lineSeparator());
            }
            text.append(service).append(System.lineSeparator());
            text.append(table(rows));
        }
        return text.toString();
    }

    static List<String> row(String service, Environment environment, EnvironmentLedger ledger, Instant now) {
        Optional<EnvironmentLedger.Deployed> running = ledger.running(service);
        // the flags a release carries are part of what runs: a flag change is a release of its own
        String version = running.map(d -> d.release().version() + (d.release().flags() == null ? ""
                : " flags " + d.release().flags().shortDigest()) + (d.rollback() ? " (rolled back)" : "")).orElse("-");
        String verified = running.map(d -> ledger.isVerified(d.release()) ? "yes" + soaking(service, environment,
                ledger, d, now) : "no").orElse("-");
        // the age is the gated environment's own: since its approval service received the request
        List<String> pending = ledger.pendingFor(service).stream()
                .map(p -> p.request().release().version() + " waiting "
                        + ledger.opened(p.requestId()).map(o -> EventLines.age(o.at(), now)).orElse("(not opened yet)")
                        + " (request " + p.requestId() + ")").toList();
        String failure = ledger.lastFailure(service).map(f -> EventType.fromType(f.type()).map(EventType::eventName)
                .orElse(f.type()) + " " + (f.release() == null ? "" : f.release().version() + " ")
                + EventLines.age(f.at(), now) + " ago: " + shorten(f.detail())).orElse("-");
        String stopped = ledger.lastStopped(service).map(s -> stopped(s, now)).orElse("-");
        List<String> held = ledger.held(service).stream().map(r -> r.version()).distinct().toList();
        // what the target declares and what was observed running, where they differ from RUNNING (drift)
        Optional<EnvironmentLedger.Drifting> drift = ledger.drift(service);
        String same = running.isPresent() ? "same" : "-";
        String desired = drift.map(d -> d.detected().desired() == null ? "nothing (drift)"
                : d.detected().desired().describe() + " (drift)").orElse(same);
        String observed = drift.map(d -> d.detected().running() == null ? "not observed"
                : d.detected().running().describe() + " (drift)").orElse(same);
        return List.of(environment.name(), version, desired, observed, verified,
                pending.isEmpty() ? "-" : String.join("; ", pending), failure, stopped,
                held.isEmpty() ? "-" : String.join(", ", held), frozen(service, environment, ledger, now));
    }

    /**
     * {@code , soaks 12m more} while a verified release has not run the environment's soak here since its deployment
     * or the last alert for its service (ADR 39); empty otherwise.
     */
    private static String soaking(String service, Environment environment, EnvironmentLedger ledger,
                                  EnvironmentLedger.Deployed deployed, Instant now) {
        if (environment.soak().isZero()) {
            return "";
        }
        Instant since = ledger.lastAlert(service).map(EnvironmentLedger.Alerted::at)
                .filter(a -> a.isAfter(deployed.at())).orElse(deployed.at());
        Instant soaked = since.plus(environment.soak());
        return now.isBefore(soaked) ? ", soaks " + EventLines.age(java.time.Duration.between(now, soaked)) + " more"
                : "";
    }

    /** {@code until 2026-12-07 07:00:00Z (weekly Fri 16:00 - Mon 08:00 (Europe/Berlin)), parked: 1.5.0}. */
    private static String frozen(String service, Environment environment, EnvironmentLedger ledger, Instant now) {
        List<String> parked = ledger.parked().stream().filter(p -> p.frozen().release().service().equals(service))
                .map(p -> p.frozen().release().version()).distinct().toList();
        String waiting = parked.isEmpty() ? "" : "parked: " + String.join(", ", parked);
        return io.stagecoach.ledger.Freeze.at(environment.freeze(), ledger.lineStop(), now)
                .map(f -> (f.until() == null ? "until restarted" : "until " + EventLines.TIMESTAMP.format(f.until()))
                        + " (" + f.describe() + ")" + (waiting.isEmpty() ? "" : ", " + waiting))
                .orElse(waiting.isEmpty() ? "-" : waiting + " (the freeze ended: deciding them)");
    }

    /** {@code 1.4.2 superseded by 1.4.3 2m ago}, {@code 41.445.1 withdrawn 5s ago: staging withdrew it (...)}. */
    private static String stopped(EnvironmentLedger.Stopped stopped, Instant now) {
        PromotionBlocked blocked = stopped.blocked();
        String age = EventLines.age(stopped.at(), now) + " ago";
        return blocked.reason() == PromotionBlocked.Reason.SUPERSEDED
                ? blocked.release().version() + " superseded by " + blocked.supersededBy() + " " + age
                : blocked.release().version() + " withdrawn " + age + ": " + shorten(blocked.message());
    }

    private static String table(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row.get(i) : EventLines.pad(row.get(i), widths[i] + 2));
            }
            text.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return text.toString();
    }

    private static String shorten(String detail) {
        if (detail == null) {
            return "";
        }
        String oneLine = detail.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= DETAIL_WIDTH ? oneLine : oneLine.substring(0, DETAIL_WIDTH - 3) + "...";
    }
}
