package io.stagecoach.cli;

import io.stagecoach.events.EventIds;
import io.stagecoach.events.Release;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.BrokerUnreachableException;
import io.stagecoach.platform.topology.ManagementApiException;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.ProvisioningReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code stagecoach demo}: the whole pipeline on this machine, and two releases sent through it. */
@Command(name = "demo", sortOptions = false,
        description = {"Run the whole pipeline on this machine and send two releases through it.", "",
                "Builds what is needed, provisions the demo's own vhosts (demo-dev, demo-staging, demo-prod),",
                "seeds a local GitOps repository, starts every service and a demo workload per environment (one",
                "background process, as stagecoach up does), then:",
                "sends build 1.0.0 through dev and staging to the prod gate, approves it as the demo approver,",
                "sends 1.1.0-bad (it passes dev, staging's workload reports it unhealthy) and shows staging roll",
                "back, and ends with the",
                "status table. Each step is the stagecoach command it runs. Stops everything it started when it",
                "ends or is interrupted (Ctrl-C). Starts afresh each time: the demo's vhosts and folder are reset.",
                ""},
        footer = {"", "Examples:",
                "  ./stagecoach demo",
                "  ./stagecoach demo --keep-running     (leave it up to explore; ./stagecoach down stops it)",
                "",
                "Needs Java 17+ and a RabbitMQ with the management, stream and shovel plugins on localhost",
                "(rabbitmq-server -detached; rabbitmq-plugins enable rabbitmq_management rabbitmq_stream",
                "rabbitmq_shovel rabbitmq_shovel_management), or STAGECOACH_AMQP_URI / STAGECOACH_MANAGEMENT_URL.",
                ExitCodes.SECTION})
final class DemoCommand implements Callable<Integer> {

    static final String HOME = "demo";
    static final String PREFIX = "demo";
    static final String AUTHOR = "jane";
    /** The image repositories the pipeline pins by default: the demo's builds come from there. */
    static final String IMAGES = "ghcr.io/acme/";

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "0",
            description = "first of consecutive HTTP ports of the demo's services and workloads (default: free ports)")
    int basePort;

    @Option(names = "--keep-running", description = "leave the pipeline running at the end (stop it with stagecoach down)")
    boolean keepRunning;

    @Option(names = "--no-build", negatable = false, description = "never build; use the jar as it is")
    boolean noBuild;

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "4m",
            description = "how long to wait for every service to be ready (default ${DEFAULT-VALUE})")
    Duration readyTimeout;

    @Mixin
    LocalOptions local;

    @Mixin
    AmqpOptions amqp;

    @Mixin
    ManagementOptions management;

    @Option(names = "--vhost-prefix", paramLabel = "PREFIX", defaultValue = PREFIX,
            description = "prefix of the demo's vhosts, reset at the start (default ${DEFAULT-VALUE})")
    String vhostPrefix;

    @Option(names = "--environments", paramLabel = "FILE",
            description = "environments file (default deploy/environments.yaml here, else the shipped one)")
    Path environmentsFile;

    private long started;
    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        // the demo's users have the local-only passwords on purpose: say so once instead of once per user
        System.setProperty("org.slf4j.simpleLogger.log.io.stagecoach.platform.credentials.Credentials", "error");
        CliContext context = root.context;
        out = context.out();
        started = System.nanoTime();
        EnvironmentOptions environmentOptions = new EnvironmentOptions();
        environmentOptions.file = environmentsFile;
        environmentOptions.vhostPrefix = vhostPrefix;
        Environments environments = environmentOptions.environments(context);
        if (environments.services().isEmpty()) {
            throw CliException.usage(environments.source() + " lists no services to promote");
        }
        Path home = local.home(context, HOME);
        // the first environment's workload does not mind "-bad": the bad release passes it and fails the next one,
        // like a bug only the next environment's data reveals, so the rollback happens after a hand-off
        Map<String, String> badMarkers = environments.all().size() > 1
                ? Map.of(environments.first().name(), "-bad-in-" + environments.first().name()) : Map.of();
        PipelineProcess pipeline = new PipelineProcess(home);
        UpCommand.refuseWhenRunning(pipeline, "A demo");
        Broker broker = amqp.broker(context);
        ManagementClient client = management.client(context);

        step("Checking RabbitMQ at " + broker.address() + " (management " + client.baseUrl() + ")");
        checkBroker(client, LocalOptions.repository(context), out);

        step("Building what is needed");
        PipelineProcess.deleteTree(home);
        Path jar = new PipelineJar(LocalOptions.repository(context)).prepare(noBuild,
                pipeline.logs().resolve("build.log"), out);

        step("Provisioning the demo's vhosts " + String.join(", ", environments.all().stream().map(Environment::vhost)
                .toList()) + " (reset from any earlier demo)");
        resetVhosts(client, environments, out);
        out.println("  the demo's users get the local-only passwords (<user>-local-only): fine on this machine only");
        ProvisioningReport report = ProvisionCommand.provision(context, client, environments, false,
                ProvisionCommand.passwords(context, environments, null, null, true));
        if (!report.isClean()) {
            throw CliException.pipeline(report.describe());
        }

        step("Starting every service for every environment, and a demo workload per environment, in one process");
        List<String> names = environments.all().stream().map(Environment::name).toList();
        PipelineProcess.Launch launch = new PipelineProcess.Launch(jar, broker, environmentOptions.file(context),
                vhostPrefix, List.of(), basePort, Map.of(), badMarkers, Duration.ofSeconds(6));
        List<Process> processes = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread stopper = new Thread(() -> List.copyOf(processes).forEach(pipeline::stop), "stagecoach-demo-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            PipelineStart.describe(PipelineStart.start(context, pipeline, launch, names, readyTimeout, processes),
                    pipeline, out);
            int status = scenario(context, broker, environments);
            lookNext(environments, pipeline);
            return status;
        } finally {
            if (keepRunning) {
                out.println("Left running (--keep-running): stop it with ./stagecoach down");
            } else if (!processes.isEmpty()) {
                out.println("Stopping the pipeline the demo started (pid " + processes.get(0).pid() + ")...");
                out.flush();
                long stopping = System.nanoTime();
                List.copyOf(processes).forEach(pipeline::stop);
                out.println("  stopped in " + PipelineProcess.seconds(Duration.ofNanos(System.nanoTime() - stopping)));
            }
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running
            }
            out.println("Demo finished in " + elapsed() + ".");
            out.flush();
        }
    }

    private int scenario(CliContext context, Broker broker, Environments environments) {
        Map<String, String> env = new HashMap<>(PipelineProcess.childEnvironment(context.env()));
        env.put(AmqpOptions.URI_VARIABLE, broker.address());
        env.put(EnvironmentOptions.PREFIX_VARIABLE, vhostPrefix);
        if (environmentsFile != null) {
            env.put(EnvironmentOptions.FILE_VARIABLE, context.resolve(environmentsFile).toString());
        }
        CliContext child = new CliContext(env, context.out(), context.err(), context.workingDirectory());
        String service = environments.services().get(0);
        String image = IMAGES + service;
        Environment gated = environments.all().stream().filter(Environment::isManual).findFirst().orElse(null);
        String last = environments.all().get(environments.all().size() - 1).name();

        Release good = release(service, image, "1.0.0");
        step("Sending build 1.0.0 of " + service + " through " + String.join(" and ", environments.all().stream()
                .takeWhile(e -> !e.isManual()).map(Environment::name).toList()) + (gated == null ? ""
                : " to the " + gated.name() + " gate"));
        expect(run(child, build(good, "--wait", "--timeout", "3m")), 0, "1.0.0 to reach "
                + (gated == null ? "the end of the path" : "the " + gated.name() + " gate"));

        if (gated != null) {
            step("1.0.0 waits at the " + gated.name() + " gate");
            expect(run(child, "status", "--service", service), 0, "the status table");
            EnvironmentLedger ledger = Ledgers.read(broker, environments, gated);
            String requestId = ledger.pendingFor(service).stream().findFirst()
                    .orElseThrow(() -> CliException.pipeline("No approval request for " + service + " waits in "
                            + gated.name())).requestId();
            String approver = environments.approvingPeople(gated.name()).stream().filter(p -> !p.equals(AUTHOR))
                    .findFirst().orElseThrow(() -> CliException.pipeline("Nobody but the author may approve into "
                            + gated.name() + " in " + environments.source()));
            step("Approving it as " + approver + " (" + String.join(", ", gated.approvers()) + ")");
            expect(run(child, "approve", requestId, "--as", approver, "--env", gated.name(), "--wait"), 0,
                    "the approval to be granted");
            step("Following 1.0.0 into " + gated.name());
            expect(run(child, "watch", "--run", BuildCommand.runId(good), "--timeout", "2m"), 0,
                    "1.0.0 to pass " + last);
        }

        Release bad = release(service, image, "1.1.0-bad");
        step("Sending build 1.1.0-bad: " + environments.first().name() + "'s checks pass it, the next environment's "
                + "workload reports it unhealthy, so its smoke tests fail and it is rolled back there");
        expect(run(child, build(bad, "--wait", "--timeout", "3m")), 1, "1.1.0-bad to be rolled back");

        step("Where every release stands now");
        expect(run(child, "status", "--service", service), 0, "the status table");
        return ExitCodes.OK;
    }

    private String[] build(Release release, String... more) {
        List<String> args = new ArrayList<>(List.of("build", "--service", release.service(), "--version",
                release.version(), "--image", release.imageReference(), "--commit", release.commit(), "--author",
                release.author()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** A release with a digest and commit of its own, as CI would announce it. */
    static Release release(String service, String image, String version) {
        String hex = EventIds.derive("demo", service, version).replace("-", "");
        String digest = "sha256:" + (hex + hex).substring(0, 64);
        return new Release(service, version, image, digest, (hex + hex).substring(0, 40), AUTHOR);
    }

    private int run(CliContext child, String... args) {
        out.println("$ stagecoach " + String.join(" ", args));
        out.flush();
        return Stagecoach.execute(child, args);
    }

    private void expect(int status, int expected, String what) {
        if (status != expected) {
            throw CliException.pipeline("The demo expected " + what + ", but the command exited " + status
                    + "; see the log " + new PipelineProcess(local.home(root.context, HOME)).log());
        }
    }

    private void step(String what) {
        out.println();
        out.println("[" + elapsed() + "] " + what);
        out.flush();
    }

    private String elapsed() {
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        return String.format("%d:%02d", seconds / 60, seconds % 60);
    }

    /** Uses the broker that answers; with none but a Docker engine at hand, starts RabbitMQ from compose.yaml. */
    private static void checkBroker(ManagementClient client, Path repository, PrintWriter out) {
        try {
            client.get("/api/overview");
        } catch (BrokerUnreachableException e) {
            if (!dockerEngineAnswers()) {
                throw CliException.broker(e.getMessage() + " (no Docker engine either: with one, the demo starts "
                        + "RabbitMQ from compose.yaml itself)", e);
            }
            out.println("  no RabbitMQ answers, but Docker does: docker compose up -d --wait rabbitmq");
            out.flush();
            if (run(repository, Duration.ofMinutes(5), "docker", "compose", "-f",
                    repository.resolve("compose.yaml").toString(), "up", "-d", "--wait", "rabbitmq") != 0) {
                throw CliException.broker("docker compose could not start RabbitMQ from compose.yaml; see "
                        + "`docker compose logs rabbitmq`", e);
            }
            client.get("/api/overview");
        } catch (ManagementApiException e) {
            throw CliException.broker("RabbitMQ's management API refused: " + e.getMessage(), e);
        }
    }

    private static boolean dockerEngineAnswers() {
        return run(Path.of("."), Duration.ofSeconds(10), "docker", "info") == 0;
    }

    private static int run(Path directory, Duration timeout, String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Deletes the vhosts an earlier run left, so this one starts with empty audit streams. */
    static void resetVhosts(ManagementClient client, Environments environments, PrintWriter out)
            throws InterruptedException {
        try {
            List<Environment> existing = environments.all().stream()
                    .filter(e -> client.get(ManagementClient.path("api", "vhosts", e.vhost())).isPresent()).toList();
            // shovels first: a shovel still running when its vhost comes back would declare its queue anew, wrongly
            for (Environment environment : existing) {
                for (var shovel : client.list(ManagementClient.path("api", "parameters", "shovel", environment.vhost()))) {
                    client.delete(ManagementClient.path("api", "parameters", "shovel", environment.vhost(),
                            shovel.path("name").asString()));
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            for (Environment environment : existing) {
                while (!client.list(ManagementClient.path("api", "shovels", environment.vhost())).isEmpty()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
            }
            for (Environment environment : existing) {
                client.delete(ManagementClient.path("api", "vhosts", environment.vhost()));
                out.println("  deleted the earlier run's vhost " + environment.vhost());
            }
        } catch (BrokerUnreachableException e) {
            throw CliException.broker(e.getMessage(), e);
        } catch (ManagementApiException e) {
            throw CliException.broker("RabbitMQ's management API refused: " + e.getMessage(), e);
        }
    }

    private void lookNext(Environments environments, PipelineProcess pipeline) {
        String last = environments.all().get(environments.all().size() - 1).name();
        out.println();
        out.println("Where to look next:");
        out.println("  - the management UI: " + management.url(root.context) + " (guest/guest): vhosts "
                + String.join(", ", environments.all().stream().map(Environment::vhost).toList())
                + ", their stagecoach.audit streams and the hand-off shovels");
        out.println("  - the GitOps repository: git --git-dir=" + pipeline.gitopsRepository() + " log --format='%h %s%n%b'");
        out.println("  - the audit: ./stagecoach audit --env " + last + " --vhost-prefix " + vhostPrefix);
        out.println("  - the services' ports: " + pipeline.description() + " (while it runs); their log: "
                + pipeline.log());
        out.println("  - your own builds: ./stagecoach provision && ./stagecoach up, then ./stagecoach build ... --wait");
    }
}
