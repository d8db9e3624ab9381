package io.stagecoach.cli;

import io.stagecoach.events.ApprovalDecided;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stagecoach reject}: a person says no to a release waiting at a manual gate. */
@Command(name = "reject", sortOptions = false,
        description = {"Reject a release waiting at a manual gate.", "", "Reject a pending approval request: publishes approval.decided (REJECT) for exactly the",
                "requested release, as the gated environment's chatops user with user_id set.", ""},
        footer = {"", "Examples:",
                "  stagecoach reject 1f0c6a4e-3b5d-5e7f-9a1b-2c3d4e5f6a7b --as alice --reason \"breaks the v2 API\"",
                "  stagecoach reject 1f0c6a4e-... --as bob --env prod --reason \"wait for the freeze to end\" --wait",
                ExitCodes.SECTION})
final class RejectCommand extends DecisionCommand {

    @Mixin
    HelpOption help;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why the release may not go on")
    String reason;

    @Override
    ApprovalDecided.Decision decision() {
        return ApprovalDecided.Decision.REJECT;
    }

    @Override
    String reason() {
        return reason;
    }

    @Override
    boolean override() {
        return false;
    }
}
