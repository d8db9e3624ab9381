package io.stagecoach.platform.topology;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.environments.InvalidEnvironmentsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Provisions a RabbitMQ broker for the environments: {@code ProvisionCommand [options]}, run with
 * {@code ./mvnw -q -pl libs/platform -am process-classes -Pprovision -Dprovision.args="..."}.
 * Exit status: 0 the broker matches the plan, 1 it differs (see the report), 2 bad usage or an
 * invalid environments file, 3 the broker is unreachable or refused the request.
 */
@Command(name = "provision", sortOptions = false, usageHelpWidth = 110,
        description = "Apply the broker definitions planned from the environments file through the management API, "
                + "then read everything back.",
        footer = {"",
                "Queues, users and permissions of services that do not run in an environment are not created there; an",
                "empty, unused Stagecoach queue the plan no longer has is deleted, one holding messages is kept and reported.",
                "Passwords of the Stagecoach users come from STAGECOACH_PASSWORD_<USER> or $STAGECOACH_SECRETS_DIR/<user>.",
                "Exit status: 0 matches the plan, 1 differs, 2 usage or invalid environments, 3 broker unreachable or refusing."})
public final class ProvisionCommand implements Callable<Integer> {

    static final int MATCHES = 0;
    static final int DIFFERS = 1;
    static final int USAGE = 2;
    static final int BROKER = 3;

    static final String DEFAULT_URL = "http://127.0.0.1:15672";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Option(names = "--management-url", paramLabel = "URL",
            description = "management API (env STAGECOACH_MANAGEMENT_URL, default " + DEFAULT_URL + ")")
    String url;

    @Option(names = "--user", paramLabel = "USER",
            description = "administrator (env STAGECOACH_MANAGEMENT_USER, default guest)")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD",
            description = "its password (env STAGECOACH_MANAGEMENT_PASSWORD, default guest)")
    String password;

    @Option(names = "--environments", paramLabel = "FILE",
            description = "environments file (default: the one shipped, dev -> staging -> prod)")
    Path file;

    @Option(names = "--vhost-prefix", paramLabel = "PREFIX", description = "prefix every vhost (and namespace) with PREFIX-")
    String prefix;

    @Option(names = "--check", description = "change nothing; only report where the broker differs from the plan")
    boolean check;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    private ProvisionCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine commandLine = new CommandLine(new ProvisionCommand(env, out, err));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        String url = this.url != null ? this.url : env.getOrDefault("STAGECOACH_MANAGEMENT_URL", DEFAULT_URL);
        String user = this.user != null ? this.user : env.getOrDefault("STAGECOACH_MANAGEMENT_USER", "guest");
        String password = this.password != null ? this.password
                : env.getOrDefault("STAGECOACH_MANAGEMENT_PASSWORD", "guest");
        Environments environments;
        try {
            environments = file == null ? Environments.loadDefault() : Environments.load(file);
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
