package io.stagecoach.cli;

import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code stagecoach status}: where every release stands, folded from the environments' audit streams. */
@Command(name = "status", sortOptions = false,
        description = {"Show what runs where, what is verified, what waits and what failed.", "", "Show, per service and environment, the running version, whether it is verified there,",
                "pending approvals (request id, and age since the gated environment received them), the last",
                "failure and the last release that went no further without failing (superseded by a newer one,",
                "or withdrawn by the environment before), folded from each environment's audit stream (read as",
                "the environment's operator user).", ""},
        footer = {"", "Examples:",
                "  stagecoach status",
                "  stagecoach status --service knative-lambda-builder",
                ExitCodes.SECTION})
final class StatusCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--service", paramLabel = "NAME", description = "only this service")
    String service;

    @Mixin
    AmqpOptions amqp;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() {
        CliContext context = root.context;
        context.out().print(render(context, amqp.broker(context), environmentOptions.environments(context), service));
        return ExitCodes.OK;
    }

    static String render(CliContext context, Broker broker, Environments environments, String service) {
        Map<String, EnvironmentLedger> ledgers = new LinkedHashMap<>();
        for (Environment environment : environments.all()) {
            ledgers.put(environment.name(), Ledgers.read(broker, environments, environment));
        }
        List<String> services = StatusTable.services(environments, ledgers, service);
        if (services.isEmpty()) {
            return "No services configured in " + environments.source() + " and no events in any environment yet."
                    + System.lineSeparator();
        }
        return StatusTable.render(environments, ledgers, services, Instant.now());
    }
}
