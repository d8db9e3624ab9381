package io.stagecoach.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.stagecoach.events.DriftDetected;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.EnvironmentLedger.Drifting;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code stagecoach drift}: the services that do not run what their environment's ledger recorded. */
@Command(name = "drift", sortOptions = false,
        description = {"List the services that do not run what Stagecoach deployed.", "",
                "Each environment's promotion service compares, every few seconds, what its ledger recorded as",
                "deployed with what the deploy target declares (the GitOps overlay, the Deployment's spec) and",
                "what is observed running (the pods' image digests, or the workload's answer), and announces a",
                "difference seen twice in a row as drift.detected, its end as drift.cleared. This lists the",
                "drifts not cleared yet, the three sides side by side, read from each environment's audit stream.",
                ""},
        footer = {"", "Examples:",
                "  stagecoach drift",
                "  stagecoach drift --env prod",
                "",
                "Exit status:",
                "  0  no drift",
                "  1  at least one service drifts",
                "  2  usage error: a missing or invalid argument (the message says which and how to fix it)",
                "  3  RabbitMQ unreachable, or it refused the connection"})
final class DriftCommand implements java.util.concurrent.Callable<Integer> {

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--env", paramLabel = "ENV", description = "only this environment (default: every one)")
    String environmentName;

    @Mixin
    AmqpOptions amqp;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() {
        CliContext context = root.context;
        Environments environments = environmentOptions.environments(context);
        List<Environment> selected = environmentName == null ? environments.all()
                : List.of(environmentOptions.environment(context, environmentName, "--env"));
        Broker broker = amqp.broker(context);
        List<String> lines = new ArrayList<>();
        int drifting = 0;
        for (Environment environment : selected) {
            EnvironmentLedger ledger = Ledgers.read(broker, environments, environment);
            Map<String, Drifting> drifts = new java.util.TreeMap<>(ledger.drifts());
            drifting += drifts.size();
            drifts.forEach((service, drift) -> lines.addAll(describe(environment.name(), service, drift,
                    Instant.now())));
        }
        PrintWriter out = context.out();
        if (drifting == 0) {
            out.println("No drift: every service runs what " + (environmentName == null ? "its environment's"
                    : environmentName + "'s") + " ledger recorded, as far as the last comparison saw.");
            return ExitCodes.OK;
        }
        lines.forEach(out::println);
        out.println(drifting + " service" + (drifting == 1 ? "" : "s") + " drifting. Put one back with stagecoach "
                + "rollback, or promote what runs properly.");
        return ExitCodes.PIPELINE;
    }

    /** The drift's lines: the three sides and what differs. */
    static List<String> describe(String environment, String service, Drifting drift, Instant now) {
        DriftDetected detected = drift.detected();
        List<String> lines = new ArrayList<>();
        lines.add(environment + "  " + service + "  drifting for " + EventLines.age(drift.at(), now) + " (drift.detected "
                + drift.eventId() + ")");
        lines.add("    recorded  " + side(detected.recorded()));
        lines.add("    desired   " + (detected.desired() == null ? "nothing declared" : side(detected.desired())));
        lines.add("    running   " + (detected.running() == null ? "not observed" : side(detected.running())));
        detected.differences().forEach(difference -> lines.add("    - " + difference));
        return lines;
    }

    private static String side(DriftDetected.Side side) {
        return side.describe() + "  [" + side.source() + "]";
    }
}
