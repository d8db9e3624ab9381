package io.stagecoach.cli;

import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.credentials.GeneratedSecrets;
import io.stagecoach.platform.credentials.PasswordPolicy;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.Provisioner;
import io.stagecoach.platform.topology.ProvisioningReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.Comparator;
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
                "  STAGECOACH_SECRETS_DIR=/etc/stagecoach/secrets stagecoach provision --rotate prod-chatops",
                "  stagecoach provision --secret-manifests secrets.yaml   (then kubectl apply -f secrets.yaml)",
                "",
                "Passwords: a user the broker has keeps its password; only --rotate USER changes one, one user at a",
                "time. A new user gets STAGECOACH_PASSWORD_<USER> or $STAGECOACH_SECRETS_DIR/<user>, else a generated",
                "one (256 bits) written to $STAGECOACH_SECRETS_DIR/<user> (mode 0600) or --secret-manifests FILE",
                "before the broker is given it. Exits 1 when the broker differs from the plan afterwards.",
                ExitCodes.SECTION})
final class ProvisionCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--check", description = "change nothing; only report where the broker differs from the plan")
    boolean check;

    @Option(names = "--rotate", paramLabel = "USER",
            description = "set USER's password anew: its configured one if that changed, else a generated one "
                    + "(one user per run)")
    String rotate;

    @Option(names = "--secret-manifests", paramLabel = "FILE",
            description = "write generated passwords as Kubernetes Secret manifests to FILE (mode 0600) instead of "
                    + "$STAGECOACH_SECRETS_DIR")
    Path secretManifests;

    @Option(names = "--local-only-passwords",
            description = "new users without a configured password get <user>-local-only; only for a broker on "
                    + "this machine (the demo passes it)")
    boolean localOnly;

    @Mixin
    ManagementOptions management;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() {
        CliContext context = root.context;
        Environments environments = environmentOptions.environments(context);
        ManagementClient client = management.client(context);
        if (check && (rotate != null || secretManifests != null || localOnly)) {
            throw CliException.usage("--check changes nothing: leave out --rotate, --secret-manifests and "
                    + "--local-only-passwords, or --check");
        }
        ProvisioningReport report = provision(context, client, environments, check,
                passwords(context, environments, rotate, secretManifests, localOnly));
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

    /** How this run sets passwords (see {@link PasswordPolicy}). */
    static PasswordPolicy passwords(CliContext context, Environments environments, String rotate, Path manifests,
                                    boolean localOnly) {
        PasswordPolicy policy = PasswordPolicy.of(Credentials.fromVariables(context.env()));
        if (rotate != null) {
            policy = policy.rotating(rotate);
        }
        if (manifests != null) {
            Path file = context.resolve(manifests);
            policy = policy.keepingGeneratedIn(GeneratedSecrets.kubernetesManifests(file,
                    user -> secretOf(environments, user)));
        }
        return localOnly ? policy.allowingLocalOnly() : policy;
    }

    /** {@code stagecoach-<principal>-rabbitmq} in the namespace of the environment whose vhost the user belongs to. */
    static GeneratedSecrets.KubernetesSecret secretOf(Environments environments, String user) {
        Environment owner = environments.all().stream().filter(env -> user.startsWith(env.vhost() + "-"))
                .max(Comparator.comparingInt(env -> env.vhost().length()))
                .orElseThrow(() -> new IllegalArgumentException("user " + user + " belongs to no environment"));
        return new GeneratedSecrets.KubernetesSecret(owner.namespace(),
                "stagecoach-" + user.substring(owner.vhost().length() + 1) + "-rabbitmq");
    }

    static ProvisioningReport provision(CliContext context, ManagementClient client, Environments environments,
                                        boolean check, PasswordPolicy passwords) {
        Provisioner provisioner = new Provisioner(client, passwords, line -> context.out().println("  " + line));
        context.out().println((check ? "Checking " : "Provisioning ") + environments + " on " + client.baseUrl()
                + " as " + client.user());
        return ManagementOptions.call(() -> check ? provisioner.verify(environments) : provisioner.apply(environments));
    }
}
