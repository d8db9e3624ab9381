package io.stagecoach.cli;

import io.stagecoach.platform.environments.Environments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code stagecoach up}: the whole pipeline on this machine, in the background. */
@Command(name = "up", sortOptions = false,
        description = {"Start the pipeline on this machine, in the background.", "",
                "Starts, per environment, the services it uses (build-completed where builds enter, approval",
                "behind manual gates, promotion, smoke-test and rollback everywhere) and a demo workload standing",
                "in for each promoted service, against the configured RabbitMQ and a local GitOps repository",
                "(<home>/gitops.git, seeded when absent; every deploying process pushes from a clone of its own).",
                "Builds the jars with the Maven wrapper when missing or stale, then waits until every process",
                "answers its readiness probe. Logs and pid files: <home>/logs, <home>/run.", ""},
        footer = {"", "Examples:",
                "  stagecoach provision && stagecoach up",
                "  stagecoach build --service knative-lambda-builder --version 1.0.0 \\",
                "      --image ghcr.io/acme/knative-lambda-builder@sha256:<64 hex> --commit <sha> --author jane --wait",
                "  stagecoach down",
                "  stagecoach up --base-port 28080 --image knative-lambda-builder=registry.local/klb",
                "",
                "The broker must be provisioned (stagecoach provision). Service ports: base + 10 x environment index",
                "+ service index (build-completed, promotion, smoke-test, rollback, approval); workloads from base+100.",
                ExitCodes.SECTION})
final class UpCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "18080",
            description = "first HTTP port (default ${DEFAULT-VALUE})")
    int basePort;

    @Option(names = "--image", paramLabel = "SERVICE=REPOSITORY",
            description = "image repository of a service, pinned in the GitOps overlays (default ghcr.io/acme/<service>)")
    Map<String, String> images = new LinkedHashMap<>();

    @Option(names = "--no-workloads", negatable = false,
            description = "do not start the demo workloads (point the smoke tests elsewhere yourself)")
    boolean noWorkloads;

    @Option(names = "--smoke-deadline", paramLabel = "DURATION", defaultValue = "30s",
            description = "how long one deployment's smoke checks may retry (default ${DEFAULT-VALUE})")
    Duration smokeDeadline;

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "4m",
            description = "how long to wait for every process to be ready (default ${DEFAULT-VALUE})")
    Duration readyTimeout;

    @Option(names = "--no-build", negatable = false, description = "never build; use the jars as they are")
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
        LocalPipeline pipeline = pipeline(context, local.home(context, null), environmentOptions, amqp, basePort,
                !noWorkloads, images, smokeDeadline, Map.of());
        if (!pipeline.processes().running().isEmpty()) {
            throw CliException.usage("Stagecoach already runs here (" + String.join(", ",
                    pipeline.processes().running().keySet()) + "); stop it first with `stagecoach down`");
        }
        out.println("Starting Stagecoach in " + pipeline.processes().home() + " against " + amqp.broker(context).address());
        checkProvisioned(amqp.broker(context), environmentOptions.environments(context));
        prepare(context, pipeline, noBuild, out);
        List<LocalProcesses.Started> started = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        // interrupted while starting: stop what was started rather than leave half a pipeline behind
        Thread stopper = new Thread(() -> pipeline.processes().stop(started), "stagecoach-up-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            pipeline.start(new ServiceJars(LocalOptions.repository(context)), context.env(), readyTimeout, out, started);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException e) {
                // shutting down: the hook is stopping them
            }
        }
        out.println("Stagecoach is up: " + started.size() + " processes; logs in " + pipeline.processes().logs()
                + ", pid files in " + pipeline.processes().run());
        out.println("GitOps repository: " + pipeline.gitopsRepository() + "   Stop with: stagecoach down");
        return ExitCodes.OK;
    }

    static LocalPipeline pipeline(CliContext context, java.nio.file.Path home, EnvironmentOptions environmentOptions,
                                  AmqpOptions amqp, int basePort, boolean workloads, Map<String, String> images,
                                  Duration smokeDeadline, Map<String, String> badMarkers) {
        Environments environments = environmentOptions.environments(context);
        return new LocalPipeline(new LocalPipeline.Settings(LocalOptions.repository(context), home, environments,
                environmentOptions.vhostPrefix(context), environmentOptions.file(context), amqp.broker(context),
                basePort, workloads, LocalPipeline.defaultImages(environments, images), smokeDeadline, badMarkers));
    }

    /** Fails fast, with what to do, when the broker is down or lacks the environments' vhosts and users. */
    static void checkProvisioned(Broker broker, Environments environments) {
        for (io.stagecoach.platform.environments.Environment environment : environments.all()) {
            try (com.rabbitmq.client.Connection connection = broker.connect(environment,
                    io.stagecoach.events.Principal.OPERATOR)) {
                connection.getServerProperties();
            } catch (java.io.IOException e) {
                // closing a connection that worked: the environment is there
            }
        }
    }

    /** Builds stale jars (unless told not to) and seeds the GitOps repository when it is new. */
    static void prepare(CliContext context, LocalPipeline pipeline, boolean noBuild, PrintWriter out)
            throws InterruptedException {
        ServiceJars jars = new ServiceJars(LocalOptions.repository(context));
        List<String> stale = jars.stale(pipeline.modules());
        if (!stale.isEmpty() && !noBuild) {
            jars.build(stale, pipeline.processes().logs().resolve("build.log"), out);
        }
        List<String> missing = pipeline.modules().stream().filter(m -> jars.jar(m).isEmpty()).toList();
        if (!missing.isEmpty()) {
            throw CliException.pipeline("No jar for " + String.join(", ", missing) + "; build them with ./mvnw -B -pl "
                    + String.join(",", missing.stream().map(ServiceJars::module).toList()) + " -am package -DskipTests");
        }
        if (pipeline.seedGitOps()) {
            out.println("  seeded the GitOps repository " + pipeline.gitopsRepository());
        }
    }
}
