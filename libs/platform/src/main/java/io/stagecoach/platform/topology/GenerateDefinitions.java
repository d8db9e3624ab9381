package io.stagecoach.platform.topology;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.environments.InvalidEnvironmentsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Writes the broker definitions of an environments file.
 * Usage: {@code GenerateDefinitions [environments.yaml [definitions.json]]}; without arguments it plans
 * the default environments and prints them. Regenerate the committed file with
 * {@code ./mvnw -q -pl libs/platform -am process-classes -Pgenerate-definitions}.
 * Exit status: 0 written, 2 bad usage or an invalid environments file.
 */
@Command(name = "GenerateDefinitions", usageHelpWidth = 100,
        description = "Plan the RabbitMQ definitions (vhosts, queues, users, permissions, shovels) of an environments "
                + "file and print them, or write them to a file.",
        footer = {"", "Regenerate the committed deploy/rabbitmq/definitions.json with",
                "  ./mvnw -q -pl libs/platform -am process-classes -Pgenerate-definitions",
                "Exit status: 0 done, 2 bad usage or an invalid environments file."})
public final class GenerateDefinitions implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ENVIRONMENTS.yaml",
            description = "the environments file (default: the one shipped, dev -> staging -> prod)")
    Path environmentsFile;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DEFINITIONS.json",
            description = "where to write the definitions (default: print them)")
    Path target;

    private final PrintStream out;
    private final PrintStream err;

    private GenerateDefinitions(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine commandLine = new CommandLine(new GenerateDefinitions(out, err));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Override
    public Integer call() throws IOException {
        Environments environments;
        try {
            environments = environmentsFile != null ? Environments.load(environmentsFile) : Environments.loadDefault();
        } catch (InvalidEnvironmentsException e) {
            err.println(e.getMessage());
            return 2;
        }
        String json = BrokerDefinitions.plan(environments).toJson();
        if (target == null) {
            out.print(json);
            return 0;
        }
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        Files.writeString(target, json, StandardCharsets.UTF_8);
        out.println("Wrote the broker definitions of " + environments + " to " + target);
        return 0;
    }
}
