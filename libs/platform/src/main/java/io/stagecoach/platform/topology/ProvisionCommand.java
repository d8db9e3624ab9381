package io.stagecoach.platform.topology;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.environments.InvalidEnvironmentsException;

/**
 * Provisions a RabbitMQ broker for the environments: {@code ProvisionCommand [options]}.
 * Exit status: 0 the broker matches the plan, 1 it differs (see the report), 2 bad usage or an
 * invalid environments file, 3 the broker is unreachable or refused the request.
 */
public final class ProvisionCommand {

    static final int MATCHES = 0;
    static final int DIFFERS = 1;
    static final int USAGE = 2;
    static final int BROKER = 3;

    static final String USAGE_TEXT = """
            Usage: provision [--management-url URL] [--user USER] [--password PASSWORD]
                             [--environments FILE] [--vhost-prefix PREFIX] [--check]
              --management-url  management API (env STAGECOACH_MANAGEMENT_URL, default http://127.0.0.1:15672)
              --user            administrator (env STAGECOACH_MANAGEMENT_USER, default guest)
              --password        its password (env STAGECOACH_MANAGEMENT_PASSWORD, default guest)
              --environments    environments file (default: the one shipped, dev -> staging -> prod)
              --vhost-prefix    prefix every vhost (and namespace) with PREFIX-
              --check           change nothing; only report where the broker differs from the plan
            Queues, users and permissions of services that do not run in an environment are not created there; an
            empty, unused Stagecoach queue the plan no longer has is deleted, one holding messages is kept and reported.
            Passwords of the Stagecoach users come from STAGECOACH_PASSWORD_<USER> or $STAGECOACH_SECRETS_DIR/<user>.
            Exit status: 0 matches the plan, 1 differs, 2 usage or invalid environments, 3 broker unreachable or refusing.
            """;

    private ProvisionCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        String url = env.getOrDefault("STAGECOACH_MANAGEMENT_URL", "http://127.0.0.1:15672");
        String user = env.getOrDefault("STAGECOACH_MANAGEMENT_USER", "guest");
        String password = env.getOrDefault("STAGECOACH_MANAGEMENT_PASSWORD", "guest");
        String file = null;
        String prefix = null;
        boolean check = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--check")) {
                check = true;
                continue;
            }
            if (arg.equals("-h") || arg.equals("--help")) {
                out.print(USAGE_TEXT);
                return MATCHES;
            }
            if (!arg.startsWith("--") || i + 1 >= args.length) {
                err.println(i + 1 >= args.length && arg.startsWith("--") ? arg + " needs a value" : "Unknown argument " + arg);
                err.print(USAGE_TEXT);
                return USAGE;
            }
            String value = args[++i];
            switch (arg) {
                case "--management-url" -> url = value;
                case "--user" -> user = value;
                case "--password" -> password = value;
                case "--environments" -> file = value;
                case "--vhost-prefix" -> prefix = value;
                default -> {
                    err.println("Unknown option " + arg);
                    err.print(USAGE_TEXT);
                    return USAGE;
                }
            }
        }

        Environments environments;
        try {
            environments = file == null ? Environments.loadDefault() : Environments.load(Path.of(file));
            if (prefix != null) {
                environments = environments.withVhostPrefix(prefix);
            }
        } catch (InvalidEnvironmentsException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return USAGE;
        }

        ManagementClient management;
        try {
            management = new ManagementClient(url, user, password);
        } catch (IllegalArgumentException e) {
            err.println("Invalid management URL " + url + ": " + e.getMessage());
            return USAGE;
        }
        try {
            Credentials credentials = Credentials.fromVariables(env);
            Provisioner provisioner = new Provisioner(management, credentials, out::println);
            out.println((check ? "Checking " : "Provisioning ") + environments + " on " + management.baseUrl()
                    + " as " + user);
            List<String> defaulted = BrokerDefinitions.plan(environments).users().stream().map(Definitions.User::name)
                    .filter(name -> !credentials.hasConfiguredPassword(name)).toList();
            if (!check && !defaulted.isEmpty()) {
                err.println("Warning: " + defaulted.size() + " of the users get the local-only default password "
                        + "(<user>" + Credentials.LOCAL_ONLY_SUFFIX + "), e.g. " + defaulted.get(0) + ": set "
                        + Credentials.variableFor(defaulted.get(0)) + " or put the password in $"
                        + Credentials.SECRETS_DIR_VARIABLE + "/" + defaulted.get(0) + ". Fine on a developer machine only.");
            }
            ProvisioningReport report = check ? provisioner.verify(environments) : provisioner.apply(environments);
            if (!report.queueSummary().isEmpty()) {
                out.println(report.queueSummary());
            }
            if (report.isClean()) {
                out.println(report.describe());
                return MATCHES;
            }
            err.println(report.describe());
            return DIFFERS;
        } catch (BrokerUnreachableException | ManagementApiException e) {
            err.println(e.getMessage());
            return BROKER;
        }
    }
}
