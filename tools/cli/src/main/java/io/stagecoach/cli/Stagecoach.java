package io.stagecoach.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;

/** {@code stagecoach}: talk to the release pipeline from CI, a chat bot or a terminal. */
@Command(name = "stagecoach", mixinStandardHelpOptions = true, versionProvider = Stagecoach.Version.class,
        description = {"Talk to the Stagecoach release pipeline (dev -> staging -> prod on RabbitMQ).", ""},
        subcommands = {BuildCommand.class, ApproveCommand.class, RejectCommand.class, StatusCommand.class, DriftCommand.class,
                RollbackCommand.class, ReleaseHoldCommand.class, LineCommand.Stop.class, LineCommand.Restart.class,
                AuditCommand.class, WatchCommand.class, CdEventsCommand.class, CloudResourcesCommand.class,
                ProvisionCommand.class,
                LintCommand.class, DeadLettersCommand.class, DoctorCommand.class, UpCommand.class, DownCommand.class,
                DemoCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class},
        synopsisSubcommandLabel = "COMMAND",
        footer = {"",
                "Start here: ./stagecoach demo   (runs the whole pipeline on this machine and shows a release travel)",
                "",
                "Connection settings (flags win over variables):",
                "  STAGECOACH_AMQP_URI          RabbitMQ, default amqp://127.0.0.1:5672; a cluster: every node's URI, comma-separated",
                "  STAGECOACH_MANAGEMENT_URL    management API, default http://127.0.0.1:15672",
                "  STAGECOACH_USER / _PASSWORD  who to be instead of the conventional <vhost>-<role> user",
                "  STAGECOACH_PASSWORD_<USER>   a conventional user's password (e.g. STAGECOACH_PASSWORD_DEV_CI)",
                "  STAGECOACH_ENVIRONMENTS_FILE the environments file; STAGECOACH_VHOST_PREFIX a vhost prefix",
                ExitCodes.SECTION})
public final class Stagecoach implements Runnable {

    static final int HELP_WIDTH = 100;

    final CliContext context;

    @Spec
    CommandSpec spec;

    Stagecoach(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: name one of "
                + String.join(", ", spec.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList()));
    }

    public static void main(String[] args) {
        System.exit(execute(CliContext.system(), args));
    }

    /** Runs one command line and returns its exit status; nothing here calls {@link System#exit}. */
    static int execute(CliContext context, String... args) {
        CommandLine commandLine = commandLine(context);
        int status = commandLine.execute(args);
        context.out().flush();
        context.err().flush();
        return status;
    }

    static CommandLine commandLine(CliContext context) {
        CommandLine commandLine = new CommandLine(new Stagecoach(context), new Factory(context));
        commandLine.setOut(context.out());
        commandLine.setErr(context.err());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setUsageHelpWidth(HELP_WIDTH);
        commandLine.registerConverter(Duration.class, new DurationConverter());
        commandLine.setParameterExceptionHandler(Stagecoach::usageError);
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> failure(e, cl));
        return commandLine;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getColorScheme().errorText(e.getMessage()));
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.print(command.getHelp().fullSynopsis());
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for the options and examples.");
        return ExitCodes.USAGE;
    }

    private static int failure(Exception e, CommandLine command) {
        PrintWriter err = command.getErr();
        if (e instanceof CliException cli) {
            err.println(cli.getMessage());
            if (cli.exitCode() == ExitCodes.USAGE) {
                err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for the options and examples.");
            }
            return cli.exitCode();
        }
        err.println(command.getCommandSpec().qualifiedName() + " failed: " + e);
        e.printStackTrace(err);
        return ExitCodes.PIPELINE;
    }

    /** Gives every command the context of the run; picocli creates the rest as usual. */
    private record Factory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == Stagecoach.class) {
                return type.cast(new Stagecoach(context));
            }
            return CommandLine.defaultFactory().create(type);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Stagecoach.class.getPackage().getImplementationVersion();
            return new String[] {"stagecoach " + (version == null ? "(development build)" : version)};
        }
    }
}
