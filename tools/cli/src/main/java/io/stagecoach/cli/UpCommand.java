package io.stagecoach.cli;

import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code stagecoach up}: the whole pipeline on this machine, in one background process. */
@Command(name = "up", sortOptions = false,
        description = {"Start the pipeline on this machine, in the background.", "",
                "Runs, per environment, the services it uses (build-completed where builds enter, approval behind",
                "manual gates, promotion, smoke-test and rollback everywhere) and a demo workload standing in for",
                "each promoted service, in one background JVM: each service is a Spring context of its own, with",
                "its environment's vhost, broker user and web server, against the configured RabbitMQ and a local",
                "GitOps repository (<home>/gitops.git, seeded when absent; every deploying service pushes from a",
                "clone of its own). Builds the jar with the Maven wrapper when missing or stale, then waits until",
                "every service is ready, printing a line per environment. Ports: free ones, or consecutive from",
                "--base-port; listed at the end and in <home>/pipeline.json. Logs in <home>/logs, the pid file",
                "in <home>/run.", ""},
        footer = {"", "Examples:",
                "  stagecoach provision --local-only-passwords && stagecoach up",
                "  stagecoach build --service knative-lambda-builder --version 1.0.0 \\",
                "      --image ghcr.io/acme/knative-lambda-builder@sha256:<64 hex> --commit <sha> --author jane --wait",
                "  stagecoach down",
                "  stagecoach up --env staging,prod --base-port 28080 --image knative-lambda-builder=registry.local/klb",
                "",
                "The broker must be provisioned (stagecoach provision; on this machine with --local-only-passwords,",
                "else with the passwords in $STAGECOACH_SECRETS_DIR). When Stagecoach already runs in <home>, up",
                "says so, starts nothing and exits 1; stop it first with stagecoach down.",
                ExitCodes.SECTION})
final class UpCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--env", paramLabel = "NAME", split = ",",
            description = "only these environments, e.g. --env staging,prod (default: every one)")
    List<String> only = new ArrayList<>();

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "0",
            description = "first of consecutive HTTP ports, one per service and workload (default: free ports)")
    int basePort;

    @Option(names = "--image", paramLabel = "SERVICE=REPOSITORY",
            description = "image repository of a service, pinned in the GitOps overlays (default ghcr.io/acme/<service>)")
    Map<String, String> images = new LinkedHashMap<>();

    @Option(names = "--smoke-deadline", paramLabel = "DURATION", defaultValue = "30s",
            description = "how long one deployment's smoke checks may retry (default ${DEFAULT-VALUE})")
    Duration smokeDeadline;

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "4m",
            description = "how long to wait for every service to be ready (default ${DEFAULT-VALUE})")
    Duration readyTimeout;

    @Option(names = "--no-build", negatable = false, description = "never build; use the jar as it is")
    boolean noBuild;

    @Mixin
    LocalOptions local;

    @Mixin
    AmqpOptions amqp;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() throws InterruptedException {
        CliContext context = root.context;
        PrintWriter out = context.out();
        Environments environments = environmentOptions.environments(context);
        List<String> chosen = chosen(environments, only);
        PipelineProcess pipeline = new PipelineProcess(local.home(context, null));
        refuseWhenRunning(pipeline, "Stagecoach");
        if (basePort < 0 || basePort > 65535) {
            throw CliException.usage("--base-port must be between 1 and 65535 (or 0 for free ports), was " + basePort);
        }
        Broker broker = amqp.broker(context);
        out.println("Starting Stagecoach (" + String.join(", ", chosen) + ") in " + pipeline.home() + " against "
                + broker.address());
        checkProvisioned(broker, environments, chosen);
        PipelineStart.run(context, pipeline, noBuild, jar -> new PipelineProcess.Launch(jar, broker,
                environmentOptions.file(context), environmentOptions.vhostPrefix(context),
                only.isEmpty() ? List.of() : chosen, basePort, images, Map.of(), smokeDeadline), chosen, readyTimeout,
                null);
        out.println("Stop with: stagecoach down");
        return ExitCodes.OK;
    }

    /** The environments to run, in the path's order; a name the path lacks is a usage error naming the known. */
    static List<String> chosen(Environments environments, List<String> only) {
        LinkedHashSet<String> wanted = new LinkedHashSet<>();
        only.stream().map(String::trim).filter(n -> !n.isEmpty()).forEach(wanted::add);
        List<String> unknown = wanted.stream().filter(n -> environments.find(n).isEmpty()).toList();
        if (!unknown.isEmpty()) {
            throw CliException.usage("--env: unknown environment " + String.join(", ", unknown) + "; "
                    + environments.source() + " defines " + EnvironmentOptions.names(environments));
        }
        return environments.all().stream().map(Environment::name)
                .filter(n -> wanted.isEmpty() || wanted.contains(n)).toList();
    }

    /** A second pipeline in one home would share its GitOps clones and ports file: say what runs, exit 1. */
    static void refuseWhenRunning(PipelineProcess pipeline, String what) {
        Optional<PipelineProcess.Running> running = pipeline.running();
        if (running.isPresent()) {
            String environments = running.get().environments();
            throw CliException.pipeline(what + " already runs in " + pipeline.home() + " (pid "
                    + running.get().pid() + (environments.isEmpty() ? ", still starting" : ": " + environments)
                    + "; ports in " + pipeline.description() + "). Stop it first with `stagecoach down`.");
        }
    }

    /** Fails fast, with what to do, when the broker is down or lacks the environments' vhosts and users. */
    static void checkProvisioned(Broker broker, Environments environments, List<String> chosen) {
        for (String name : chosen) {
            try (com.rabbitmq.client.Connection connection = broker.connect(environments.get(name),
                    Principal.OPERATOR)) {
                connection.getServerProperties();
            } catch (IOException e) {
                // closing a connection that worked: the environment is there
            }
        }
    }
}
