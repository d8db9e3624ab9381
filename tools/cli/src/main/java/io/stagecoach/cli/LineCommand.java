package io.stagecoach.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventData;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.LineRestarted;
import io.stagecoach.events.LineStopped;
import io.stagecoach.events.Principal;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.environments.Environment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code stagecoach stop-line} and {@code restart-line}: an operator stops promotions into an environment now, and
 * lets them go on again (ADR 38).
 */
final class LineCommand {

    private LineCommand() {
    }

    /** What both commands share: the environment, who and why, and publishing as its operator. */
    abstract static class Base implements Callable<Integer> {

        @Mixin
        HelpOption help;

        @ParentCommand
        Stagecoach root;

        @Option(names = "--env", required = true, paramLabel = "ENV", description = "the environment")
        String environmentName;

        @Option(names = "--reason", paramLabel = "TEXT", description = "why (required; recorded in the audit stream)")
        String reason;

        @Option(names = "--as", paramLabel = "PERSON", description = "who does it (default: the login name, $USER)")
        String person;

        @Mixin
        AmqpOptions amqp;

        @Mixin
        EnvironmentOptions environmentOptions;

        abstract String verb();

        /** The event to publish, given the environment's ledger; null when there is nothing to do. */
        abstract CloudEvent<? extends EventData> event(Environment environment, EnvironmentLedger ledger, String who,
                                                       Instant now);

        abstract String after(Environment environment, CloudEvent<? extends EventData> event);

        @Override
        public Integer call() {
            CliContext context = root.context;
            if (reason == null || reason.isBlank()) {
                throw CliException.usage("--reason is required: say why you " + verb() + " the line (it is recorded "
                        + "in the audit stream with your name), e.g. --reason \"INC-512: payments degraded\"");
            }
            Environment environment = environmentOptions.environment(context, environmentName, "--env");
            Broker broker = amqp.broker(context);
            EnvironmentLedger ledger = Ledgers.read(broker, environmentOptions.environments(context), environment);
            String who = person != null ? person
                    : Optional.ofNullable(context.variable("USER")).orElse(System.getProperty("user.name", "operator"));
            CloudEvent<? extends EventData> event = event(environment, ledger, who, Instant.now());
            EventSender sender = new EventSender(broker);
            byte[] body = sender.encode(event, Map.of("data.stoppedBy", "--as", "data.restartedBy", "--as",
                    "data.reason", "--reason"));
            sender.publish(environment, Principal.OPERATOR, event, body);
            context.out().println("Published " + event.eventType().routingKey(environment.name()) + " (event "
                    + event.id() + ") as " + broker.userFor(environment, Principal.OPERATOR));
            context.out().println(after(environment, event));
            return ExitCodes.OK;
        }

        static String id(EventType type, String environment, String... parts) {
            String[] all = new String[parts.length + 2];
            all[0] = type.type();
            all[1] = environment;
            System.arraycopy(parts, 0, all, 2, parts.length);
            return EventIds.derive(all);
        }
    }

    @Command(name = "stop-line", sortOptions = false,
            description = {"Stop promotions into an environment now.", "",
                    "Publishes line.stopped as the environment's operator user, with who and why. From then on a",
                    "promotion into the environment is parked (promotion.frozen), as during a window of its freeze",
                    "schedule, until --for has passed or `stagecoach restart-line`; then what was parked goes ahead by",
                    "itself. Rollbacks go on. Into a manual environment, an override two approvers send goes in.", ""},
            footer = {"", "Examples:",
                    "  stagecoach stop-line --env prod --reason \"INC-512: payments degraded\"",
                    "  stagecoach stop-line --env prod --for 2h --reason \"launch at 14:00\"",
                    "",
                    "See it in `stagecoach status` (column FROZEN) and `stagecoach audit --env prod`.",
                    ExitCodes.SECTION})
    static final class Stop extends Base {

        @Option(names = "--for", paramLabel = "DURATION",
                description = "restart by itself after this long, e.g. 2h (default: only `restart-line` restarts it)")
        Duration duration;

        @Override
        String verb() {
            return "stop";
        }

        @Override
        CloudEvent<LineStopped> event(Environment environment, EnvironmentLedger ledger, String who, Instant now) {
            if (duration != null && (duration.isNegative() || duration.isZero())) {
                throw CliException.usage("--for must be a positive duration, e.g. --for 2h");
            }
            Instant until = duration == null ? null : now.plus(duration).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            String id = id(EventType.LINE_STOPPED, environment.name(), now.toString());
            return CloudEvent.of(new LineStopped(environment.name(), who, reason.strip(), until), BuildCommand.SOURCE,
                    environment.name(), id, id, id);
        }

        @Override
        String after(Environment environment, CloudEvent<? extends EventData> event) {
            LineStopped stopped = (LineStopped) event.data();
            return "The line of " + environment.name() + " is stopped " + (stopped.until() == null
                    ? "until `stagecoach restart-line --env " + environment.name() + "`"
                    : "until " + EventLines.TIMESTAMP.format(stopped.until())) + ": promotions into it are parked";
        }
    }

    @Command(name = "restart-line", sortOptions = false,
            description = {"Let promotions into an environment go on after `stagecoach stop-line`.", "",
                    "Publishes line.restarted as the environment's operator user, with who and why, naming the stop",
                    "it ends. What was parked during the stop goes ahead by itself within seconds, unless a window of",
                    "the environment's freeze schedule still holds.", ""},
            footer = {"", "Example:",
                    "  stagecoach restart-line --env prod --reason \"INC-512 resolved\"",
                    ExitCodes.SECTION})
    static final class Restart extends Base {

        @Override
        String verb() {
            return "restart";
        }

        @Override
        CloudEvent<LineRestarted> event(Environment environment, EnvironmentLedger ledger, String who, Instant now) {
            EnvironmentLedger.LineStop stop = ledger.lineStop().filter(s -> s.holdsAt(now))
                    .orElseThrow(() -> CliException.pipeline("the line of " + environment.name() + " is not stopped "
                            + "according to its audit stream" + ledger.lineStop().map(s -> " (the stop by "
                            + s.stopped().stoppedBy() + " ended at " + s.stopped().until() + ")").orElse("")));
            String id = id(EventType.LINE_RESTARTED, environment.name(), stop.eventId());
            return CloudEvent.of(new LineRestarted(environment.name(), who, reason.strip(), stop.eventId()),
                    BuildCommand.SOURCE, environment.name(), stop.eventId(), id, id);
        }

        @Override
        String after(Environment environment, CloudEvent<? extends EventData> event) {
            return "The line of " + environment.name() + " runs again: what was parked goes ahead within seconds "
                    + "(see `stagecoach status`)";
        }
    }
}
