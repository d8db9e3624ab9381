package io.stagecoach.cli;

import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.PublishingRights;
import io.stagecoach.target.GitOpsSettings;
import io.stagecoach.target.GitOpsTarget;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The whole pipeline on this machine: per environment the services it uses (build-completed where builds enter,
 * approval behind manual gates, promotion, smoke-test and rollback everywhere) and a demo workload per service
 * standing in for the application, all against one broker and one local GitOps repository (a bare
 * {@code gitops.git} that every deploying process pushes to from a clone of its own).
 */
final class LocalPipeline {

    static final List<String> SERVICES = List.of("build-completed", "promotion", "smoke-test", "rollback", "approval");
    static final String WORKLOAD = "demo-workload";
    /** Small heaps and the quick JIT tier: fifteen JVMs start side by side on two cores. */
    static final List<String> JVM_OPTIONS = List.of(LocalProcesses.MARKER, "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC", "-Xss512k", "-XX:ReservedCodeCacheSize=48m", "-Xshare:auto");

    /**
     * @param repository       the Stagecoach repository (its jars and Maven wrapper)
     * @param home             where logs, pid files and the GitOps repository live
     * @param environmentsFile the environments file the services read, or null for the shipped default
     * @param images           image repository per service (the GitOps overlays pin these)
     * @param smokeDeadline    how long a deployment's smoke checks may retry
     * @param badMarkers       per environment, the version marker its demo workloads report unhealthy for (others:
     *                         the workload's default, {@code -bad})
     */
    record Settings(Path repository, Path home, Environments environments, String vhostPrefix, Path environmentsFile,
                    Broker broker, int basePort, boolean workloads, Map<String, String> images,
                    Duration smokeDeadline, Map<String, String> badMarkers) {
    }

    private final Settings settings;
    private final LocalProcesses processes;

    LocalPipeline(Settings settings) {
        this.settings = settings;
        this.processes = new LocalProcesses(settings.home());
    }

    LocalProcesses processes() {
        return processes;
    }

    String imageOf(String service) {
        return settings.images().get(service);
    }

    Path gitopsRepository() {
        return settings.home().resolve("gitops.git");
    }

    /** Whether a service has work in an environment: where the broker definitions give it a user and inboxes. */
    boolean runsIn(String service, Environment environment) {
        return Principal.fromId(service).filter(Principal::isService)
                .map(principal -> PublishingRights.of(settings.environments()).runsIn(principal, environment.name()))
                .orElseThrow(() -> new IllegalArgumentException("not a Stagecoach service: " + service));
    }

    int servicePort(int environmentIndex, int serviceIndex) {
        return settings.basePort() + environmentIndex * 10 + serviceIndex;
    }

    int workloadPort(int environmentIndex, int serviceIndex) {
        return settings.basePort() + 100 + environmentIndex * 10 + serviceIndex;
    }

    List<String> modules() {
        List<String> modules = new ArrayList<>(SERVICES);
        if (settings.workloads()) {
            modules.add(WORKLOAD);
        }
        return modules;
    }

    /** Every process to start: the workloads first (smoke tests call them), then the services. */
    List<LocalProcesses.Spec> specs(ServiceJars jars) {
        List<LocalProcesses.Spec> specs = new ArrayList<>();
        List<Environment> all = settings.environments().all();
        List<String> services = settings.environments().services();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        if (settings.workloads()) {
            Path jar = jars.jar(WORKLOAD).orElseThrow();
            for (int e = 0; e < all.size(); e++) {
                for (int s = 0; s < services.size(); s++) {
                    int port = workloadPort(e, s);
                    List<String> command = new ArrayList<>(List.of(java, LocalProcesses.MARKER, "-Xmx48m",
                            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString(), "--port",
                            String.valueOf(port), "--environment", all.get(e).name(), "--service", services.get(s),
                            "--overlay", gitopsRepository().toString(), "--overlay-path",
                            "overlays/" + all.get(e).name() + "/kustomization.yaml"));
                    String badMarker = settings.badMarkers().get(all.get(e).name());
                    if (badMarker != null) {
                        command.addAll(List.of("--bad-marker", badMarker));
                    }
                    specs.add(new LocalProcesses.Spec(all.get(e).name() + "-" + WORKLOAD
                            + (services.size() > 1 ? "-" + services.get(s) : ""), command,
                            "http://127.0.0.1:" + port + "/health", true));
                }
            }
        }
        for (int e = 0; e < all.size(); e++) {
            Environment environment = all.get(e);
            for (int s = 0; s < SERVICES.size(); s++) {
                String service = SERVICES.get(s);
                if (!runsIn(service, environment)) {
                    continue;
                }
                int port = servicePort(e, s);
                List<String> command = new ArrayList<>();
                command.add(java);
                command.addAll(JVM_OPTIONS);
                command.add("-Xmx" + (service.equals("promotion") || service.equals("rollback") ? "160m" : "128m"));
                command.addAll(List.of("-jar", jars.jar(service).orElseThrow().toString()));
                command.addAll(serviceArguments(service, environment, e, port));
                specs.add(new LocalProcesses.Spec(environment.name() + "-" + service, command,
                        "http://127.0.0.1:" + port + "/actuator/health/readiness", false));
            }
        }
        return specs;
    }

    List<String> serviceArguments(String service, Environment environment, int environmentIndex, int port) {
        List<String> args = new ArrayList<>(List.of(
                "--stagecoach.environment=" + environment.name(),
                "--spring.rabbitmq.host=" + settings.broker().host(),
                "--spring.rabbitmq.port=" + settings.broker().port(),
                "--server.port=" + port,
                "--spring.main.banner-mode=off",
                "--spring.jmx.enabled=false",
                "--management.endpoint.health.probes.enabled=true"));
        if (settings.broker().tls()) {
            args.add("--spring.rabbitmq.ssl.enabled=true");
        }
        if (settings.vhostPrefix() != null) {
            args.add("--stagecoach.vhost-prefix=" + settings.vhostPrefix());
        }
        if (settings.environmentsFile() != null) {
            args.add("--stagecoach.environments-file=" + settings.environmentsFile());
        }
        if (service.equals("promotion") || service.equals("rollback")) {
            args.add("--stagecoach.target.type=gitops");
            args.add("--stagecoach.target.gitops.repository="
                    + settings.home().resolve("clones").resolve(environment.name() + "-" + service));
            args.add("--stagecoach.target.gitops.remote=" + gitopsRepository());
            settings.images().forEach((name, image) -> args.add("--stagecoach.target.gitops.images." + name + "=" + image));
        }
        if (service.equals("smoke-test")) {
            args.add("--stagecoach.smoke-test.deadline=" + settings.smokeDeadline().toMillis() + "ms");
            args.add("--stagecoach.smoke-test.initial-backoff=500ms");
            args.add("--stagecoach.smoke-test.max-backoff=2s");
            List<String> services = settings.environments().services();
            for (int s = 0; s < services.size(); s++) {
                String prefix = "--stagecoach.smoke-test.services." + services.get(s) + ".checks[0].";
                args.add(prefix + "name=health");
                args.add(prefix + "url=http://127.0.0.1:" + workloadPort(environmentIndex, s) + "/health");
                args.add(prefix + "expected-status=200");
                args.add(prefix + "json-field=version");
                args.add(prefix + "timeout=2s");
            }
        }
        return args;
    }

    /** The variables the processes get: this one's, without those that would give them another identity. */
    Map<String, String> childEnvironment(Map<String, String> env) {
        Map<String, String> child = new HashMap<>(env);
        for (String variable : List.of(AmqpOptions.USER_VARIABLE, AmqpOptions.PASSWORD_VARIABLE,
                EnvironmentOptions.FILE_VARIABLE, EnvironmentOptions.PREFIX_VARIABLE, "STAGECOACH_ENVIRONMENT",
                "STAGECOACH_SERVICE")) {
            child.remove(variable);
        }
        return child;
    }

    /**
     * Creates the bare GitOps repository and seeds it (a base and one overlay per environment, as the services'
     * target lays it out) unless it exists.
     */
    boolean seedGitOps() {
        Path bare = gitopsRepository();
        if (Files.isDirectory(bare.resolve("objects"))) {
            return false;
        }
        Path seed = settings.home().resolve("gitops-seed");
        try {
            deleteTree(seed);
            Files.createDirectories(bare);
            try (Git git = Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call()) {
                // an empty bare repository; the seed below pushes its first commit
            }
            GitOpsSettings.Builder builder = GitOpsSettings.builder(seed).remote(bare.toUri().toString());
            settings.images().forEach(builder::service);
            settings.environments().all().forEach(e -> builder.environment(e.name(), e.namespace()));
            try (GitOpsTarget target = GitOpsTarget.open(builder.build())) {
                // opening seeds the branch and pushes it
            }
            deleteTree(seed);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + bare + ": " + e.getMessage(), e);
        } catch (GitAPIException e) {
            throw CliException.pipeline("Cannot create the GitOps repository " + bare + ": " + e.getMessage());
        }
    }

    /**
     * Starts everything, waits until all are ready; on a failure stops what it started and says why.
     *
     * @param started receives each process as it starts, so a shutdown hook can stop them even mid-start
     */
    List<LocalProcesses.Started> start(ServiceJars jars, Map<String, String> env, Duration timeout, PrintWriter out,
                                       List<LocalProcesses.Started> started) throws InterruptedException {
        List<LocalProcesses.Spec> specs = specs(jars);
        Map<String, String> child = childEnvironment(env);
        try {
            for (LocalProcesses.Spec spec : specs) {
                started.add(processes.start(spec, child));
            }
            out.println("  started " + started.size() + " processes; waiting until each answers its readiness probe...");
            out.flush();
            Optional<LocalProcesses.Started> failed = processes.awaitReady(started, timeout, out);
            if (failed.isPresent()) {
                StringBuilder message = new StringBuilder(failed.get().spec().name() + " did not start; the end of "
                        + failed.get().log() + ":");
                LocalProcesses.tail(failed.get().log(), 30).forEach(l -> message.append(System.lineSeparator())
                        .append("  | ").append(l));
                message.append(System.lineSeparator()).append("Stopped everything that was started.");
                processes.stop(started);
                throw CliException.pipeline(message.toString());
            }
            return started;
        } catch (RuntimeException | InterruptedException e) {
            processes.stop(started);
            throw e;
        }
    }

    /** Default image repositories: {@code ghcr.io/acme/<service>} for each service of the environments file. */
    static Map<String, String> defaultImages(Environments environments, Map<String, String> given) {
        Map<String, String> images = new LinkedHashMap<>();
        environments.services().forEach(s -> images.put(s, given.getOrDefault(s, "ghcr.io/acme/" + s)));
        given.forEach(images::putIfAbsent);
        return images;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
    }
}
