package io.stagecoach.cli;

import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.EventData;
import io.stagecoach.events.HoldReleased;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.LineRestarted;
import io.stagecoach.events.LineStopped;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.RollbackFailed;
import io.stagecoach.events.RollbackRequested;
import io.stagecoach.events.SmokeCheck;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.stream.Collectors;

/** How events read on one line: what, about which release, who, why, where the release is now. */
final class EventLines {

    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private EventLines() {
    }

    /**
     * The audit line: {@code time  type  service version  by user_id  why  run <id>}.
     *
     * @param publisher the broker-validated user_id, or null when the message had none
     */
    static String audit(CloudEvent<?> event, String publisher) {
        return TIMESTAMP.format(event.time()) + "  " + pad(event.eventType().eventName(), 21) + " "
                + pad(release(event.data()), 34) + " by " + pad(publisher == null ? "(no user_id)" : publisher, 28)
                + " " + why(event.data()) + "  run " + shortId(event.correlationid());
    }

    /** The live line of {@code watch} and {@code build --wait}: adds where the release stands now. */
    static String watch(CloudEvent<?> event, String publisher) {
        return CLOCK.format(event.time()) + "  " + pad(event.environment(), 8) + " " + pad(event.eventType().eventName(), 21)
                + " " + pad(release(event.data()), 34) + " " + where(event) + "  [" + why(event.data())
                + (publisher == null ? "" : "; by " + publisher) + "; run " + shortId(event.correlationid()) + "]";
    }

    /** {@code service version}, or for a rollback {@code service from -> to}. */
    static String release(EventData data) {
        if (data instanceof RollbackCompleted r) {
            return r.service() + " " + version(r.from()) + " -> " + version(r.to());
        }
        if (data instanceof RollbackFailed r) {
            return r.service() + " " + version(r.from());
        }
        if (data instanceof RollbackRequested r) {
            return r.service() + (r.toVersion() == null ? "" : " -> " + r.toVersion());
        }
        if (data instanceof ApprovalDecided d) {
            return d.service() + " " + d.version();
        }
        if (data instanceof ApprovalRefused r) {
            return r.service() + (r.release() == null ? "" : " " + r.release().version());
        }
        if (data instanceof AlertFiring a) {
            return a.service();
        }
        Release release = releaseOf(data);
        return release == null ? data.subject() : release.service() + " " + release.version();
    }

    /** The release an event is about, when it names exactly one. */
    static Release releaseOf(EventData data) {
        if (data instanceof BuildCompleted b) {
            return b.release();
        }
        if (data instanceof PromotionRequested p) {
            return p.release();
        }
        if (data instanceof PromotionBlocked b) {
            return b.release();
        }
        if (data instanceof PromotionFrozen f) {
            return f.release();
        }
        if (data instanceof DeploymentCompleted d) {
            return d.release();
        }
        if (data instanceof DeploymentFailed d) {
            return d.release();
        }
        if (data instanceof SmokeTestPassed p) {
            return p.release();
        }
        if (data instanceof SmokeTestFailed f) {
            return f.release();
        }
        if (data instanceof ApprovalRequested r) {
            return r.release();
        }
        if (data instanceof ApprovalOpened o) {
            return o.release();
        }
        if (data instanceof ApprovalGranted g) {
            return g.release();
        }
        if (data instanceof ApprovalRejected r) {
            return r.release();
        }
        if (data instanceof ApprovalExpired e) {
            return e.release();
        }
        if (data instanceof ApprovalRefused r) {
            return r.release();
        }
        if (data instanceof RollbackCompleted r) {
            return r.from();
        }
        if (data instanceof RollbackFailed r) {
            return r.from();
        }
        if (data instanceof ReleaseWithdrawn w) {
            return w.release();
        }
        if (data instanceof HoldReleased h) {
            return h.release();
        }
        return null;
    }

    /** Why it happened, from the event's reason fields. */
    static String why(EventData data) {
        if (data instanceof BuildCompleted b) {
            return "built from " + b.release().commit().substring(0, 7) + " by " + b.release().author()
                    + (b.buildUrl() == null ? "" : " (" + b.buildUrl() + ")");
        }
        if (data instanceof PromotionRequested p) {
            return switch (p.reason()) {
                case BUILD -> "new build";
                case VERIFIED -> "verified in " + p.verifiedIn().environment();
                case APPROVED -> "approved by " + String.join(", ", p.approval().approvers());
                case OVERRIDE -> "override by " + String.join(", ", p.approval().approvers());
                case ROLLBACK -> "rollback";
            };
        }
        if (data instanceof PromotionBlocked b) {
            return b.reason() + ": " + b.message();
        }
        if (data instanceof PromotionFrozen f) {
            return "FROZEN " + (f.until() == null ? "until the line restarts" : "until " + TIMESTAMP.format(f.until()))
                    + " (" + String.join(", then ", f.windows()) + ")";
        }
        if (data instanceof DeploymentCompleted d) {
            return (d.rollback() ? "rollback, " : "") + "revision " + abbreviate(d.revision(), 12)
                    + (d.previousVersion() == null ? "" : ", was " + d.previousVersion());
        }
        if (data instanceof DeploymentFailed d) {
            return (d.cause() == null ? "" : d.cause() + ": ") + d.error() + " (after " + d.attempts() + " attempts)";
        }
        if (data instanceof SmokeTestPassed p) {
            return p.checks().size() + (p.checks().size() == 1 ? " check passed" : " checks passed");
        }
        if (data instanceof SmokeTestFailed f) {
            String failed = f.checks().stream().filter(c -> c.result() != SmokeCheck.Result.PASSED)
                    .map(SmokeCheck::name).collect(Collectors.joining(", "));
            return f.status() + ": " + f.summary() + (failed.isEmpty() ? "" : " (" + failed + ")");
        }
        if (data instanceof ApprovalRequested r) {
            // the requester's clock: the gated environment's approval.opened says when it really expires
            return "request " + r.requestId() + " needs " + r.minApprovals() + " of " + String.join(", ", r.approvers())
                    + ", requester says it expires " + TIMESTAMP.format(r.expiresAt());
        }
        if (data instanceof ApprovalOpened o) {
            return "request " + o.requestId() + " received, expires " + TIMESTAMP.format(o.expiresAt());
        }
        if (data instanceof ApprovalDecided d) {
            return d.decision().name().toLowerCase(java.util.Locale.ROOT) + " by " + d.approver()
                    + (d.override() ? " (override)" : "") + (d.reason() == null ? "" : ": " + d.reason())
                    + ", request " + d.requestId();
        }
        if (data instanceof ApprovalGranted g) {
            return "by " + String.join(", ", g.approvers()) + " after " + age(Duration.ofSeconds(g.waitedSeconds()))
                    + (g.override() ? ", override: " + g.overrideReason() : "");
        }
        if (data instanceof ApprovalRejected r) {
            return "by " + r.rejectedBy() + ": " + r.reason();
        }
        if (data instanceof ApprovalRefused r) {
            return r.reason() + ": " + r.message();
        }
        if (data instanceof ApprovalExpired e) {
            return switch (e.reason()) {
                case SUPERSEDED -> "superseded by " + e.supersededBy();
                case WITHDRAWN -> "withdrawn: " + e.message();
                case EXPIRED -> "expired";
            };
        }
        if (data instanceof ReleaseWithdrawn w) {
            return w.message();
        }
        if (data instanceof AlertFiring a) {
            return a.alertname() + " (" + a.severity() + "): " + a.summary();
        }
        if (data instanceof RollbackRequested r) {
            return "by " + r.requestedBy() + ": " + r.reason();
        }
        if (data instanceof HoldReleased h) {
            return "hold lifted by " + h.releasedBy() + ": " + h.reason();
        }
        if (data instanceof LineStopped l) {
            return "line stopped by " + l.stoppedBy() + (l.until() == null ? "" : " until " + TIMESTAMP.format(l.until()))
                    + ": " + l.reason();
        }
        if (data instanceof LineRestarted l) {
            return "line restarted by " + l.restartedBy() + ": " + l.reason();
        }
        if (data instanceof RollbackCompleted r) {
            return "after " + r.trigger().type().eventType().eventName();
        }
        if (data instanceof RollbackFailed r) {
            return r.reason();
        }
        return "";
    }

    /** Where the release stands after this event. */
    static String where(CloudEvent<?> event) {
        EventData data = event.data();
        String env = event.environment();
        if (data instanceof BuildCompleted) {
            return "built, entering " + env;
        }
        if (data instanceof PromotionRequested) {
            return "on its way into " + env;
        }
        if (data instanceof PromotionBlocked b && b.reason() == PromotionBlocked.Reason.SUPERSEDED) {
            return "SUPERSEDED in " + env + " by " + b.supersededBy();
        }
        if (data instanceof PromotionBlocked b && b.reason() == PromotionBlocked.Reason.WITHDRAWN) {
            return "WITHDRAWN, may not enter " + env;
        }
        if (data instanceof PromotionBlocked) {
            return "BLOCKED before " + env;
        }
        if (data instanceof PromotionFrozen f) {
            return "waiting for the freeze of " + env + " to end" + (f.until() == null ? ""
                    : " (" + TIMESTAMP.format(f.until()) + ")");
        }
        if (data instanceof DeploymentCompleted) {
            return "running in " + env + ", smoke tests next";
        }
        if (data instanceof DeploymentFailed) {
            return "FAILED to deploy in " + env;
        }
        if (data instanceof SmokeTestPassed) {
            return "verified in " + env;
        }
        if (data instanceof SmokeTestFailed) {
            return "FAILED smoke tests in " + env;
        }
        if (data instanceof ApprovalRequested) {
            return "waiting for approval into " + env;
        }
        if (data instanceof ApprovalOpened) {
            return "waiting for approval into " + env;
        }
        if (data instanceof ApprovalDecided) {
            return "decision sent for " + env;
        }
        if (data instanceof ApprovalGranted) {
            return "approved into " + env;
        }
        if (data instanceof ApprovalRejected) {
            return "REJECTED for " + env;
        }
        if (data instanceof ApprovalRefused) {
            return "decision refused, still waiting in " + env;
        }
        if (data instanceof ApprovalExpired e && e.reason() == ApprovalExpired.Reason.WITHDRAWN) {
            return "WITHDRAWN, approval ended in " + env;
        }
        if (data instanceof ApprovalExpired) {
            return "approval ended in " + env;
        }
        if (data instanceof ReleaseWithdrawn w) {
            return "WITHDRAWN from " + env + " by " + w.withdrawnIn();
        }
        if (data instanceof AlertFiring) {
            return "alert firing in " + env;
        }
        if (data instanceof RollbackRequested) {
            return "rollback asked in " + env;
        }
        if (data instanceof RollbackCompleted r) {
            return "ROLLED BACK in " + env + ", " + version(r.to()) + " running";
        }
        if (data instanceof RollbackFailed) {
            return "ROLLBACK FAILED in " + env;
        }
        if (data instanceof HoldReleased) {
            return "no longer held in " + env + ", may be promoted again";
        }
        if (data instanceof LineStopped) {
            return "the line of " + env + " stopped: promotions into it wait";
        }
        if (data instanceof LineRestarted) {
            return "the line of " + env + " runs again";
        }
        return env;
    }

    static String shortId(String id) {
        return id == null ? "-" : id.length() > 8 ? id.substring(0, 8) : id;
    }

    /** {@code 45s}, {@code 12m}, {@code 3h 5m}, {@code 2d 4h}. */
    static String age(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86_400) {
            return seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
        }
        return seconds / 86_400 + "d " + seconds % 86_400 / 3600 + "h";
    }

    static String age(Instant since, Instant now) {
        return age(Duration.between(since, now));
    }

    private static String version(Release release) {
        return release == null ? "?" : release.version();
    }

    private static String abbreviate(String text, int length) {
        return text.length() <= length ? text : text.substring(0, length);
    }

    static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
