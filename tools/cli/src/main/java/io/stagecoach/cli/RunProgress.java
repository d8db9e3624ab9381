package io.stagecoach.cli;

import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DeploymentFailed;
import io.stagecoach.events.EventData;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.ReleaseWithdrawn;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.RollbackFailed;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Where one run stands, from its events in order: still travelling, waiting at a manual gate, through the
 * last environment, failing (a rollback is expected next), over with a failure, or superseded by a newer release.
 */
final class RunProgress {

    enum Stage {
        /** Nothing of the run seen yet. */
        NOT_SEEN(false, false),
        TRAVELLING(false, false),
        AT_GATE(true, true),
        /** Parked: an environment on its way is frozen; it goes ahead by itself when the freeze ends. */
        FROZEN(true, true),
        /** Verified in an environment that asks for a soak: it moves on by itself once it has soaked there. */
        SOAKING(true, true),
        DONE(true, true),
        /** A deployment or smoke test failed: the rollback service answers next. */
        FAILING(false, false),
        FAILED(true, false),
        /** A newer release replaced this one somewhere on its way: it goes no further, though nothing failed. */
        SUPERSEDED(true, false);

        private final boolean settled;
        private final boolean success;

        Stage(boolean settled, boolean success) {
            this.settled = settled;
            this.success = success;
        }

        /** Whether following the run further would not change the answer. */
        boolean settled() {
            return settled;
        }

        boolean success() {
            return success;
        }
    }

    private final String lastEnvironment;
    /** How long a release verified in an environment soaks there before it moves on; absent: none. */
    private final Map<String, Duration> soaks;
    /** When this run's release was deployed in each environment. */
    private final Map<String, Instant> deployedAt = new HashMap<>();
    private Stage stage = Stage.NOT_SEEN;
    private String description = "nothing of the run seen yet";

    RunProgress(String lastEnvironment) {
        this(lastEnvironment, Map.of());
    }

    /** @param soaks each environment's soak ({@code soak:} in environments.yaml); none or zero: it moves on at once */
    RunProgress(String lastEnvironment, Map<String, Duration> soaks) {
        this.lastEnvironment = lastEnvironment;
        this.soaks = Map.copyOf(soaks);
    }

    Stage stage() {
        return stage;
    }

    String description() {
        return description;
    }

    void apply(CloudEvent<?> event) {
        EventData data = event.data();
        String env = event.environment();
        String release = EventLines.release(data);
        if (data instanceof BuildCompleted) {
            // publishing a build again starts nothing new: the run stays where it got to
            if (stage == Stage.NOT_SEEN) {
                move(Stage.TRAVELLING, release + " " + EventLines.where(event));
            }
        } else if (data instanceof PromotionRequested || data instanceof DeploymentCompleted
                || data instanceof ApprovalGranted) {
            if (data instanceof DeploymentCompleted) {
                deployedAt.put(env, event.time());
            }
            move(Stage.TRAVELLING, release + " " + EventLines.where(event));
        } else if (data instanceof SmokeTestPassed) {
            if (env.equals(lastEnvironment)) {
                move(Stage.DONE, release + " passed the last environment, " + env);
            } else if (soaks.getOrDefault(env, Duration.ZERO).compareTo(Duration.ZERO) > 0) {
                Duration soak = soaks.get(env);
                Instant until = deployedAt.getOrDefault(env, event.time()).plus(soak);
                move(Stage.SOAKING, release + " verified in " + env + "; it soaks there " + EventLines.age(soak)
                        + " from its deployment, until about " + EventLines.TIMESTAMP.format(until)
                        + ", then moves on by itself (an alert firing for its service starts the soak again)");
            } else {
                move(Stage.TRAVELLING, release + " verified in " + env);
            }
        } else if (data instanceof ApprovalRequested r) {
            move(Stage.AT_GATE, release + " waits for approval into " + env + ": request " + r.requestId()
                    + " (approvers: " + String.join(", ", r.approvers()) + ")");
        } else if (data instanceof PromotionFrozen f) {
            move(Stage.FROZEN, release + " waits: " + f.message());
        } else if (data instanceof DeploymentFailed || data instanceof SmokeTestFailed) {
            move(Stage.FAILING, release + " " + EventLines.where(event) + ": " + EventLines.why(data));
        } else if (data instanceof PromotionBlocked b && supersededBy(b) != null) {
            move(Stage.SUPERSEDED, release + " superseded in " + env + " by " + supersededBy(b)
                    + (b.reason() == PromotionBlocked.Reason.OLDER_THAN_RUNNING ? " (it is older than what runs)" : ""));
        } else if (data instanceof ApprovalExpired e && e.reason() == ApprovalExpired.Reason.SUPERSEDED) {
            move(Stage.SUPERSEDED, release + " superseded in " + env + " by " + e.supersededBy()
                    + ": its approval request ended");
        } else if (data instanceof ReleaseWithdrawn w) {
            move(Stage.FAILED, release + " withdrawn from " + env + " by " + w.withdrawnIn() + ": " + w.message());
        } else if (data instanceof PromotionBlocked || data instanceof ApprovalRejected || data instanceof ApprovalExpired
                || data instanceof RollbackCompleted || data instanceof RollbackFailed) {
            move(Stage.FAILED, release + " " + EventLines.where(event) + ": " + EventLines.why(data));
        }
    }

    /** The newer version a block names: superseded, or older than what runs; null for other blocks. */
    private static String supersededBy(PromotionBlocked blocked) {
        return switch (blocked.reason()) {
            case SUPERSEDED -> blocked.supersededBy();
            case OLDER_THAN_RUNNING -> blocked.runningVersion() == null ? "a newer release" : blocked.runningVersion();
            default -> null;
        };
    }

    private void move(Stage next, String what) {
        stage = next;
        description = what;
    }
}
