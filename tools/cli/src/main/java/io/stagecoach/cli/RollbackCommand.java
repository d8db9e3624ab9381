package io.stagecoach.cli;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Principal;
import io.stagecoach.events.Release;
import io.stagecoach.events.RollbackRequested;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.environments.Environment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code stagecoach rollback}: an operator asks to put back a verified release. */
@Command(name = "rollback", sortOptions = false,
        description = {"Ask for a rollback of a service in an environment.", "", "Ask the rollback service to put back a verified release of a service in an environment:",
                "publishes rollback.requested as the environment's operator user. The release running now is held",
                "afterwards (it is not promoted again by itself).", ""},
        footer = {"", "Examples:",
                "  stagecoach rollback --env staging --service knative-lambda-builder",
                "  stagecoach rollback --env prod --service knative-lambda-builder --to 1.3.0 --reason \"INC-42: 5xx\"",
                "",
                "Without --to, the rollback service picks the newest verified release before the running one.",
                ExitCodes.SECTION})
final class RollbackCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--env", required = true, paramLabel = "ENV", description = "the environment to roll back")
    String environmentName;

    @Option(names = "--service", required = true, paramLabel = "NAME", description = "the service to roll back")
    String service;

    @Option(names = "--to", paramLabel = "VERSION",
            description = "the verified version to put back (default: the newest verified before the running one)")
    String toVersion;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why (recorded in the audit stream)")
    String reason;

    @Option(names = "--as", paramLabel = "PERSON", description = "who asks (default: the login name, $USER)")
    String requestedBy;

    @Mixin
    AmqpOptions amqp;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() {
        CliContext context = root.context;
        Environment environment = environmentOptions.environment(context, environmentName, "--env");
        Broker broker = amqp.broker(context);
        EnvironmentLedger ledger = Ledgers.read(broker, environmentOptions.environments(context), environment);
        Optional<EnvironmentLedger.Deployed> running = ledger.running(service);
        if (running.isEmpty()) {
            throw CliException.pipeline("Nothing of " + service + " runs in " + environment.name()
                    + " according to its audit stream, so there is nothing to roll back");
        }
        Release current = running.get().release();
        if (toVersion != null && ledger.verifiedVersion(service, toVersion).isEmpty()) {
            throw CliException.pipeline(service + " " + toVersion + " was never verified in " + environment.name()
                    + ", so it cannot be put back; verified there: " + verifiedVersions(ledger));
        }
        String who = requestedBy != null ? requestedBy
                : Optional.ofNullable(context.variable("USER")).orElse(System.getProperty("user.name", "operator"));
        String why = reason != null ? reason : "asked for with stagecoach rollback by " + who;
        // a repeat while the same deployment runs is the same request: the rollback service skips it
        String id = EventIds.derive("rollback.requested", running.get().eventId(), toVersion == null ? "" : toVersion);
        CloudEvent<RollbackRequested> event = CloudEvent.of(
                new RollbackRequested(environment.name(), service, toVersion, who, why), BuildCommand.SOURCE,
                environment.name(), BuildCommand.runId(current), id, id);
        EventSender sender = new EventSender(broker);
        byte[] body = sender.encode(event, Map.of("data.service", "--service", "subject", "--service",
                "data.toVersion", "--to", "data.requestedBy", "--as", "data.reason", "--reason"));
        sender.publish(environment, Principal.OPERATOR, event, body);
        context.out().println("Published rollback.requested." + environment.name() + ": roll " + service + " "
                + current.version() + " back" + (toVersion == null ? "" : " to " + toVersion) + " (event " + id
                + ") as " + broker.userFor(environment, Principal.OPERATOR));
        context.out().println("The rollback service answers with rollback.completed or rollback.failed: see "
                + "`stagecoach audit --env " + environment.name() + " --service " + service + "`");
        return ExitCodes.OK;
    }

    private String verifiedVersions(EnvironmentLedger ledger) {
        var verified = ledger.verified(service);
        return verified.isEmpty() ? "none" : String.join(", ",
                verified.stream().map(v -> v.release().version()).distinct().toList());
    }
}
