package io.stagecoach.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.PublishingRights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code compose.yaml} as Docker Compose reads it ({@code docker-compose config}, which validates without an
 * engine): every service of every environment, each with a health check, started only once what it needs is healthy.
 */
class ComposeFileTests {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static JsonNode services;

    @BeforeAll
    static void render() throws Exception {
        Path compose = ROOT.resolve("compose.yaml");
        assertThat(compose).exists();
        Process process;
        try {
            process = new ProcessBuilder("docker-compose", "-f", compose.toString(), "config")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("docker-compose is needed to validate compose.yaml: "
                    + "apt-get install -y docker-compose (it validates without a Docker engine)", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("docker-compose config said:%n%s", output).isZero();
        services = new YAMLMapper().readTree(output).get("services");
    }

    @Test
    void runsEachServiceWhereItRunsAndAWorkloadPerEnvironment() throws Exception {
        Environments environments = Environments.load(ROOT.resolve("deploy/environments.yaml"));
        PublishingRights rights = PublishingRights.of(environments);
        List<String> expected = new ArrayList<>(List.of("rabbitmq", "setup", "gitops-init"));
        for (Environment environment : environments.all()) {
            for (Principal service : Principal.values()) {
                if (service.isService() && rights.runsIn(service, environment.name())) {
                    expected.add(environment.name() + "-" + service.id());
                }
            }
            expected.add(environment.name() + "-demo-workload");
        }
        assertThat(expected).contains("dev-build-completed", "prod-approval").doesNotContain("staging-approval");
        List<String> names = new ArrayList<>();
        services.propertyNames().forEach(names::add);

        assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
        for (Environment environment : environments.all()) {
            assertThat(services.get(environment.name() + "-promotion").at("/environment/STAGECOACH_ENVIRONMENT")
                    .asString()).isEqualTo(environment.name());
        }
    }

    @Test
    void everyLongRunningServiceHasAHealthCheckAndWaitsForHealthyDependencies() {
        List<String> problems = new ArrayList<>();
        services.properties().forEach(entry -> {
            String name = entry.getKey();
            JsonNode service = entry.getValue();
            if (name.equals("setup") || name.equals("gitops-init")) {
                return;
            }
            if (service.path("healthcheck").path("test").isMissingNode()) {
                problems.add(name + " has no health check");
            }
            if (!name.equals("rabbitmq")) {
                JsonNode rabbit = service.path("depends_on").path("rabbitmq").path("condition");
                if (!rabbit.asString("").equals("service_healthy")) {
                    problems.add(name + " does not wait for a healthy rabbitmq");
                }
                JsonNode setup = service.path("depends_on").path("setup").path("condition");
                if (!setup.asString("").equals("service_completed_successfully")) {
                    problems.add(name + " does not wait for the broker to be provisioned");
                }
            }
        });
        assertThat(services.at("/dev-smoke-test/depends_on/dev-demo-workload/condition").asString(""))
                .isEqualTo("service_healthy");
        assertThat(problems).isEmpty();
    }

    @Test
    void theServicesRunTheJarsTheBuildMakes() {
        List<String> missing = new ArrayList<>();
        services.properties().forEach(entry -> entry.getValue().path("command").forEach(argument -> {
            String text = argument.asString("");
            if (text.startsWith("/app/") && text.endsWith(".jar")
                    && !Files.exists(ROOT.resolve(text.substring("/app/".length())).getParent())) {
                missing.add(entry.getKey() + ": " + text);
            }
        }));
        assertThat(missing).as("jar folders named in compose.yaml that are not modules").isEmpty();
    }
}
