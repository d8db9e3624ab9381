package io.stagecoach.cli;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.platform.audit.AuditMessage;
import io.stagecoach.platform.audit.StreamOffset;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.topology.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code stagecoach audit}: what happened in an environment, who did it and why. */
@Command(name = "audit", sortOptions = false,
        description = {"Print an environment's audit stream: what happened, who did it and why.", "", "Print an environment's audit stream, one line per event: time (UTC), type, service and",
                "version, who published it (the broker-validated user_id), why, and the run id. A record that",
                "does not count (its routing key or publisher is not its type's) ends with REFUSED and why:",
                "it is kept because it happened, but no service acted on it.", ""},
        footer = {"", "Examples:",
                "  stagecoach audit --env prod",
                "  stagecoach audit --env staging --service knative-lambda-builder --since 1h",
                "  stagecoach audit --env dev --since 2026-11-26T09:00:00Z --follow",
                ExitCodes.SECTION})
final class AuditCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    /** Without --follow, reading stops when nothing more arrived for this long after the last message. */
    static final Duration IDLE = Duration.ofSeconds(2);

    @ParentCommand
    Stagecoach root;

    @Option(names = "--env", required = true, paramLabel = "ENV", description = "the environment")
    String environmentName;

    @Option(names = "--service", paramLabel = "NAME", description = "only events about this service")
    String service;

    @Option(names = "--since", paramLabel = "WHEN",
            description = "start this long ago (90s, 10m, 1h, 2d) or at this time (2026-11-26T09:00:00Z); default: "
                    + "the oldest event kept")
    String since;

    @Option(names = "--follow", description = "keep printing new events until interrupted (Ctrl-C)")
    boolean follow;

    @Mixin
    AmqpOptions amqp;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() {
        CliContext context = root.context;
        Instant start = since == null ? null : parseSince(since, Instant.now());
        Environment environment = environmentOptions.environment(context, environmentName, "--env");
        EventCodec codec = new EventCodec();
        Provenance provenance = Provenance.of(environmentOptions.environments(context));
        PrintWriter out = context.out();
        try (AuditStreams streams = new AuditStreams(amqp.broker(context))) {
            long end = streams.subscribe(environment, start == null ? StreamOffset.first() : StreamOffset.at(start));
            if (end < 0 && !follow) {
                context.err().println("The audit stream of " + environment.name() + " is empty.");
                return ExitCodes.OK;
            }
            while (true) {
                AuditStreams.Item item = streams.poll(follow ? Duration.ofMillis(500) : IDLE);
                if (item == null) {
                    if (!follow) {
                        return ExitCodes.OK;
                    }
                    if (streams.anyClosed()) {
                        throw CliException.broker("RabbitMQ closed the audit stream of " + environment.name(), null);
                    }
                    continue;
                }
                print(out, item.message(), codec, provenance, environment, start);
                if (!follow && item.message().offset() >= end) {
                    return ExitCodes.OK;
                }
            }
        } catch (InterruptedException e) {
            // the end of --follow
            Thread.currentThread().interrupt();
            return ExitCodes.OK;
        }
    }

    private void print(PrintWriter out, AuditMessage message, EventCodec codec, Provenance provenance,
            Environment environment, Instant start) {
        CloudEvent<?> event;
        try {
            event = codec.decode(message.body());
        } catch (InvalidEventException e) {
            if (service == null && (start == null || message.timestamp() == null || !message.timestamp().isBefore(start))) {
                out.println("offset " + message.offset() + ": not a valid event (routing key " + message.routingKey()
                        + ", by " + (message.userId() == null ? "(no user_id)" : message.userId()) + "): "
                        + e.problems().get(0));
                out.flush();
            }
            return;
        }
        if (start != null && event.time().isBefore(start) || service != null && !service.equals(event.subject())) {
            return;
        }
        // it happened, so it is printed; but it changed nothing, and the line says so
        Optional<Provenance.Refusal> refusal = provenance.judge(environment.name(), event.eventType(),
                event.environment(), message.routingKey(), message.userId());
        out.println(EventLines.audit(event, message.userId())
                + refusal.map(r -> "  REFUSED " + r.reason() + " (routing key " + message.routingKey() + "): "
                        + r.message()).orElse(""));
        out.flush();
    }

    /** {@code 1h} ago, or an RFC 3339 time. */
    static Instant parseSince(String value, Instant now) {
        Duration ago = DurationConverter.parse(value);
        if (ago != null) {
            return now.minus(ago);
        }
        try {
            return OffsetDateTime.parse(value.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw CliException.usage("--since '" + value + "' is neither a duration (90s, 10m, 1h, 2d) nor a time "
                    + "such as 2026-11-26T09:00:00Z");
        }
    }
}
