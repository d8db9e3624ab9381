package io.stagecoach.local;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.rabbitmq.client.AuthenticationFailureException;
import io.stagecoach.demoworkload.DemoWorkload;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The whole pipeline in one JVM: every service of every environment as a Spring application context of its own
 * (its own environment, broker user and vhost, web server and GitOps clone, exactly as a separate process would
 * have), and a demo workload per service and environment that "runs" what the environment's overlay declares.
 * For a laptop, the demo and end-to-end tests; production runs each service as processes of its own, two replicas
 * per environment ({@link LocalPipelineSettings#replicas} tries that here).
 *
 * <p>The broker must be provisioned for the environments first ({@code stagecoach provision}).
 */
public final class LocalPipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalPipeline.class);

    private final LocalPipelineSettings settings;
    private final Environments environments;
    private final List<Running> services;
    private final List<Planned> plan;
    private final List<StartedWorkload> workloads;
    private final Map<String, Duration> environmentStartups;
    private final Duration startup;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread shutdownHook;

    /**
     * A service context that started: where, which, on what port (-1 without a web server), how fast, and which
     * instance of the service it is (1 to {@link LocalPipelineSettings#replicas}).
     */
    public record Service(String environment, String service, int port, Duration startup, int replica) {
    }

    /** A demo workload: the stand-in for {@code service} in {@code environment}, answering on {@code url}. */
    public record Workload(String environment, String service, int port, String url) {
    }

    private record StartedWorkload(Workload workload, DemoWorkload server) {
    }

    /** One instance of a service to start; {@code replicas} of them per plan entry. */
    private record Planned(ServicePlan.Entry entry, int port, int replica, int replicas) {

        String name() {
            return replicas == 1 ? entry.name() : entry.name() + " #" + replica;
        }
    }

    private record Running(Service service, ConfigurableApplicationContext context, int order) {
    }

    private LocalPipeline(LocalPipelineSettings settings, Environments environments, List<Running> services,
                          List<Planned> plan, List<StartedWorkload> workloads,
                          Map<String, Duration> environmentStartups, Duration startup) {
        this.settings = settings;
        this.environments = environments;
        this.services = services;
        this.plan = plan;
        this.workloads = workloads;
        this.environmentStartups = environmentStartups;
        this.startup = startup;
        this.shutdownHook = new Thread(this::close, "stagecoach-local-pipeline-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Seeds the GitOps repository when needed, starts the demo workloads, then every service context,
     * {@code parallelism} at a time: they share the loaded classes, and much of a start is waiting for the broker
     * (the audit stream replay), so even two cores gain from starting several at once. Each started context is
     * reported to {@code progress} with the time it took, and so is each environment once all its services are
     * ready ({@code dev  ready in 6.1s  4 services, 1 workload}).
     *
     * @throws LocalPipelineException naming the service that did not start; everything started is stopped again
     */
    public static LocalPipeline start(LocalPipelineSettings settings, Consumer<String> progress) {
        long begin = System.nanoTime();
        LocalLogging.initialize(settings.logFile());
        Environments environments = environments(settings);
        Path workdir = settings.workdir().toAbsolutePath().normalize();
        List<StartedWorkload> workloads = new ArrayList<>();
        List<Running> running = Collections.synchronizedList(new ArrayList<>());
        Map<String, Duration> environmentStartups = new ConcurrentHashMap<>();
        List<Planned> planned = new ArrayList<>();
        try {
            ServicePlan plan = plan(environments, settings);
            List<Integer> ports = ports(settings, plan.workloads().size()
                    + plan.services().size() * settings.replicas());
            long workloadsStart = System.nanoTime();
            seedAndStartWorkloads(plan, ports, settings, environments, workdir, workloads, progress);
            List<Workload> endpoints = workloads.stream().map(StartedWorkload::workload).toList();
            progress.accept(String.format(Locale.ROOT, "%-24s %d started in %s (%s)", "demo workloads",
                    workloads.size(), seconds(since(workloadsStart)), String.join(", ", endpoints.stream()
                            .map(w -> w.environment() + " :" + w.port()).toList())));

            for (ServicePlan.Entry entry : plan.services()) {
                for (int replica = 1; replica <= settings.replicas(); replica++) {
                    planned.add(new Planned(entry, settings.webServers()
                            ? ports.get(workloads.size() + planned.size()) : -1, replica, settings.replicas()));
                }
            }
            startAll(planned, settings, environments, workdir, endpoints, running, environmentProgress(plan,
                    settings.replicas(), begin, environmentStartups, progress));
        } catch (RuntimeException | IOException e) {
            stop(running, workloads);
            throw e instanceof LocalPipelineException failure ? failure
                    : new LocalPipelineException("the local pipeline did not start: " + e.getMessage(), e);
        }
        Duration startup = since(begin);
        List<Running> ordered = new ArrayList<>(running);
        progress.accept(String.format(Locale.ROOT, "%-24s %d services and %d workloads in %s", "ready",
                ordered.size(), workloads.size(), seconds(startup)));
        return new LocalPipeline(settings, environments, Collections.synchronizedList(ordered), List.copyOf(planned),
                List.copyOf(workloads), Map.copyOf(environmentStartups), startup);
    }

    /**
     * Seeds the GitOps repository and starts the demo workloads, side by side and {@code parallelism} at a time: with
     * fifty promoted services there are 150 workloads, each reading its command line before it listens, and they
     * need the repository only when asked for a version. Every workload that started is in {@code started}, in plan
     * order, also when another one or the seed failed, so the caller stops them.
     */
    private static void seedAndStartWorkloads(ServicePlan plan, List<Integer> ports, LocalPipelineSettings settings,
                                              Environments environments, Path workdir, List<StartedWorkload> started,
                                              Consumer<String> progress) throws IOException {
        ExecutorService executor = Executors.newFixedThreadPool(settings.parallelism(), daemon("stagecoach-workload"));
        try {
            Future<String> seed = executor.submit(() -> {
                long begin = System.nanoTime();
                boolean created = GitOpsRepository.prepare(workdir, environments, settings::image);
                return String.format(Locale.ROOT, "%-24s %s in %s", "gitops",
                        (created ? "created " : "opened ") + GitOpsRepository.bare(workdir), seconds(since(begin)));
            });
            List<Future<StartedWorkload>> starts = new ArrayList<>();
            for (ServicePlan.Workload workload : plan.workloads()) {
                int port = ports.get(starts.size());
                starts.add(executor.submit(() -> startWorkload(settings, workdir, workload, port)));
            }
            Throwable failure = null;
            for (Future<StartedWorkload> start : starts) {
                try {
                    started.add(start.get());
                } catch (ExecutionException e) {
                    failure = failure != null ? failure : e.getCause();
                }
            }
            try {
                progress.accept(seed.get());
            } catch (ExecutionException e) {
                failure = failure != null ? failure : e.getCause();
            }
            if (failure instanceof IOException io) {
                throw io;
            }
            if (failure != null) {
                throw new LocalPipelineException("the demo workloads did not start: " + failure.getMessage(), failure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPipelineException("interrupted while starting the demo workloads", e);
        } finally {
            executor.shutdown();
            awaitTermination(executor, Duration.ofMinutes(2));
        }
    }

    /** The services and workloads of the environments the settings name (all when they name none). */
    static ServicePlan plan(Environments environments, LocalPipelineSettings settings) {
        try {
            return ServicePlan.of(environments, settings.environmentNames());
        } catch (IllegalArgumentException e) {
            throw new LocalPipelineException(e.getMessage(), e);
        }
    }

    /**
     * One port per web server, workloads first: free ones (0, the OS picks when binding) or, from a base port,
     * numbered one after the other, so no two ever overlap however many services and environments there are.
     */
    static List<Integer> ports(LocalPipelineSettings settings, int count) {
        if (settings.basePort() == 0) {
            return Collections.nCopies(count, 0);
        }
        int last = settings.basePort() + count - 1;
        if (last > 65535) {
            throw new LocalPipelineException("ports from " + settings.basePort() + " do not fit " + count
                    + " web servers (the last would be " + last + "); choose a lower base port or free ports", null);
        }
        List<Integer> ports = new ArrayList<>();
        for (int port = settings.basePort(); port <= last; port++) {
            ports.add(port);
        }
        return ports;
    }

    /** Reports a service as ready, and its environment once the last of its services is. */
    private static Consumer<Running> environmentProgress(ServicePlan plan, int replicas, long begin,
                                                         Map<String, Duration> environmentStartups,
                                                         Consumer<String> progress) {
        Map<String, AtomicInteger> waiting = new ConcurrentHashMap<>();
        plan.services().forEach(e -> waiting.computeIfAbsent(e.environment().name(), n -> new AtomicInteger())
                .addAndGet(replicas));
        return started -> {
            Service service = started.service();
            progress.accept(String.format(Locale.ROOT, "%-24s ready in %s%s", service.environment() + " "
                    + service.service() + (replicas == 1 ? "" : " #" + service.replica()), seconds(service.startup()), service.port() > 0
                    ? "  http://127.0.0.1:" + service.port() : ""));
            if (waiting.get(service.environment()).decrementAndGet() == 0) {
                Duration took = since(begin);
                environmentStartups.put(service.environment(), took);
                long services = plan.services().stream()
                        .filter(e -> e.environment().name().equals(service.environment())).count();
                long workloads = plan.workloads().stream()
                        .filter(w -> w.environment().name().equals(service.environment())).count();
                progress.accept(String.format(Locale.ROOT, "%-24s ready in %s  %d services, %d workload%s",
                        service.environment(), seconds(took), services, workloads, workloads == 1 ? "" : "s"));
            }
        };
    }

    private static Environments environments(LocalPipelineSettings settings) {
        Environments environments = settings.environmentsFile() != null
                ? Environments.load(settings.environmentsFile())
                : Environments.loadDefault();
        return settings.vhostPrefix() != null ? environments.withVhostPrefix(settings.vhostPrefix()) : environments;
    }

    private static void startAll(List<Planned> plan, LocalPipelineSettings settings, Environments environments,
                                 Path workdir, List<Workload> workloads, List<Running> running,
                                 Consumer<Running> ready) {
        ExecutorService executor = Executors.newFixedThreadPool(settings.parallelism(), daemon("stagecoach-start"));
        try {
            List<Future<Running>> starts = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                int order = i;
                starts.add(executor.submit(() -> {
                    Running started = startService(plan, order, settings, environments, workdir, workloads);
                    running.add(started);
                    ready.accept(started);
                    return started;
                }));
            }
            LocalPipelineException failure = null;
            for (Future<Running> start : starts) {
                try {
                    start.get();
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof LocalPipelineException f ? f
                                : new LocalPipelineException(e.getCause().getMessage(), e.getCause());
                        // those not started yet would start only to be stopped again
                        starts.forEach(s -> s.cancel(false));
                    }
                } catch (CancellationException e) {
                    // cancelled after an earlier failure
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LocalPipelineException("interrupted while starting the pipeline", e);
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            // a start under way finishes and is in the list, so a failure stops it with the others
            executor.shutdown();
            awaitTermination(executor, Duration.ofMinutes(2));
        }
        running.sort(Comparator.comparingInt(Running::order));
    }

    private static Running startService(List<Planned> plan, int order, LocalPipelineSettings settings,
                                        Environments environments, Path workdir, List<Workload> workloads) {
        long begin = System.nanoTime();
        Planned planned = plan.get(order);
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("stagecoach-local " + planned.name(),
                properties(planned, settings, environments, workdir, workloads)));
        ConfigurableApplicationContext context;
        try {
            SpringApplicationBuilder builder = new SpringApplicationBuilder(planned.entry().application());
            // logging is the JVM's (LocalLogging): a context that initialised or cleaned it up on its own would reset
            // it while the other contexts start and log
            builder.application().setListeners(builder.application().getListeners().stream()
                    .filter(listener -> !(listener instanceof LoggingApplicationListener)).toList());
            context = builder
                    .environment(environment)
                    // the service's own application.yaml, below everything else: see ServiceDefaults
                    .properties(ServiceDefaults.of(planned.entry().application()))
                    .web(planned.port() >= 0 ? WebApplicationType.SERVLET : WebApplicationType.NONE)
                    .bannerMode(Banner.Mode.OFF)
                    .logStartupInfo(false)
                    .registerShutdownHook(false)
                    .run();
        } catch (RuntimeException e) {
            throw new LocalPipelineException(planned.name() + " did not start: " + explain(e, settings), e);
        }
        int port = planned.port() >= 0
                ? context.getEnvironment().getProperty("local.server.port", Integer.class, -1) : -1;
        Service service = new Service(planned.entry().environment().name(), planned.entry().service().id(), port,
                since(begin), planned.replica());
        return new Running(service, context, order);
    }

    /**
     * What makes a context the service of one environment (the plan's settings, the same compose.yaml gives each
     * container) and what running beside the others in one JVM needs; the highest-ranking properties of the context.
     */
    private static Map<String, Object> properties(Planned planned, LocalPipelineSettings settings,
                                                  Environments environments, Path workdir, List<Workload> workloads) {
        String env = planned.entry().environment().name();
        String service = planned.entry().service().id();
        Map<String, Object> properties = new LinkedHashMap<>(ServicePlan.settings(planned.entry(), environments,
                site(settings, workdir, workloads), Math.max(planned.port(), 0)));
        if (planned.replicas() > 1) {
            // which instance it is, in its connection names; a second one's own GitOps clone and ledger snapshot
            properties.put("stagecoach.instance", planned.name().replace(' ', '-').replace("#", ""));
            if (planned.replica() > 1) {
                properties.computeIfPresent("stagecoach.target.gitops.repository", (k, v) -> v + "-" + planned.replica());
                properties.computeIfPresent("stagecoach.ledger.snapshot-file", (k, v) -> v + "-" + planned.replica());
            }
        }
        // overrides a person may drop in: for every service, or for one
        properties.put("spring.config.location", "optional:file:" + workdir.resolve("config") + "/,optional:file:"
                + workdir.resolve("config").resolve(env + "-" + service) + "/");
        properties.put("spring.main.register-shutdown-hook", false);
        properties.put("logging.register-shutdown-hook", false);
        properties.put("logging.include-application-name", false);
        // each context keeps its meters to itself: the global registry would mix the environments
        properties.put("management.metrics.use-global-registry", false);
        if (planned.port() >= 0) {
            properties.put("server.tomcat.threads.min-spare", 1);
            properties.put("server.tomcat.threads.max", 20);
        } else {
            properties.remove("server.port");
            properties.put("spring.main.web-application-type", "none");
        }
        if (!settings.amqpAddresses().isEmpty()) {
            // every node: a connection goes to the first that answers, and back to another when its node stops
            properties.put("spring.rabbitmq.addresses", String.join(",", settings.amqpAddresses()));
        }
        if (settings.amqpTls()) {
            properties.put("spring.rabbitmq.ssl.enabled", true);
        }
        if (planned.entry().service() == Principal.SMOKE_TEST) {
            String prefix = "stagecoach.smoke-test.";
            properties.put(prefix + "deadline", settings.smokeDeadline().toMillis() + "ms");
            properties.put(prefix + "initial-backoff", "250ms");
            properties.put(prefix + "max-backoff", "2s");
        }
        properties.putAll(settings.properties());
        return properties;
    }

    /** Where this JVM's services find the broker, the GitOps repository and the workloads. */
    static ServicePlan.Site site(LocalPipelineSettings settings, Path workdir, List<Workload> workloads) {
        return new ServicePlan.Site(settings.amqpHost(), settings.amqpPort(), settings.vhostPrefix(),
                settings.environmentsFile() != null ? settings.environmentsFile().toAbsolutePath().toString() : null,
                GitOpsRepository.bare(workdir).toString(),
                (env, service) -> GitOpsRepository.clone(workdir, env, service).toString(),
                (env, service) -> workloads.stream().filter(w -> w.environment().equals(env)
                                && w.service().equals(service)).map(Workload::url).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no workload for " + service + " in " + env)),
                settings::image, (env, service) -> snapshotFile(workdir, env, service).toString());
    }

    /**
     * Where a service of this pipeline keeps its ledger's snapshot: under the workdir, so a restarted pipeline reads
     * only the audit records after it rather than every stream from its first record (ADR 19).
     */
    static Path snapshotFile(Path workdir, String environment, String service) {
        return workdir.resolve("ledger").resolve(environment + "-" + service + ".snapshot").toAbsolutePath();
    }

    private static StartedWorkload startWorkload(LocalPipelineSettings settings, Path workdir,
                                                 ServicePlan.Workload workload, int port) throws IOException {
        String env = workload.environment().name();
        DemoWorkload server = DemoWorkload.start(ServicePlan.workloadArguments(workload, port,
                GitOpsRepository.bare(workdir).toString(), settings.badMarker(env)).toArray(String[]::new));
        return new StartedWorkload(new Workload(env, workload.service(), server.port(),
                "http://127.0.0.1:" + server.port() + "/health"), server);
    }

    public LocalPipelineSettings settings() {
        return settings;
    }

    /** The environments as the services see them (vhost prefix applied). */
    public Environments environments() {
        return environments;
    }

    /** The service contexts, in start-plan order. */
    public List<Service> services() {
        synchronized (services) {
            return services.stream().map(Running::service).toList();
        }
    }

    public List<Workload> workloads() {
        return workloads.stream().map(StartedWorkload::workload).toList();
    }

    /** The bare GitOps repository the services push to and the workloads read. */
    public Path gitopsRepository() {
        return GitOpsRepository.bare(settings.workdir().toAbsolutePath().normalize());
    }

    /** Per environment, from the call of {@link #start} until the last of its contexts was ready. */
    public Map<String, Duration> environmentStartups() {
        return environmentStartups;
    }

    /** From the call of {@link #start} until every context was ready. */
    public Duration startup() {
        return startup;
    }

    /** The context of {@code service} in {@code environment} (its first instance): what a test looks into. */
    ConfigurableApplicationContext context(String environment, String service) {
        return contexts(environment, service).stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + service + " in " + environment));
    }

    /** The contexts of every running instance of {@code service} in {@code environment}, by replica. */
    Map<Integer, ConfigurableApplicationContext> replicas(String environment, String service) {
        Map<Integer, ConfigurableApplicationContext> replicas = new LinkedHashMap<>();
        synchronized (services) {
            services.stream().filter(r -> r.service().environment().equals(environment)
                    && r.service().service().equals(service)).forEach(r -> replicas.put(r.service().replica(),
                    r.context()));
        }
        return replicas;
    }

    private List<ConfigurableApplicationContext> contexts(String environment, String service) {
        return List.copyOf(replicas(environment, service).values());
    }

    /**
     * Stops one instance of {@code service} in {@code environment}, as a replica that goes away: the others carry
     * on, a standby consumer of each inbox becomes the active one, and another instance takes the lead.
     */
    public void stop(String environment, String service, int replica) {
        Running running;
        synchronized (services) {
            running = services.stream().filter(r -> r.service().environment().equals(environment)
                            && r.service().service().equals(service) && r.service().replica() == replica).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no " + service + " #" + replica + " in "
                            + environment));
            services.remove(running);
        }
        running.context().close();
    }

    /**
     * Starts instance {@code replica} of {@code service} in {@code environment} again after it stopped, as a
     * supervisor restarts a process that died: with the settings, GitOps clone and ledger snapshot it had.
     *
     * @throws IllegalArgumentException when the plan has no such instance, or it is running
     * @throws LocalPipelineException when it does not start
     */
    public Service restart(String environment, String service, int replica) {
        int order = -1;
        for (int i = 0; i < plan.size(); i++) {
            Planned planned = plan.get(i);
            if (planned.entry().environment().name().equals(environment)
                    && planned.entry().service().id().equals(service) && planned.replica() == replica) {
                order = i;
            }
        }
        if (order < 0) {
            throw new IllegalArgumentException("no " + service + " #" + replica + " in " + environment);
        }
        if (replicas(environment, service).containsKey(replica)) {
            throw new IllegalArgumentException(service + " #" + replica + " in " + environment + " is running");
        }
        Running started = startService(plan, order, settings, environments,
                settings.workdir().toAbsolutePath().normalize(), workloads());
        services.add(started);
        return started.service();
    }

    /**
     * Stops every context (in parallel) and every workload; also runs on JVM shutdown. A second call returns once
     * the first one has stopped everything.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already: the hook is running or about to
            }
        }
        try {
            stop(services, workloads);
        } finally {
            stopped.countDown();
        }
    }

    private void awaitStopped() {
        try {
            if (!stopped.await(90, TimeUnit.SECONDS)) {
                log.warn("the pipeline did not stop within 90s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void stop(List<Running> services, List<StartedWorkload> workloads) {
        List<Running> copy;
        synchronized (services) {
            copy = new ArrayList<>(services);
        }
        ExecutorService executor = Executors.newFixedThreadPool(Math.max(1, Math.min(4, copy.size())),
                daemon("stagecoach-stop"));
        for (Running running : copy) {
            executor.execute(() -> {
                try {
                    running.context().close();
                } catch (RuntimeException e) {
                    log.warn("stopping {} {}: {}", running.service().environment(), running.service().service(),
                            e.toString());
                }
            });
        }
        executor.shutdown();
        if (!awaitTermination(executor, Duration.ofSeconds(60))) {
            log.warn("some services did not stop within 60s");
        }
        workloads.forEach(w -> w.server().close());
    }

    private static boolean awaitTermination(ExecutorService executor, Duration timeout) {
        try {
            return executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }

    /** The innermost cause, and what to check when it is the broker refusing or missing. */
    static String explain(Throwable e, LocalPipelineSettings settings) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String what = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        if (root instanceof AuthenticationFailureException || what.contains("ACCESS_REFUSED")
                || what.contains("NOT_ALLOWED")) {
            return what + " (is the broker provisioned for these environments"
                    + (settings.vhostPrefix() != null ? " with vhost prefix " + settings.vhostPrefix() : "")
                    + ", and are the passwords the provisioned ones?)";
        }
        if (root instanceof ConnectException) {
            return what + " (is RabbitMQ running on " + settings.describeBroker() + "?)";
        }
        return what;
    }
}
