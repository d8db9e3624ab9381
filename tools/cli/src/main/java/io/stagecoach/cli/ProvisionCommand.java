package io.stagecoach.cli;

import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.BrokerDefinitions;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.Provisioner;
import io.stagecoach.platform.topology.ProvisioningReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code stagecoach provision}: the broker definitions of the environments, applied and read back. */
@Command(name = "provision", sortOptions = false,
        description = {"Apply and verify the broker definitions of the environments.", "", "Apply the broker definitions planned from the environments file (vhosts, exchanges,",
                "inboxes with dead-letter queues, audit streams, hand-off shovels, one least-privilege user per",
                "role) through the management API, then read everything back. Idempotent. Only what runs in an",
                "environment is declared there; a Stagecoach queue the plan no longer has is deleted when empty and",
                "unused (one holding messages is kept and reported), a user of a role that no longer runs there is",
                "deleted. The report counts each environment's quorum queues and streams.", ""},
        footer = {"", "Examples:",
                "  stagecoach provision",
                "  stagecoach provision --check      (change nothing, report differences)",
                "  STAGECOACH_MANAGEMENT_URL=https://rabbit.example.com:15671 stagecoach provision \\",
                "      --management-user admin --management-password \"$RABBIT_ADMIN_PASSWORD\"",
                "",
                "Passwords of the created users come from STAGECOACH_PASSWORD_<USER> or $STAGECOACH_SECRETS_DIR/<user>",
                "(else the local-only <user>-local-only). Exits 1 when the broker differs from the plan afterwards.",
                ExitCodes.SECTION})
final class ProvisionCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--check", description = "change nothing; only report where the broker differs from the plan")
    boolean check;

    @Mixin
    ManagementOptions management;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() {
        CliContext context = root.context;
        Environments environments = environmentOptions.environments(context);
        ManagementClient client = management.client(context);
        if (!check) {
            warnOfDefaultPasswords(context, environments);
        }
        ProvisioningReport report = provision(context, client, environments, check);
        if (!report.queueSummary().isEmpty()) {
            context.out().println(report.queueSummary());
        }
        if (report.isClean()) {
            context.out().println(report.describe());
            return ExitCodes.OK;
        }
        context.err().println(report.describe());
        return ExitCodes.PIPELINE;
    }

    /** Names the users that get the local-only password, and how to give them real ones, before creating any. */
    private static void warnOfDefaultPasswords(CliContext context, Environments environments) {
        List<String> defaulted = BrokerDefinitions.plan(environments)
                .usersWithDefaultPassword(Credentials.fromVariables(context.env()));
        if (!defaulted.isEmpty()) {
            String user = defaulted.get(0);
            context.err().println("Warning: " + defaulted.size() + " of the users get the local-only default password "
                    + "(<user>" + Credentials.LOCAL_ONLY_SUFFIX + "), e.g. " + user + ": set "
                    + Credentials.variableFor(user) + " or put the password in $" + Credentials.SECRETS_DIR_VARIABLE
                    + "/" + user + ". Fine on a developer machine only.");
        }
    }

    static ProvisioningReport provision(CliContext context, ManagementClient client, Environments environments,
                                        boolean check) {
        Provisioner provisioner = new Provisioner(client, Credentials.fromVariables(context.env()),
                line -> context.out().println("  " + line));
        context.out().println((check ? "Checking " : "Provisioning ") + environments + " on " + client.baseUrl()
                + " as " + client.user());
        return ManagementOptions.call(() -> check ? provisioner.verify(environments) : provisioner.apply(environments));
    }
}
