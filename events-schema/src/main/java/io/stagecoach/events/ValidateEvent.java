package io.stagecoach.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Validates event files before a CI job publishes them:
 * {@code java -cp stagecoach-events-schema.jar io.stagecoach.events.ValidateEvent event.json}.
 * Prints {@code <file>: OK (<type> <id>)} or one {@code <file>: <problem>} line per problem.
 * Exit status: 0 every file is a valid event, 1 some file is not, 2 bad usage or an unreadable file.
 */
@Command(name = "java -cp stagecoach-events-schema.jar io.stagecoach.events.ValidateEvent", usageHelpWidth = 100,
        description = "Validate CloudEvents files against Stagecoach's event schemas before publishing them.",
        footer = {"", "Prints '<file>: OK (<type> <id>)' or one '<file>: <problem>' line per problem.",
                "Exit status: 0 every file is a valid event, 1 some file is not, 2 bad usage or an unreadable file."})
public final class ValidateEvent implements Callable<Integer> {

    static final int VALID = 0;
    static final int INVALID = 1;
    static final int USAGE_ERROR = 2;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Parameters(arity = "1..*", paramLabel = "EVENT.json", description = "event files; - reads standard input")
    List<String> files;

    private final InputStream stdin;
    private final PrintStream out;
    private final PrintStream err;

    private ValidateEvent(InputStream stdin, PrintStream out, PrintStream err) {
        this.stdin = stdin;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // the validator logs through SLF4J; without a provider SLF4J warns on stderr, which is noise here
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
        System.exit(run(args, System.in, System.out, System.err));
    }

    static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
        CommandLine commandLine = new CommandLine(new ValidateEvent(stdin, out, err));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        EventCodec codec = new EventCodec();
        int status = VALID;
        for (String arg : files) {
            String name = arg.equals("-") ? "<stdin>" : arg;
            try {
                byte[] payload = read(arg, stdin);
                if (payload == null) {
                    throw new InvalidEventException(tooLarge(Path.of(arg)));
                }
                CloudEvent<?> event = codec.decode(payload);
                out.println(name + ": OK (" + event.type() + " " + event.id() + ")");
            } catch (InvalidEventException e) {
                e.problems().forEach(problem -> out.println(name + ": " + problem));
                status = INVALID;
            } catch (NoSuchFileException e) {
                err.println(name + ": no such file");
                return USAGE_ERROR;
            } catch (IOException e) {
                err.println(name + ": cannot read: " + e.getMessage());
                return USAGE_ERROR;
            }
        }
        return status;
    }

    /** The file's bytes; null when it is over the limit, so a huge file is never read into memory. */
    private static byte[] read(String arg, InputStream stdin) throws IOException {
        if (arg.equals("-")) {
            return stdin.readAllBytes();
        }
        Path path = Path.of(arg);
        if (Files.isDirectory(path)) {
            throw new IOException("is a directory");
        }
        return Files.size(path) > EventCodec.MAX_EVENT_BYTES ? null : Files.readAllBytes(path);
    }

    private static String tooLarge(Path path) throws IOException {
        return "payload is " + Files.size(path) + " bytes, over the " + EventCodec.MAX_EVENT_BYTES + "-byte limit";
    }
}
