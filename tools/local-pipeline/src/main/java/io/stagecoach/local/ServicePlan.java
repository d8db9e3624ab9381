package io.stagecoach.local;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

import io.stagecoach.approval.ApprovalApplication;
import io.stagecoach.buildcompleted.BuildCompletedApplication;
import io.stagecoach.deploy.ManifestLayout;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.PublishingRights;
import io.stagecoach.promotion.PromotionApplication;
import io.stagecoach.rollback.RollbackApplication;
import io.stagecoach.smoketest.SmokeTestApplication;
import org.jspecify.annotations.Nullable;

/**
 * Which Stagecoach service runs in which environment, which demo workloads stand in for the promoted services, and
 * the settings that make a process that service of that environment, wherever it runs. The one-JVM pipeline gives
 * these settings to each context; {@code compose.yaml} gives the same ones to each container, and
 * {@code ComposeFileTests} fails when the two disagree.
 *
 * @param services  build-completed in the first environment, approval where the gate is manual, promotion,
 *                  smoke-test and rollback everywhere; environment by environment, promotion first
 * @param workloads one per promoted service and environment
 */
public record ServicePlan(List<Entry> services, List<Workload> workloads) {

    /** One service of one environment. */
    public record Entry(Environment environment, Principal service, Class<?> application) {

        public String name() {
            return environment.name() + " " + service.id();
        }
    }

    /** The demo workload standing in for {@code service} in {@code environment}. */
    public record Workload(Environment environment, String service) {
    }

    /**
     * What differs between the places the services run (this JVM, compose.yaml); everything else in
     * {@link #settings} is the same everywhere.
     *
     * @param amqpHost         the broker
     * @param amqpPort         its AMQP port
     * @param vhostPrefix      a prefix of every vhost, as provisioned, or null
     * @param environmentsFile the environments file the services read, or null for the shipped one
     * @param gitopsRemote     the bare GitOps repository every deploying service pushes to
     * @param clones           (environment, service) to the deploying service's own clone of it
     * @param workloadUrls     (environment, promoted service) to the health URL of its demo workload
     * @param images           promoted service to the image repository the overlays pin
     * @param snapshotFiles    (environment, service) to the file the service keeps its ledger's snapshot in (ADR 19),
     *                         on storage that outlives the process; null: none, every start replays the whole stream
     */
    public record Site(String amqpHost, int amqpPort, @Nullable String vhostPrefix, @Nullable String environmentsFile,
                       String gitopsRemote, BiFunction<String, String, String> clones,
                       BiFunction<String, String, String> workloadUrls, Function<String, String> images,
                       @Nullable BiFunction<String, String, String> snapshotFiles) {
    }

    public ServicePlan {
        services = List.copyOf(services);
        workloads = List.copyOf(workloads);
    }

    /**
     * The plan for {@code only} those environments (all when empty), in the path's order.
     *
     * @throws IllegalArgumentException naming an environment the path does not have
     */
    public static ServicePlan of(Environments environments, Collection<String> only) {
        Set<String> chosen = new LinkedHashSet<>(only);
        List<String> unknown = chosen.stream().filter(name -> environments.find(name).isEmpty()).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown environment " + String.join(", ", unknown) + "; "
                    + environments.source() + " has " + String.join(", ", environments.all().stream()
                    .map(Environment::name).toList()));
        }
        PublishingRights rights = PublishingRights.of(environments);
        List<Entry> services = new ArrayList<>();
        List<Workload> workloads = new ArrayList<>();
        for (Environment environment : environments.all()) {
            if (!chosen.isEmpty() && !chosen.contains(environment.name())) {
                continue;
            }
            // each service where the broker definitions give it inboxes (promotion first: the heaviest context)
            for (Entry candidate : List.of(new Entry(environment, Principal.PROMOTION, PromotionApplication.class),
                    new Entry(environment, Principal.BUILD_COMPLETED, BuildCompletedApplication.class),
                    new Entry(environment, Principal.SMOKE_TEST, SmokeTestApplication.class),
                    new Entry(environment, Principal.ROLLBACK, RollbackApplication.class),
                    new Entry(environment, Principal.APPROVAL, ApprovalApplication.class))) {
                if (rights.runsIn(candidate.service(), environment.name())) {
                    services.add(candidate);
                }
            }
            environments.services().forEach(service -> workloads.add(new Workload(environment, service)));
        }
        return new ServicePlan(services, workloads);
    }

    /** The environments the plan runs services in, in the path's order. */
    public List<String> environmentNames() {
        return services.stream().map(e -> e.environment().name()).distinct().toList();
    }

    /**
     * The settings that make a process {@code entry}'s service in its environment: its identity, broker, web
     * server port, ledger snapshot file, deploy target and smoke checks. Values are what Spring reads from a command line.
     */
    public static Map<String, String> settings(Entry entry, Environments environments, Site site, int port) {
        String env = entry.environment().name();
        String service = entry.service().id();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("stagecoach.environment", env);
        settings.put("stagecoach.service", service);
        if (site.vhostPrefix() != null) {
            settings.put("stagecoach.vhost-prefix", site.vhostPrefix());
        }
        if (site.environmentsFile() != null) {
            settings.put("stagecoach.environments-file", site.environmentsFile());
        }
        settings.put("spring.application.name", "stagecoach-" + service + "-" + env);
        settings.put("spring.rabbitmq.host", site.amqpHost());
        settings.put("spring.rabbitmq.port", String.valueOf(site.amqpPort()));
        settings.put("server.port", String.valueOf(port));
        if (site.snapshotFiles() != null) {
            // a file per service and environment: one JVM runs several of them (ADR 9), each with a ledger of its own
            settings.put("stagecoach.ledger.snapshot-file", site.snapshotFiles().apply(env, service));
        }
        if (entry.service() == Principal.PROMOTION || entry.service() == Principal.ROLLBACK) {
            settings.put("stagecoach.target.type", "gitops");
            settings.put("stagecoach.target.gitops.repository", site.clones().apply(env, service));
            settings.put("stagecoach.target.gitops.remote", site.gitopsRemote());
            settings.put("stagecoach.target.gitops.branch", GitOpsRepository.BRANCH);
            for (String promoted : environments.services()) {
                settings.put("stagecoach.target.gitops.images." + promoted, site.images().apply(promoted));
            }
        }
        if (entry.service() == Principal.PROMOTION) {
            // what runs is what the demo workload answers: the comparison with the ledger asks it (drift)
            for (String promoted : environments.services()) {
                settings.put("stagecoach.drift.workloads." + promoted + ".url", site.workloadUrls().apply(env, promoted));
            }
        }
        if (entry.service() == Principal.SMOKE_TEST) {
            for (String promoted : environments.services()) {
                String check = "stagecoach.smoke-test.services." + promoted + ".checks[0].";
                settings.put(check + "name", "health");
                settings.put(check + "url", site.workloadUrls().apply(env, promoted));
                settings.put(check + "expected-status", "200");
                settings.put(check + "json-field", "version");
                // a release that carries flags must be served with exactly those
                settings.put(check + "flags-field", "flags");
                settings.put(check + "timeout", "2s");
            }
        }
        return settings;
    }

    /**
     * The demo workload's command line: it reads the version its environment's overlay declares for the service
     * from the bare GitOps repository, and the flags file the deploy target writes there, and answers 503 for a
     * version containing {@code badMarker}.
     */
    public static List<String> workloadArguments(Workload workload, int port, String gitopsRemote,
                                                 @Nullable String badMarker) {
        String env = workload.environment().name();
        List<String> arguments = new ArrayList<>(List.of("--port", String.valueOf(port), "--environment", env,
                "--service", workload.service(), "--overlay", gitopsRemote, "--overlay-path",
                GitOpsRepository.overlay(env), "--flags-path",
                ManifestLayout.kustomize().flagsPath(env, workload.service())));
        if (badMarker != null && !badMarker.equals(LocalPipelineSettings.DEFAULT_BAD_MARKER)) {
            arguments.addAll(List.of("--bad-marker", badMarker));
        }
        return arguments;
    }
}
