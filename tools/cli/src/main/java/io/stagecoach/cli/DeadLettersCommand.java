package io.stagecoach.cli;

import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.topology.DeadLetterQueues;
import io.stagecoach.platform.topology.DeadLetterQueues.DeadLetter;
import io.stagecoach.platform.topology.DeadLetterQueues.InboxDeadLetters;
import io.stagecoach.platform.topology.DeadLetterQueues.Replayed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code stagecoach dead-letters}: what an environment's consumers set aside, why, and putting it back. */
@Command(name = "dead-letters", sortOptions = false, subcommands = DeadLettersCommand.Replay.class,
        description = {"List an environment's dead letters with their reasons; replay them.", "",
                "List what the consumers of an environment set aside (not a valid event, refused, or failed on",
                "every attempt), per inbox: event id, type, service and version, the routing key and publisher it",
                "was first published with, when, how often, and why. Nothing is taken away: every message read",
                "is put back. After fixing the cause, 'stagecoach dead-letters replay' puts them back into their",
                "inboxes; each is judged again as first published and handled once (event ids are",
                "deterministic, so what was handled already is skipped). Uses the management API.", ""},
        footer = {"", "Examples:",
                "  stagecoach dead-letters --env staging",
                "  stagecoach dead-letters --env prod --inbox promotion.promotion-requested --limit 5",
                "  stagecoach dead-letters replay --env staging --inbox promotion.promotion-requested",
                ExitCodes.SECTION})
final class DeadLettersCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    // not required by picocli: 'dead-letters replay --env E' must not ask for the listing's --env
    @Option(names = "--env", paramLabel = "ENV", description = "the environment (required)")
    String environmentName;

    @Option(names = "--inbox", paramLabel = "QUEUE",
            description = "only this inbox (its name, or its dead-letter queue's <inbox>.dlq)")
    String inbox;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
            description = "print at most this many dead letters per inbox (default ${DEFAULT-VALUE})")
    int limit;

    @Mixin
    ManagementOptions management;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() {
        if (environmentName == null) {
            throw CliException.usage("Missing required option: '--env=ENV' (the environment whose dead letters to "
                    + "list, e.g. --env staging)");
        }
        CliException.requireAtLeast("--limit", limit, 1);
        CliContext context = root.context;
        Environment environment = environmentOptions.environment(context, environmentName, "--env");
        List<String> inboxes = selected(context, environmentOptions, environment, inbox);
        DeadLetterQueues queues = new DeadLetterQueues(management.client(context));
        PrintWriter out = context.out();
        long total = 0;
        int holding = 0;
        for (String name : inboxes) {
            InboxDeadLetters letters = ManagementOptions.call(() -> queues.peek(environment.vhost(), name, limit));
            if (letters.total() == 0) {
                continue;
            }
            total += letters.total();
            holding++;
            out.println(name + ": " + letters.total() + " dead letter" + (letters.total() == 1 ? "" : "s")
                    + (letters.total() > letters.first().size() ? " (the first " + letters.first().size() + ")" : ""));
            for (DeadLetter letter : letters.first()) {
                out.println("  " + line(letter));
            }
        }
        if (total == 0) {
            out.println("No dead letters in " + environment.name() + " (" + inboxes.size() + " inbox"
                    + (inboxes.size() == 1 ? "" : "es") + " looked at).");
        } else {
            out.println(total + " dead letter" + (total == 1 ? "" : "s") + " in " + holding + " of " + inboxes.size()
                    + " inboxes of " + environment.name() + ". Once the cause is fixed, put them back: stagecoach "
                    + "dead-letters replay --env " + environment.name() + (inbox == null ? "" : " --inbox " + inbox));
        }
        out.flush();
        return ExitCodes.OK;
    }

    static String line(DeadLetter letter) {
        StringBuilder line = new StringBuilder();
        line.append(letter.messageId() == null ? "(no id)" : letter.messageId());
        line.append("  ").append(letter.type() == null ? "(not an event)" : letter.type());
        if (letter.subject() != null) {
            line.append(' ').append(letter.subject());
            if (letter.version() != null) {
                line.append(' ').append(letter.version());
            }
        }
        line.append("  under ").append(letter.routingKey() == null ? "?" : letter.routingKey());
        line.append(" by ").append(letter.publisher() == null ? "(no user_id)" : letter.publisher());
        if (letter.deadLetteredAt() != null) {
            line.append("  at ").append(letter.deadLetteredAt());
        }
        if (letter.count() > 1) {
            line.append("  (dead-lettered ").append(letter.count()).append(" times)");
        }
        line.append("  ").append(letter.reasonClass() == null ? "" : letter.reasonClass() + ": ")
                .append(letter.reason() == null ? "(no reason recorded)" : letter.reason());
        return line.toString();
    }

    /** The inboxes to look at: all of the environment's, or the one asked for (by inbox or dead-letter queue name). */
    static List<String> selected(CliContext context, EnvironmentOptions options, Environment environment,
            String asked) {
        List<String> inboxes = DeadLetterQueues.inboxes(options.environments(context), environment);
        if (asked == null) {
            return inboxes;
        }
        String name = asked.endsWith(".dlq") ? asked.substring(0, asked.length() - ".dlq".length()) : asked;
        if (!inboxes.contains(name)) {
            throw CliException.usage("--inbox: " + environment.name() + " has no inbox '" + asked + "'; its inboxes: "
                    + String.join(", ", inboxes));
        }
        return List.of(name);
    }

    /** {@code stagecoach dead-letters replay}. */
    @Command(name = "replay", sortOptions = false,
            description = {"Put an environment's dead letters back into their inboxes.", "",
                    "Move each inbox's dead letters, as many as its dead-letter queue holds when the replay begins,",
                    "back into the inbox (through the stagecoach.replay exchange, with a shovel that deletes itself",
                    "when done). The consumer judges each again by the routing key and publisher it was first",
                    "published with, skips what it handled already, and sets aside again, with the new reason, what",
                    "still fails. Prints how many went back per inbox.", ""},
            footer = {"", "Examples:",
                    "  stagecoach dead-letters replay --env staging",
                    "  stagecoach dead-letters replay --env prod --inbox approval.approval-decided",
                    ExitCodes.SECTION})
    static final class Replay implements Callable<Integer> {

        @Mixin
        HelpOption help;

        @ParentCommand
        DeadLettersCommand parent;

        @Option(names = "--env", required = true, paramLabel = "ENV", description = "the environment")
        String environmentName;

        @Option(names = "--inbox", paramLabel = "QUEUE",
                description = "only this inbox (its name, or its dead-letter queue's <inbox>.dlq)")
        String inbox;

        @Mixin
        ManagementOptions management;

        @Mixin
        EnvironmentOptions environmentOptions;

        @Override
        public Integer call() {
            CliContext context = parent.root.context;
            Environment environment = environmentOptions.environment(context, environmentName, "--env");
            List<String> inboxes = selected(context, environmentOptions, environment, inbox);
            DeadLetterQueues queues = new DeadLetterQueues(management.client(context));
            PrintWriter out = context.out();
            long moved = 0;
            int replayed = 0;
            for (String name : inboxes) {
                Replayed result;
                try {
                    result = ManagementOptions.call(() -> queues.replay(environment.vhost(), name, line -> {
                        out.println(line);
                        out.flush();
                    }));
                } catch (IllegalStateException e) {
                    throw CliException.pipeline("Replay of " + name + " in " + environment.name() + ": "
                            + e.getMessage());
                }
                if (result.moved() > 0) {
                    out.println(name + ": " + result.moved() + " back in the inbox");
                    moved += result.moved();
                    replayed++;
                }
            }
            if (moved == 0) {
                out.println("Nothing to replay: no dead letters in " + (inbox == null ? "any inbox of " : inbox + " in ")
                        + environment.name() + ".");
            } else {
                out.println("Replayed " + moved + " dead letter" + (moved == 1 ? "" : "s") + " into " + replayed
                        + " inbox" + (replayed == 1 ? "" : "es") + " of " + environment.name() + ". What fails again "
                        + "is set aside again with its new reason: stagecoach dead-letters --env "
                        + environment.name());
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
