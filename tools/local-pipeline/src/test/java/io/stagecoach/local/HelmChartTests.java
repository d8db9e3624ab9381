package io.stagecoach.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.stagecoach.local.KubernetesManifestsTests.ROOT;
import static io.stagecoach.local.KubernetesManifestsTests.SERIALIZATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Helm chart rendered as {@code helm template} renders it (Helm's own code, as a library: no binary), once per
 * environment with its values file and {@code deploy/environments.yaml} as {@code --set-file} gives it, every
 * document read into the fabric8 model; then the checks the kustomize overlays pass: every variable and mount of a
 * Stagecoach container is read by its service and the required ones are there, and the environment's replicas,
 * autoscaler, disruption budget, resources and log level.
 */
class HelmChartTests {

    static final Path CHART = ROOT.resolve("deploy/helm/stagecoach");
    static final Map<String, List<HasMetadata>> rendered = new LinkedHashMap<>();
    static Environments environments;

    @TempDir
    static Path temp;

    @BeforeAll
    static void render() throws IOException {
        environments = Environments.load(ROOT.resolve("deploy/environments.yaml"));
        // the overlays' checks read the environments from there
        KubernetesManifestsTests.environments = environments;
        for (Environment environment : environments.all()) {
            rendered.put(environment.name(), template(environment.name(), environment.namespace(), Map.of()));
        }
    }

    /** {@code helm template} of {@code env}'s values file into {@code namespace}, with {@code more} values set. */
    static List<HasMetadata> template(String env, String namespace, Map<String, String> more) throws IOException {
        // --set-file environmentsYaml=deploy/environments.yaml, as the chart's README installs it
        Path environmentsYaml = temp.resolve("environments-" + env + ".yaml");
        String indented = Files.readAllLines(ROOT.resolve("deploy/environments.yaml")).stream()
                .map(line -> "  " + line).collect(Collectors.joining("\n"));
        Files.writeString(environmentsYaml, "environmentsYaml: |\n" + indented + "\n");
        var template = new Helm(CHART).template().withName("stagecoach-" + env).withNamespace(namespace)
                .withValuesFile(CHART.resolve("values-" + env + ".yaml")).withValuesFile(environmentsYaml);
        more.forEach(template::set);
        String output = template.call();
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : output.split("(?m)^---\\s*$")) {
            if (!document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
                objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
            }
        }
        return objects;
    }

    @Test
    void everyVariableAndMountIsReadAndTheRequiredOnesAreThere() {
        List<String> problems = new ArrayList<>();
        rendered.forEach((env, objects) -> {
            List<Deployment> deployments = KubernetesManifestsTests.stagecoachDeployments(objects);
            assertThat(deployments).as(env + ": the chart's Deployments").isNotEmpty();
            for (Deployment deployment : deployments) {
                problems.addAll(KubernetesManifestsTests.problemsOf(env, deployment, objects));
            }
        });
        assertThat(problems).as("what the services would not read, or miss, as Helm renders them").isEmpty();
    }

    @Test
    void replicasAutoscalingBudgetsResourcesAndLogLevelAreTheEnvironments() {
        rendered.forEach(KubernetesManifestsTests::assertSizedFor);
    }

    @Test
    void everyObjectIsInTheEnvironmentsNamespaceAndMonitoringIsOffUnlessAskedFor() throws IOException {
        rendered.forEach((env, objects) -> {
            String namespace = environments.get(env).namespace();
            assertThat(objects).as(env).allSatisfy(object -> assertThat(object.getMetadata().getNamespace())
                    .as(object.getKind() + " " + object.getMetadata().getName()).isIn(namespace, null));
            assertThat(objects).as(env + ": monitoring objects by default")
                    .noneMatch(o -> o.getKind().equals("ServiceMonitor") || o.getKind().equals("PrometheusRule"));
        });
        List<HasMetadata> monitored = template("prod", "knative-lambda-prod",
                Map.of("monitoring.serviceMonitor.enabled", "true", "monitoring.prometheusRule.enabled", "true"));
        assertThat(monitored.stream().map(HasMetadata::getKind)).contains("ServiceMonitor", "PrometheusRule");
    }

    @Test
    void valuesForAnotherEnvironmentsNamespaceAreRefused() {
        assertThatThrownBy(() -> template("dev", "knative-lambda-prod", Map.of()))
                .hasMessageContaining("values are for namespace knative-lambda-dev");
    }
}
