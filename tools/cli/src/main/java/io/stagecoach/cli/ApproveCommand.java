package io.stagecoach.cli;

import io.stagecoach.events.ApprovalDecided;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stagecoach approve}: a person says yes to a release waiting at a manual gate. */
@Command(name = "approve", sortOptions = false,
        description = {"Approve a release waiting at a manual gate.", "", "Approve a pending approval request: publishes approval.decided (APPROVE) for exactly the",
                "requested release, as the gated environment's chatops user with user_id set.", ""},
        footer = {"", "Examples:",
                "  stagecoach approve 1f0c6a4e-3b5d-5e7f-9a1b-2c3d4e5f6a7b --as alice",
                "  stagecoach approve 1f0c6a4e-3b5d-5e7f-9a1b-2c3d4e5f6a7b --as alice --env prod --wait",
                "  stagecoach approve 1f0c6a4e-... --as bob --override --reason \"hotfix for INC-42\"",
                "",
                "The approval service decides whether the decision counts (an approver of the environment, not the",
                "release's author, a pending request); --wait shows its answer and exits 1 when it refused.",
                ExitCodes.SECTION})
final class ApproveCommand extends DecisionCommand {

    @Mixin
    HelpOption help;

    @Option(names = "--override", description = "override the gate's rules (audited; needs --reason)")
    boolean override;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why (required with --override)")
    String reason;

    @Override
    public Integer call() {
        if (override && (reason == null || reason.isBlank())) {
            throw CliException.usage("--override needs --reason: say why the gate's rules are overridden, e.g. "
                    + "--reason \"hotfix for INC-42\"");
        }
        return super.call();
    }

    @Override
    ApprovalDecided.Decision decision() {
        return ApprovalDecided.Decision.APPROVE;
    }

    @Override
    String reason() {
        return reason;
    }

    @Override
    boolean override() {
        return override;
    }
}
