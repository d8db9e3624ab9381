package io.stagecoach.cli;

import io.stagecoach.platform.environments.Environments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/** {@code stagecoach watch}: every environment's events as they happen, and where each release stands. */
@Command(name = "watch", sortOptions = false,
        description = {"Follow every environment's events live.", "", "Follow every environment's audit stream live, one line per event: time (UTC),",
                "environment, type, release, where the release stands now, and why / who / run.", ""},
        footer = {"", "Examples:",
                "  stagecoach watch",
                "  stagecoach watch --service knative-lambda-builder --since 10m",
                "  stagecoach watch --count 20     (stop after 20 events)",
                "  stagecoach watch --run 362e4658-c5f3-5802-bc1f-7bb03b353b59 --timeout 15m",
                ExitCodes.SECTION})
final class WatchCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--service", paramLabel = "NAME", description = "only events about this service")
    String service;

    @Option(names = "--since", paramLabel = "WHEN",
            description = "also show what happened since then (90s, 10m, 1h or a time); default: only new events")
    String since;

    @Option(names = "--count", paramLabel = "N", description = "stop after N events")
    Integer count;

    @Option(names = "--run", paramLabel = "RUN-ID",
            description = "follow one run (its history first), ending like build --wait: 0 at a manual gate or "
                    + "the end of the path, 1 when it failed or the timeout passed, 4 when it was superseded")
    String run;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "with --run: how long to follow (default 10m)")
    Duration timeout;

    @Mixin
    AmqpOptions amqp;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() {
        CliContext context = root.context;
        if (count != null && count < 1) {
            throw CliException.usage("--count must be 1 or more, not " + count);
        }
        if (run == null && timeout != null) {
            throw CliException.usage("--timeout only applies with --run; add --run RUN-ID or leave --timeout out");
        }
        if (run != null && (since != null || count != null)) {
            throw CliException.usage("--run follows one run's whole history: leave out --since and --count");
        }
        Instant start = since == null ? null : AuditCommand.parseSince(since, Instant.now());
        Environments environments = environmentOptions.environments(context);
        if (run != null) {
            RunFollower.Outcome outcome = new RunFollower(amqp.broker(context), environments, context.out())
                    .follow(run.trim(), timeout == null ? BuildCommand.DEFAULT_TIMEOUT : timeout);
            context.out().println(outcome.summary());
            return outcome.status();
        }
        int shown = 0;
        try (AuditStreams streams = new AuditStreams(amqp.broker(context))) {
            streams.subscribeAll(environments, start);
            context.err().println("Watching " + EnvironmentOptions.names(environments) + " (Ctrl-C to stop)...");
            context.err().flush();
            while (count == null || shown < count) {
                AuditStreams.Event next = streams.nextEvent(Duration.ofMillis(500), start);
                if (next == null || service != null && !service.equals(next.event().subject())) {
                    continue;
                }
                context.out().println(EventLines.watch(next.event(), next.message().userId()));
                context.out().flush();
                shown++;
            }
        } catch (InterruptedException e) {
            // the end of watching
            Thread.currentThread().interrupt();
        }
        return ExitCodes.OK;
    }
}
