package io.stagecoach.cli;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.HoldReleased;
import io.stagecoach.events.Principal;
import io.stagecoach.events.Release;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.environments.Environment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code stagecoach release-hold}: an operator lifts the hold a rollback put on a release. */
@Command(name = "release-hold", sortOptions = false,
        description = {"Lift the hold on a release in an environment.", "",
                "A release an environment rolled back from is held there: it is not promoted there again. When it",
                "was not the release's fault (a broken test database, a flaky check), an operator lifts the hold:",
                "publishes hold.released as the environment's operator user, with who and why, into its audit",
                "stream. Afterwards CI's retry of the same build, or the next build of that version, promotes it.", ""},
        footer = {"", "Examples:",
                "  stagecoach release-hold --env dev --service knative-lambda-builder --version 1.4.2 \\",
                "      --reason \"the smoke test's database was down, not 1.4.2\"",
                "",
                "See what is held with `stagecoach status` (column HELD).",
                ExitCodes.SECTION})
final class ReleaseHoldCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--env", required = true, paramLabel = "ENV", description = "the environment that holds it")
    String environmentName;

    @Option(names = "--service", required = true, paramLabel = "NAME", description = "the service")
    String service;

    @Option(names = "--version", required = true, paramLabel = "VERSION", description = "the held version")
    String version;

    @Option(names = "--reason", paramLabel = "TEXT",
            description = "why it may come back (required; recorded in the audit stream)")
    String reason;

    @Option(names = "--as", paramLabel = "PERSON", description = "who lifts it (default: the login name, $USER)")
    String releasedBy;

    @Mixin
    AmqpOptions amqp;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() {
        CliContext context = root.context;
        if (reason == null || reason.isBlank()) {
            throw CliException.usage("--reason is required: say why " + version + " may come back (it is recorded in "
                    + "the audit stream with who lifted the hold), e.g. --reason \"the smoke test's database was "
                    + "down\"");
        }
        Environment environment = environmentOptions.environment(context, environmentName, "--env");
        Broker broker = amqp.broker(context);
        EnvironmentLedger ledger = Ledgers.read(broker, environmentOptions.environments(context), environment);
        List<Release> held = ledger.held(service);
        Release release = held.stream().filter(r -> r.version().equals(version)).reduce((older, newer) -> newer)
                .orElseThrow(() -> CliException.pipeline(service + " " + version + " is not held in "
                        + environment.name() + " according to its audit stream; held there: " + (held.isEmpty()
                        ? "nothing" : String.join(", ", held.stream().map(Release::version).toList()))));
        String who = releasedBy != null ? releasedBy
                : Optional.ofNullable(context.variable("USER")).orElse(System.getProperty("user.name", "operator"));
        // a repeat before the ledger has the lift is the same event; a lift after the release was held again is new
        String previous = ledger.lastLift(release).map(EnvironmentLedger.Lift::eventId).orElse("");
        String id = EventIds.derive(EventType.HOLD_RELEASED.type(), environment.name(), release.service(),
                release.version(), release.digest(), previous);
        CloudEvent<HoldReleased> event = CloudEvent.of(new HoldReleased(release, environment.name(), who,
                reason.strip()), BuildCommand.SOURCE, environment.name(), BuildCommand.runId(release), id, id);
        EventSender sender = new EventSender(broker);
        byte[] body = sender.encode(event, Map.of("data.releasedBy", "--as", "data.reason", "--reason",
                "subject", "--service"));
        sender.publish(environment, Principal.OPERATOR, event, body);
        context.out().println("Published hold.released." + environment.name() + ": " + service + " " + version
                + " is no longer held in " + environment.name() + " (event " + id + ") as "
                + broker.userFor(environment, Principal.OPERATOR));
        context.out().println("CI's retry of the build, or the next build of " + version + ", promotes it there again; "
                + "see `stagecoach status --service " + service + "`");
        return ExitCodes.OK;
    }
}
