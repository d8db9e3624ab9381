package io.stagecoach.local;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServicePlanTests {

    static final Environments DEFAULT = Environments.loadDefault();

    /** The default path with {@code count} promoted services. */
    static Environments withServices(int count) {
        String services = IntStream.rangeClosed(1, count).mapToObj(i -> "  - service-" + i + "\n")
                .collect(Collectors.joining());
        return Environments.parse("""
                services:
                %s
                teams:
                  sre-team: [alice]
                decision-publishers: [chatops]
                environments:
                  - name: dev
                    vhost: dev
                    gate: auto
                    namespace: app-dev
                    audit-retention: 1d
                  - name: staging
                    vhost: staging
                    gate: auto
                    namespace: app-staging
                    audit-retention: 1d
                  - name: prod
                    vhost: prod
                    gate: manual
                    approvers: [sre-team]
                    namespace: app-prod
                    audit-retention: 1d
                """.formatted(services.stripTrailing()), "twelve services");
    }

    static Map<String, List<String>> servicesByEnvironment(ServicePlan plan) {
        return plan.services().stream().collect(Collectors.groupingBy(e -> e.environment().name(),
                java.util.LinkedHashMap::new, Collectors.mapping(e -> e.service().id(), Collectors.toList())));
    }

    @Test
    void runsBuildCompletedWhereBuildsEnterAndApprovalBehindTheManualGate() {
        ServicePlan plan = ServicePlan.of(DEFAULT, List.of());

        assertThat(servicesByEnvironment(plan)).containsExactly(
                Map.entry("dev", List.of("promotion", "build-completed", "smoke-test", "rollback")),
                Map.entry("staging", List.of("promotion", "smoke-test", "rollback")),
                Map.entry("prod", List.of("promotion", "smoke-test", "rollback", "approval")));
        assertThat(plan.workloads()).extracting(w -> w.environment().name() + " " + w.service())
                .containsExactly("dev knative-lambda-builder", "staging knative-lambda-builder",
                        "prod knative-lambda-builder");
    }

    @Test
    void runsOnlyTheEnvironmentsItIsGivenInThePathsOrder() {
        ServicePlan plan = ServicePlan.of(DEFAULT, List.of("prod", "staging"));

        assertThat(plan.environmentNames()).containsExactly("staging", "prod");
        assertThat(servicesByEnvironment(plan)).doesNotContainKey("dev");
        assertThat(plan.services()).extracting(e -> e.service().id()).doesNotContain("build-completed");
        assertThat(plan.workloads()).extracting(w -> w.environment().name()).containsExactly("staging", "prod");
    }

    @Test
    void anUnknownEnvironmentIsNamedWithTheKnownOnes() {
        assertThatIllegalArgumentException().isThrownBy(() -> ServicePlan.of(DEFAULT, List.of("qa", "dev")))
                .withMessageContaining("unknown environment qa;").withMessageContaining("dev, staging, prod");
    }

    @Test
    void twelveServicesFromABasePortGetAPortEachWithNoOverlapBetweenEnvironments() {
        ServicePlan plan = ServicePlan.of(withServices(12), List.of());
        int servers = plan.workloads().size() + plan.services().size();
        LocalPipelineSettings settings = LocalPipelineSettings.builder(Path.of("w")).basePort(28000).build();

        List<Integer> ports = LocalPipeline.ports(settings, servers);

        assertThat(plan.workloads()).hasSize(36);
        assertThat(ports).hasSize(47).doesNotHaveDuplicates().first().isEqualTo(28000);
        assertThat(ports).last().isEqualTo(28046);
        assertThat(LocalPipeline.ports(LocalPipelineSettings.builder(Path.of("w")).build(), servers))
                .as("free ports: the OS picks each when it binds").containsOnly(0);
        assertThatThrownBy(() -> LocalPipeline.ports(LocalPipelineSettings.builder(Path.of("w")).basePort(65500)
                .build(), servers)).isInstanceOf(LocalPipelineException.class)
                .hasMessageContaining("do not fit 47 web servers");
    }

    @Test
    void theSmokeTestsOfAnEnvironmentCheckEveryPromotedServicesWorkloadThere() {
        Environments environments = withServices(2);
        ServicePlan plan = ServicePlan.of(environments, List.of());
        ServicePlan.Site site = new ServicePlan.Site("rabbit", 5672, null, null, "/g.git",
                (env, service) -> "/clones/" + env + "-" + service,
                (env, service) -> "http://" + env + "-" + service + ":8080/health", service -> "r/" + service, null);
        ServicePlan.Entry stagingSmokeTest = plan.services().stream()
                .filter(e -> e.name().equals("staging smoke-test")).findFirst().orElseThrow();
        ServicePlan.Entry prodRollback = plan.services().stream()
                .filter(e -> e.name().equals("prod rollback")).findFirst().orElseThrow();

        Map<String, String> smokeTest = ServicePlan.settings(stagingSmokeTest, environments, site, 8080);
        Map<String, String> rollback = ServicePlan.settings(prodRollback, environments, site, 0);

        assertThat(smokeTest).containsEntry("stagecoach.environment", "staging")
                .containsEntry("stagecoach.smoke-test.services.service-1.checks[0].url",
                        "http://staging-service-1:8080/health")
                .containsEntry("stagecoach.smoke-test.services.service-2.checks[0].url",
                        "http://staging-service-2:8080/health")
                .containsEntry("server.port", "8080")
                .doesNotContainKey("stagecoach.target.type");
        assertThat(rollback).containsEntry("stagecoach.target.gitops.repository", "/clones/prod-rollback")
                .containsEntry("stagecoach.target.gitops.remote", "/g.git")
                .containsEntry("stagecoach.target.gitops.images.service-2", "r/service-2")
                .containsEntry("spring.rabbitmq.host", "rabbit");
        assertThat(rollback).as("no snapshot file where the site keeps none")
                .doesNotContainKey("stagecoach.ledger.snapshot-file");
    }

    @Test
    void everyServiceOfTheLocalPipelineKeepsItsLedgerSnapshotInAFileOfItsOwnUnderTheWorkdir() {
        ServicePlan plan = ServicePlan.of(DEFAULT, List.of());
        Path workdir = Path.of("build", "pipeline").toAbsolutePath();
        List<LocalPipeline.Workload> workloads = plan.workloads().stream().map(w -> new LocalPipeline.Workload(
                w.environment().name(), w.service(), 0, "http://localhost/" + w.service())).toList();
        ServicePlan.Site site = LocalPipeline.site(LocalPipelineSettings.builder(workdir).build(), workdir, workloads);

        Map<String, String> files = new java.util.LinkedHashMap<>();
        plan.services().forEach(entry -> files.put(entry.name(),
                ServicePlan.settings(entry, DEFAULT, site, 0).get("stagecoach.ledger.snapshot-file")));

        assertThat(files).hasSize(plan.services().size()).doesNotContainValue(null)
                .containsEntry("prod approval", workdir.resolve("ledger/prod-approval.snapshot").toString());
        assertThat(files.values()).doesNotHaveDuplicates()
                .allSatisfy(file -> assertThat(Path.of(file)).startsWithRaw(workdir));
    }
}
