package io.stagecoach.cli;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.events.ApprovalDecided;
import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.events.Principal;
import io.stagecoach.events.Release;
import io.stagecoach.platform.audit.StreamOffset;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.BrokerUnreachableException;
import io.stagecoach.platform.topology.ManagementApiException;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.platform.topology.ProvisioningReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code stagecoach bench}: how fast builds travel through a local pipeline, and what that costs. */
@Command(name = "bench", sortOptions = false, subcommands = BenchReplayCommand.class,
        description = {"Measure how fast builds travel through a local pipeline.", "",
                "Publishes build.completed events as CI does (the first environment's CI user, confirmed and",
                "mandatory), a unique version per build, for --services promoted services, --builds each, at",
                "--rate builds/s (round robin over the services). Follows every environment's audit stream and",
                "records, per build, when each step of the way happened, by the time in each event: the build,",
                "then per automatic environment promotion.requested, deployment.completed and smoketest.passed,",
                "then approval.requested into the manual gate. Ends when every build got to the gate or stopped",
                "(blocked, failed, superseded by a newer build of its service), or at --timeout, with a line per",
                "build that did not get there. Prints progress every 5 s, then per hop and for the whole way",
                "p50 / p99 / max in ms; builds/s to the gate; connections the broker opened meanwhile; the",
                "pipeline process's memory and start time; and the broker alone on a throw-away quorum queue",
                "(publish to delivery, one confirm outstanding) with the ratio of a hop's p50 to it.",
                "",
                "Last, the pipeline's limits beside this run's figures (control plane only): a build until it is",
                "verified in the environment before the gate (dev -> staging, under 3 min), from there until it is",
                "verified behind the gate without the wait for the decision (staging -> prod, under 5 min; with",
                "--approve, else only to the gate), and a failed smoke test until the rollback put the last verified",
                "release back (under 2 min; with --failing), with what a real rollout would add to each.",
                "",
                "Uses the pipeline `stagecoach up` runs in --home, or with --start starts one of its own (own",
                "vhosts and GitOps repository, reset first; an environments file with --services services) and stops",
                "it at the end.",
                ""},
        footer = {"", "Examples:",
                "  stagecoach bench --start --services 8 --builds 5 --rate 4",
                "  stagecoach up && stagecoach bench --builds 3 --rate max --json bench.json",
                "  stagecoach bench --start --services 2 --builds 2 --approve --failing 1",
                "  stagecoach bench replay --records 1000000   (a service's start-up replay; see bench replay --help)",
                "",
                "Versions are 0.<start time in seconds>.<n>: newer than an earlier bench's, older than a release",
                "1.0.0 or later (a service running one blocks them: OLDER_THAN_RUNNING). Builds of one service",
                "sent faster than the pipeline moves them supersede each other, as they would from CI; those stop.",
                "With --failing N, the last build of each of the first N services is 0.<time>.<n>-bad-in-<first>",
                "(<first>: the first environment), a version the demo workloads answer 503 for: its smoke tests",
                "fail there and it is rolled back. It is sent once the build of its service before it passed its",
                "smoke tests there, so that there is a verified release to go back to.",
                "Exit status 0 when every build got to the gate (with --approve, through the gated environment) and",
                "every failing one was rolled back, 1 when any did not.",
                ExitCodes.SECTION})
final class BenchCommand implements Callable<Integer> {

    static final String HOME = "bench";
    static final String PREFIX = "bench";
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    /**
     * What a failing build's version carries, followed by the first environment's name: the demo workloads answer 503
     * for a version with their bad marker in it ({@code -bad} by default, {@code -bad-in-<first>} where
     * {@code stagecoach demo} runs them), so its smoke tests fail there.
     */
    static final String BAD_MARKER = "-bad-in-";

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--start", description = "start a pipeline of its own (in <home>/bench, vhosts bench-*) and "
            + "stop it at the end")
    boolean start;

    @Option(names = "--services", paramLabel = "N",
            description = "promoted services to build (default: every one the environments file or the running "
                    + "pipeline has)")
    Integer services;

    @Option(names = "--builds", paramLabel = "N", defaultValue = "1",
            description = "builds per service (default ${DEFAULT-VALUE})")
    int builds;

    @Option(names = "--rate", paramLabel = "BUILDS/S|max", defaultValue = "2",
            description = "builds published per second, or max: as fast as confirms come (default ${DEFAULT-VALUE})")
    String rate;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
            description = "how long to wait for the builds, from the first publish (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the figures to FILE as JSON")
    Path json;

    @Option(names = "--approve", negatable = false,
            description = "approve every build at the manual gate as the chat bot would (an approver who is not the "
                    + "author) and follow it through the gated environment")
    boolean approve;

    @Option(names = "--failing", paramLabel = "N", defaultValue = "0",
            description = "make the last build of N services fail its smoke tests in the first environment, to "
                    + "measure the rollback (needs --builds 2 or more; default ${DEFAULT-VALUE})")
    int failing;

    @Option(names = "--raw-messages", paramLabel = "N", defaultValue = "2000",
            description = "messages of the broker-alone measurement, 0 to skip it (default ${DEFAULT-VALUE})")
    int rawMessages;

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "4m",
            description = "with --start: how long to wait for every service to be ready (default ${DEFAULT-VALUE})")
    Duration readyTimeout;

    @Option(names = "--no-build", negatable = false, description = "with --start: never build; use the jar as it is")
    boolean noBuild;

    @Mixin
    LocalOptions local;

    @Mixin
    BenchBrokerOptions brokerOptions;

    @Mixin
    EnvironmentOptions environmentOptions;

    private PrintWriter out;
    private StepClock clock;
    /** The vhost prefix of the pipeline measured, or null. */
    private String prefix;

    @Override
    public Integer call() throws Exception {
        CliContext context = root.context;
        out = context.out();
        clock = new StepClock(out);
        double perSecond = rate(rate);
        CliException.requireAtLeast("--builds", builds, 1);
        CliException.requireAtLeast("--failing", failing, 0);
        if (services != null) {
            CliException.requireAtLeast("--services", services, 1);
            failingAmong(services);
        }
        if (failing > 0 && builds < 2) {
            throw CliException.usage("--failing needs --builds 2 or more: a failing build is rolled back to the "
                    + "build of its service before it, which must have been verified");
        }
        CliException.requireAtLeast("--raw-messages", rawMessages, 0);
        if (!start && (noBuild || !readyTimeout.equals(Duration.ofMinutes(4)))) {
            throw CliException.usage("--no-build and --ready-timeout only apply with --start");
        }
        if (start) {
            // the bench's own users have the local-only passwords on purpose: not a warning per user
            System.setProperty("org.slf4j.simpleLogger.log.io.stagecoach.platform.credentials.Credentials", "error");
        }
        Broker broker = brokerOptions.broker(context);
        ManagementClient client = brokerOptions.client(context);
        List<Process> processes = Collections.synchronizedList(new ArrayList<>());
        PipelineProcess pipeline;
        Environments environments;
        List<String> promoted;
        JsonNode description;
        Thread stopper = null;
        if (start) {
            pipeline = new PipelineProcess(local.home(context, HOME));
            UpCommand.refuseWhenRunning(pipeline, "A bench pipeline");
            EnvironmentOptions own = ownEnvironments(context, pipeline.home());
            environments = own.environments(context);
            prefix = own.vhostPrefix(context);
            promoted = environments.services();
            clock.step("Provisioning " + String.join(", ", environments.all().stream().map(Environment::vhost).toList())
                    + " for " + count(promoted.size(), "service") + " (reset from any earlier bench)");
            try {
                DemoCommand.resetVhosts(client, environments, out);
            } catch (BrokerUnreachableException e) {
                throw CliException.broker(e.getMessage(), e);
            }
            resetGitOps(pipeline);
            ProvisioningReport report = ProvisionCommand.provision(context, client, environments, false,
                ProvisionCommand.passwords(context, environments, null, null, true));
            if (!report.isClean()) {
                throw CliException.pipeline(report.describe());
            }
            clock.step("Starting the pipeline");
            PipelineProcess stopping = pipeline;
            stopper = new Thread(() -> List.copyOf(processes).forEach(stopping::stop), "stagecoach-bench-stop");
            Runtime.getRuntime().addShutdownHook(stopper);
            description = PipelineStart.run(context, pipeline, noBuild, jar -> new PipelineProcess.Launch(jar, broker,
                            own.file(context), own.vhostPrefix(context), List.of(), 0, Map.of(), Map.of(),
                            Duration.ofSeconds(30)), environments.all().stream().map(Environment::name).toList(),
                    readyTimeout, processes).description();
        } else {
            pipeline = new PipelineProcess(local.home(context, null));
            description = pipeline.running().flatMap(PipelineProcess.Running::description).orElseThrow(() ->
                    CliException.usage("No pipeline runs in " + pipeline.home() + ": start one with `stagecoach up`"
                            + " (or --home DIR where it runs), or let bench start its own with --start"));
            if (environmentOptions.vhostPrefix(root.context) == null && !description.path("vhostPrefix").isNull()
                    && !description.path("vhostPrefix").asString("").isEmpty()) {
                environmentOptions.vhostPrefix = description.path("vhostPrefix").asString();
            }
            environments = environmentOptions.environments(context);
            prefix = environmentOptions.vhostPrefix(context);
            List<String> running = description.path("environments").valueStream()
                    .map(e -> e.path("name").asString()).toList();
            if (!running.equals(environments.all().stream().map(Environment::name).toList())) {
                throw CliException.usage("The pipeline in " + pipeline.home() + " runs " + String.join(", ", running)
                        + ", but the way goes through " + EnvironmentOptions.names(environments)
                        + ": start it with every environment (`stagecoach up`)");
            }
            promoted = description.path("workloads").valueStream()
                    .filter(w -> w.path("environment").asString().equals(environments.first().name()))
                    .map(w -> w.path("service").asString()).distinct().toList();
            if (services != null && services > promoted.size()) {
                throw CliException.usage("--services " + services + ": the pipeline in " + pipeline.home()
                        + " promotes " + promoted.size() + " (" + String.join(", ", promoted) + "); start one with more"
                        + " using --start --services " + services);
            }
            if (services != null) {
                promoted = promoted.subList(0, services);
            }
        }
        failingAmong(promoted.size());
        try {
            return bench(context, broker, client, environments, promoted, description, perSecond);
        } finally {
            if (!processes.isEmpty()) {
                out.println("Stopping the pipeline the bench started (pid " + processes.get(0).pid() + ")...");
                out.flush();
                List.copyOf(processes).forEach(pipeline::stop);
            }
            if (stopper != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopper);
                } catch (IllegalStateException e) {
                    // already shutting down: the hook is running
                }
            }
        }
    }

    /** A usage error when --failing asks for more failing builds than there are services: one fails per service. */
    private void failingAmong(int services) {
        if (failing > services) {
            throw CliException.usage("--failing " + failing + ": only the last build of a service fails, and there are "
                    + count(services, "service") + "; use --services " + failing + " or more");
        }
    }

    /**
     * The GitOps repository, its clones and the services' ledger snapshots go with the vhosts: every run pushes a
     * commit per build and environment, so runs would not start from the same repository, and a snapshot of a
     * stream that was deleted with its vhost is only refused at the next start (a warning per service).
     */
    private void resetGitOps(PipelineProcess pipeline) {
        for (Path part : List.of(pipeline.gitopsRepository(), pipeline.home().resolve("clones"),
                pipeline.home().resolve("ledger"))) {
            try {
                PipelineProcess.deleteTree(part);
            } catch (IOException e) {
                throw CliException.pipeline("Cannot remove the earlier bench's " + part + ": " + e.getMessage());
            }
        }
    }

    private int bench(CliContext context, Broker broker, ManagementClient client, Environments environments,
                      List<String> promoted, JsonNode description, double perSecond) throws Exception {
        BenchPath path = BenchPath.of(environments);
        String last = environments.all().get(environments.all().size() - 1).name();
        Environment gated = environments.all().stream().filter(Environment::isManual).findFirst().orElse(null);
        String approver = approve ? approver(environments, gated) : null;
        long versionBase = Instant.now().getEpochSecond();
        // round robin over the services, so builds of one service are as far apart as the rate allows; the last
        // build of the first --failing services fails its smoke tests, after the one before it
        List<BuildJourney> journeys = new ArrayList<>();
        Map<BuildJourney, BuildJourney> failingAfter = new HashMap<>();
        for (int n = 1; n <= builds; n++) {
            for (int s = 0; s < promoted.size(); s++) {
                String service = promoted.get(s);
                boolean fails = n == builds && s < failing;
                String version = "0." + versionBase + "." + n + (fails ? BAD_MARKER + environments.first().name() : "");
                BuildJourney journey = new BuildJourney(DemoCommand.release(service, DemoCommand.IMAGES + service,
                        version), path, last, approve && !fails);
                if (fails) {
                    failingAfter.put(journey, journeys.get(journeys.size() - promoted.size()));
                }
                journeys.add(journey);
            }
        }
        Map<String, BuildJourney> byRun = new LinkedHashMap<>();
        journeys.forEach(j -> byRun.put(j.runId(), j));
        Set<String> vhosts = new HashSet<>(environments.all().stream().map(Environment::vhost).toList());

        clock.step("Sending " + count(journeys.size(), "build") + " (" + count(promoted.size(), "service") + " x "
                + builds + ") at "
                + (perSecond == 0 ? "the highest rate confirms allow" : rate + " builds/s") + " to " + path.end()
                + (approve ? ", approving there as " + approver + " and following them through " + gated.name() : "")
                + (failing > 0 ? ", " + failing + " of them failing in " + environments.first().name() : "")
                + ", for up to " + EventLines.age(timeout));
        Environment first = environments.first();
        EventSender sender = new EventSender(broker);
        EventCodec codec = new EventCodec();
        Provenance provenance = Provenance.of(environments);
        AtomicInteger published = new AtomicInteger();
        AtomicReference<RuntimeException> publishFailure = new AtomicReference<>();
        int arrived;
        int stopped;
        double seconds;
        long opened;
        int pipelineOpened;
        Instant firstPublish;
        try (AuditStreams streams = new AuditStreams(broker);
             Connection ci = broker.connect(first, Principal.CI);
             Connection chatops = approve ? broker.connect(gated, Principal.CHATOPS) : null) {
            for (Environment environment : environments.all()) {
                streams.subscribe(environment, StreamOffset.next());
            }
            long connectionsBefore = connectionsCreated(client);
            firstPublish = Instant.now();
            Instant since = firstPublish;
            long deadline = System.nanoTime() + timeout.toNanos();
            Thread publisher = new Thread(() -> publish(sender, ci, first, broker.userFor(first, Principal.CI),
                    journeys, failingAfter, deadline, perSecond, published, publishFailure),
                    "stagecoach-bench-publish");
            publisher.setDaemon(true);
            publisher.start();
            Set<String> approved = new HashSet<>();
            long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
            while (published.get() < journeys.size() || !journeys.stream().allMatch(BuildJourney::settled)) {
                if (publishFailure.get() != null) {
                    throw publishFailure.get();
                }
                if (System.nanoTime() > deadline) {
                    break;
                }
                AuditStreams.Item item = streams.poll(Duration.ofMillis(200));
                if (item != null) {
                    CloudEvent<?> event = take(item, codec, provenance, byRun);
                    if (approve && event != null && event.data() instanceof ApprovalRequested request
                            && item.environment().name().equals(gated.name()) && approved.add(request.requestId())) {
                        approve(sender, chatops, gated, broker.userFor(gated, Principal.CHATOPS), event, approver);
                    }
                } else if (streams.anyClosed()) {
                    throw CliException.broker("RabbitMQ closed an audit stream subscription", null);
                }
                if (System.nanoTime() >= nextProgress) {
                    progress(journeys, published.get());
                    nextProgress += PROGRESS_EVERY.toNanos();
                }
            }
            publisher.interrupt();
            // what arrived while the last build settled
            for (AuditStreams.Item item; (item = streams.poll(Duration.ofMillis(300))) != null; ) {
                take(item, codec, provenance, byRun);
            }
            progress(journeys, published.get());
            opened = connectionsCreated(client) < 0 || connectionsBefore < 0 ? -1
                    : connectionsCreated(client) - connectionsBefore;
            pipelineOpened = openedSince(client, vhosts, since);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.pipeline("Interrupted");
        }

        arrived = (int) journeys.stream().filter(BuildJourney::arrived).count();
        stopped = (int) journeys.stream().filter(j -> !j.arrived() && j.settled()).count();
        int timedOut = journeys.size() - arrived - stopped;
        BenchPath.Step rolledBack = new BenchPath.Step(EventType.ROLLBACK_COMPLETED, first.name());
        boolean allWent = true;
        for (BuildJourney journey : journeys) {
            String where = journey.stage() == RunProgress.Stage.NOT_SEEN ? journey.release().service() + " "
                    + journey.release().version() + ": nothing of its run seen" : journey.description();
            if (failingAfter.containsKey(journey)) {
                // meant to fail: it is done when rolled back
                allWent &= journey.at(rolledBack).isPresent();
                out.println("  failing:   " + where);
            } else if (!journey.arrived()) {
                allWent = false;
                out.println((journey.settled() ? "  stopped:   " : "  timed out: ") + where);
            } else if (approve && journey.stage() != RunProgress.Stage.DONE) {
                allWent = false;
                out.println((journey.settled() ? "  stopped behind the gate:   " : "  timed out behind the gate: ")
                        + where);
            }
        }
        Instant lastArrival = journeys.stream().map(j -> j.at(path.last())).flatMap(Optional::stream)
                .max(Instant::compareTo).orElse(firstPublish);
        Instant firstBuild = journeys.stream().map(j -> j.at(path.steps().get(0))).flatMap(Optional::stream)
                .min(Instant::compareTo).orElse(firstPublish);
        seconds = Duration.between(firstBuild, lastArrival).toMillis() / 1000.0;
        Instant lastSettled = journeys.stream().map(BuildJourney::settledAt).flatMap(Optional::stream)
                .max(Instant::compareTo).orElse(firstPublish);
        double settledSeconds = Duration.between(firstBuild, lastSettled).toMillis() / 1000.0;

        Map<String, LatencySummary> hops = new LinkedHashMap<>();
        List<Double> any = new ArrayList<>();
        for (BenchPath.Hop hop : path.hops()) {
            List<Double> samples = journeys.stream().map(j -> j.took(hop)).flatMap(Optional::stream)
                    .map(d -> (double) d.toMillis()).toList();
            any.addAll(samples);
            hops.put(hop.label(), LatencySummary.of(samples));
        }
        LatencySummary whole = LatencySummary.of(journeys.stream().map(BuildJourney::whole).flatMap(Optional::stream)
                .map(d -> (double) d.toMillis()).toList());

        RawBrokerLatency.Result raw = null;
        if (rawMessages > 0) {
            clock.step("Measuring the broker alone: " + rawMessages + " messages through a throw-away quorum queue");
            raw = raw(context, broker, client, environments);
        }
        BenchReport report = new BenchReport(String.format(Locale.ROOT,
                "%s: %s x %s at %s, %s to %s", EnvironmentOptions.names(environments),
                count(promoted.size(), "service"), count(builds, "build"),
                perSecond == 0 ? "max rate" : rate + " builds/s", first.name(), path.end()),
                journeys.size(), arrived, stopped, timedOut, hops, whole, LatencySummary.of(any),
                seconds > 0 ? arrived / seconds : 0, seconds,
                settledSeconds > 0 ? (arrived + stopped) / settledSeconds : 0, settledSeconds,
                opened, pipelineOpened, figures(description), raw,
                BenchLimits.of(environments, journeys, approve, failingAfter.size(), approver));
        report.print(out);
        if (json != null) {
            Path file = context.resolve(json);
            Files.writeString(file, JsonMapper.builder().build().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(report.json()) + System.lineSeparator());
            out.println("Figures written to " + file);
        }
        return allWent ? ExitCodes.OK : ExitCodes.PIPELINE;
    }

    /**
     * Publishes every build in order, {@code perSecond} a second (0: each as soon as the last was confirmed); a
     * failing build not before the build it follows was verified in the first environment (or went as far as it
     * will), so that there is a release to roll back to, nor after {@code deadline}.
     */
    private static void publish(EventSender sender, Connection connection, Environment first, String user,
                                List<BuildJourney> journeys, Map<BuildJourney, BuildJourney> failingAfter,
                                long deadline, double perSecond, AtomicInteger published,
                                AtomicReference<RuntimeException> failure) {
        long begin = System.nanoTime();
        try {
            for (int i = 0; i < journeys.size(); i++) {
                if (perSecond > 0) {
                    long due = begin + (long) (i * 1e9 / perSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                BuildJourney before = failingAfter.get(journeys.get(i));
                if (before != null && !before.awaitVerifiedInFirst(Duration.ofNanos(deadline - System.nanoTime()))) {
                    return;
                }
                Release release = journeys.get(i).release();
                CloudEvent<BuildCompleted> event = CloudEvent.of(new BuildCompleted(release, null),
                        BuildCommand.SOURCE, first.name(), journeys.get(i).runId(), null,
                        EventIds.derive("build.completed", release.service(), release.version(), release.digest()));
                sender.publish(connection, first, user, event, sender.encode(event, Map.of()));
                published.incrementAndGet();
            }
        } catch (InterruptedException e) {
            // the bench ended (its timeout) before every build was sent
        } catch (RuntimeException e) {
            failure.set(e);
        }
    }

    /** Gives a record to its build's journey; returns its event when it counted, else null. */
    private static CloudEvent<?> take(AuditStreams.Item item, EventCodec codec, Provenance provenance,
                                      Map<String, BuildJourney> byRun) {
        CloudEvent<?> event;
        try {
            event = codec.decode(item.message().body());
        } catch (InvalidEventException e) {
            return null;
        }
        BuildJourney journey = byRun.get(event.correlationid());
        // only records that count: a publisher may not speak for another service
        if (journey != null && provenance.judge(item.environment().name(), event.eventType(), event.environment(),
                item.message().routingKey(), item.message().userId()).isEmpty()) {
            journey.apply(event);
            return event;
        }
        return null;
    }

    /**
     * Publishes {@code approval.decided} (APPROVE) for the request {@code requested} carries, as the chat bot does
     * ({@code stagecoach approve}): the gated environment's chatops user, the request's run and event as correlation
     * and causation.
     */
    private static void approve(EventSender sender, Connection chatops, Environment gated, String user,
                                CloudEvent<?> requested, String approver) {
        ApprovalRequested request = (ApprovalRequested) requested.data();
        Release release = request.release();
        ApprovalDecided data = new ApprovalDecided(request.requestId(), release.service(), release.version(),
                release.digest(), gated.name(), ApprovalDecided.Decision.APPROVE, approver, null, false);
        CloudEvent<ApprovalDecided> event = CloudEvent.of(data, BuildCommand.SOURCE, gated.name(),
                requested.correlationid(), requested.id(), EventIds.derive("approval.decided", request.requestId(),
                        approver, ApprovalDecided.Decision.APPROVE.name(), "normal"));
        sender.publish(chatops, gated, user, event, sender.encode(event, Map.of()));
    }

    /** Who the bench approves as: the gated environment's first approver who did not author the builds. */
    static String approver(Environments environments, Environment gated) {
        if (gated == null) {
            throw CliException.usage("--approve: " + environments.source() + " has no manual gate to approve at");
        }
        return environments.approvingPeople(gated.name()).stream()
                .filter(p -> !p.equalsIgnoreCase(DemoCommand.AUTHOR)).findFirst()
                .orElseThrow(() -> CliException.usage("--approve: nobody but the builds' author ("
                        + DemoCommand.AUTHOR + ") may approve into " + gated.name() + " in " + environments.source()));
    }

    private void progress(List<BuildJourney> journeys, int published) {
        long arrived = journeys.stream().filter(BuildJourney::arrived).count();
        long stopped = journeys.stream().filter(j -> !j.arrived() && j.settled()).count();
        out.println(String.format(Locale.ROOT, "[%s] published %d/%d, at the gate %d, stopped %d, on the way %d",
                clock.elapsed(), published, journeys.size(), arrived, stopped, published - arrived - stopped));
        out.flush();
    }

    /** {@code connection_created} of the node's churn statistics: every connection it accepted since it started. */
    private static long connectionsCreated(ManagementClient client) {
        try {
            return client.get("/api/overview").map(o -> o.path("churn_rates").path("connection_created").asLong(-1))
                    .orElse(-1L);
        } catch (BrokerUnreachableException | ManagementApiException e) {
            return -1;
        }
    }

    /** Connections in these vhosts opened after {@code since} and open now. */
    private static int openedSince(ManagementClient client, Set<String> vhosts, Instant since) {
        try {
            return (int) client.list("/api/connections?columns=vhost,connected_at").stream()
                    .filter(c -> vhosts.contains(c.path("vhost").asString()))
                    .filter(c -> c.path("connected_at").asLong() >= since.toEpochMilli()).count();
        } catch (BrokerUnreachableException | ManagementApiException e) {
            return -1;
        }
    }

    private RawBrokerLatency.Result raw(CliContext context, Broker broker, ManagementClient client,
                                        Environments environments) {
        String vhost = (prefix != null ? prefix : "stagecoach") + "-bench-raw";
        // RawBrokerLatency sets the vhost once it created it
        ConnectionFactory factory = brokerOptions.asAdministrator(context, broker, "/");
        try {
            return new RawBrokerLatency(client, factory, vhost).measure(Math.min(200, rawMessages), rawMessages);
        } catch (IOException | TimeoutException | ManagementApiException | BrokerUnreachableException e) {
            throw CliException.broker("Measuring the broker alone in vhost " + vhost + " as "
                    + brokerOptions.administrator(context) + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.pipeline("Interrupted");
        }
    }

    /** The pipeline process's memory from /proc, where there is one, and its start time from pipeline.json. */
    static BenchReport.PipelineFigures figures(JsonNode description) {
        long pid = description.path("pid").asLong(-1);
        Path status = Path.of("/proc", String.valueOf(pid), "status");
        if (pid < 0 || !Files.isReadable(status)) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(status);
            return new BenchReport.PipelineFigures(pid, kilobytes(lines, "VmRSS:"), kilobytes(lines, "VmHWM:"),
                    description.path("startupMillis").asLong(-1));
        } catch (IOException e) {
            return null;
        }
    }

    private static long kilobytes(List<String> status, String field) {
        return status.stream().filter(l -> l.startsWith(field)).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(-1L);
    }

    /** Builds per second, or 0 for {@code max}. */
    static double rate(String value) {
        if (value.trim().equalsIgnoreCase("max")) {
            return 0;
        }
        try {
            double rate = Double.parseDouble(value.trim());
            if (rate > 0 && Double.isFinite(rate)) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw CliException.usage("--rate '" + value + "' is neither a number of builds per second above 0 (e.g. 4 "
                + "or 0.5) nor max");
    }

    /**
     * The environments of the bench's own pipeline: the chosen file with its services replaced by {@code --services}
     * of them (its own first, then service-2, service-3, ...), written into the bench's home, in vhosts
     * {@code bench-*} unless another prefix was given.
     */
    private EnvironmentOptions ownEnvironments(CliContext context, Path home) throws IOException {
        Path source = environmentOptions.file(context);
        if (source == null) {
            source = LocalOptions.repository(context).resolve(EnvironmentOptions.CONVENTIONAL_FILE);
        }
        List<String> named = environmentOptions.environments(context).services();
        int count = services == null ? named.size() : services;
        LinkedHashSet<String> chosen = new LinkedHashSet<>(named.subList(0, Math.min(count, named.size())));
        for (int i = 2; chosen.size() < count; i++) {
            chosen.add("service-" + i);
        }
        String text = withServices(Files.readString(source), List.copyOf(chosen));
        Files.createDirectories(home);
        Path file = home.resolve("environments.yaml");
        Files.writeString(file, text);
        EnvironmentOptions own = new EnvironmentOptions();
        own.file = file;
        String given = environmentOptions.vhostPrefix(context);
        own.vhostPrefix = given != null ? given : PREFIX;
        return own;
    }

    private static final Pattern SERVICES = Pattern.compile("(?m)^services:[ \\t]*\\n(?:[ \\t]+-[^\\n]*\\n)+");

    /** An environments file's text with its {@code services:} list replaced. */
    static String withServices(String environmentsFile, List<String> services) {
        Matcher matcher = SERVICES.matcher(environmentsFile);
        if (!matcher.find()) {
            throw CliException.usage("The environments file has no `services:` list of its own to replace");
        }
        StringBuilder list = new StringBuilder("services:\n");
        services.forEach(s -> list.append("  - ").append(s).append('\n'));
        return environmentsFile.substring(0, matcher.start()) + list + environmentsFile.substring(matcher.end());
    }

    /** {@code 1 build}, {@code 2 builds}. */
    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
