package io.stagecoach.lint;

import static io.stagecoach.lint.CommandLineTool.PROMTOOL;
import static io.stagecoach.lint.MonitoringFiles.DEPLOY;
import static io.stagecoach.lint.MonitoringFiles.PROMETHEUS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.stagecoach.platform.environments.Environment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One Prometheus per environment of deploy/environments.yaml, seeing that environment alone and labelling all it
 * stores with it, and a global Prometheus federating them: checked with promtool and held against the environments.
 * Also the Helm chart's ServiceMonitor and PrometheusRule (the chart cannot be rendered here: no helm binary).
 */
class PrometheusConfigurationTests {

	static final Path GLOBAL = PROMETHEUS.resolve("global/prometheus.yaml");

	static final JsonMapper JSON = JsonMapper.builder().build();

	static Stream<String> environments() {
		return MonitoringFiles.environments().all().stream().map(Environment::name);
	}

	static Path environmentsPrometheus(String environment) {
		return PROMETHEUS.resolve("environments/prometheus-" + environment + ".yaml");
	}

	@ParameterizedTest
	@MethodSource("environments")
	void eachEnvironmentHasAPrometheusThatSeesItAlone(String name) {
		Environment environment = MonitoringFiles.environments().get(name);
		Path file = environmentsPrometheus(name);
		assertThat(file).exists();
		// syntax only: the in-cluster token file the cAdvisor job reads does not exist here
		PROMTOOL.run(file.getParent(), "check", "config", "--syntax-only", file.getFileName().toString())
			.succeeded("promtool check config " + file);
		JsonNode config = MonitoringFiles.yaml(file);

		assertThat(config.path("global").path("external_labels").path("environment").asString()).isEqualTo(name);
		List<String> ruleFiles = new ArrayList<>();
		config.path("rule_files").forEach(rule -> ruleFiles.add(rule.asString()));
		assertThat(ruleFiles).as("rule files (promtool check rules checks them)")
			.allSatisfy(rule -> assertThat(file.getParent().resolve(rule)).isRegularFile())
			.contains("../rules/stagecoach.rules.yaml", "../rules/cost.rules.yaml", "../rules/budgets.rules.yaml");

		Set<String> kept = new TreeSet<>();
		for (JsonNode job : config.path("scrape_configs")) {
			String jobName = job.path("job_name").asString();
			List<JsonNode> relabelings = new ArrayList<>();
			job.path("relabel_configs").forEach(relabelings::add);
			job.path("metric_relabel_configs").forEach(relabelings::add);
			assertThat(relabelings).as("%s: job %s labels what it scrapes with its environment", name, jobName)
				.anySatisfy(relabel -> {
					assertThat(relabel.path("target_label").asString()).isEqualTo("environment");
					assertThat(relabel.path("replacement").asString()).isEqualTo(name);
				});
			for (JsonNode relabel : relabelings) {
				if (relabel.path("action").asString().equals("keep")) {
					String label = relabel.path("source_labels").path(0).asString();
					String expected = switch (label) {
						case "vhost" -> environment.vhost();
						case "namespace" -> environment.namespace();
						case "environment" -> name;
						default -> throw new AssertionError(jobName + " keeps by an unexpected label " + label);
					};
					assertThat(relabel.path("regex").asString()).as("%s: job %s keeps %s", name, jobName, label)
						.isEqualTo(expected);
					kept.add(label);
				}
			}
		}
		assertThat(kept).as("%s: the broker's, the cluster's and the services' series are filtered", name)
			.containsExactlyInAnyOrder("vhost", "namespace", "environment");

		String text = DeployFiles.read(file);
		MonitoringFiles.environments().all().stream().filter(other -> !other.name().equals(name)).forEach(other -> {
			assertThat(text).as("%s names %s", file.getFileName(), other.name())
				.doesNotContain(other.namespace(), "targets/" + other.name() + "/", "replacement: " + other.name(),
						"environment: " + other.name());
		});
	}

	@ParameterizedTest
	@MethodSource("environments")
	void theTargetsOfAnEnvironmentCarryTheLabelsItsAlertsName(String name, @TempDir Path copy) {
		Environment environment = MonitoringFiles.environments().get(name);
		Path environments = DeployFiles.copyFixture(PROMETHEUS, copy.resolve("prometheus")).resolve("environments");
		DeployFiles.write(environments.resolve("targets/" + name + "/stagecoach.yaml"),
				"- targets: [\"10.0.1.7:8080\"]\n  labels: {service: promotion}\n");
		DeployFiles.write(environments.resolve("targets/" + name + "/workloads.yaml"),
				"- targets: [\"10.0.1.20:8080\"]\n  labels: {service: knative-lambda-builder}\n");
		DeployFiles.write(environments.resolve("targets/nodes.yaml"), "- targets: [node-a]\n");

		assertThat(discovered(environments, name, "stagecoach")).containsEntry("environment", name)
			.containsEntry("service", "promotion")
			.containsEntry("__metrics_path__", "/actuator/prometheus");
		assertThat(discovered(environments, name, "workloads")).containsEntry("environment", name)
			.containsEntry("namespace", environment.namespace())
			.containsEntry("service", "knative-lambda-builder");
		assertThat(discovered(environments, name, "cadvisor")).containsEntry("node", "node-a")
			.containsEntry("__address__", "kubernetes.default.svc:443")
			.containsEntry("__metrics_path__", "/api/v1/nodes/node-a/proxy/metrics/cadvisor");
	}

	/** The labels of the one target promtool discovers for a job, after relabelling. */
	static Map<String, String> discovered(Path folder, String environment, String job) {
		// file discovery answers at once; promtool waits for the timeout whatever it found
		CommandLineTool.Result result = PROMTOOL.standardOutput(folder, "check", "service-discovery", "--timeout=1s",
				"prometheus-" + environment + ".yaml", job)
			.succeeded("promtool check service-discovery " + job);
		JsonNode targets = JSON.readTree(result.output());
		assertThat(targets).as("%s: targets of %s", environment, job).hasSize(1);
		Map<String, String> labels = new TreeMap<>();
		targets.path(0).path("labels").properties().forEach(label -> labels.put(label.getKey(), label.getValue().asString()));
		return labels;
	}

	@Test
	void theGlobalPrometheusFederatesEveryEnvironment() {
		PROMTOOL.run(GLOBAL.getParent(), "check", "config", GLOBAL.getFileName().toString())
			.succeeded("promtool check config " + GLOBAL);
		JsonNode config = MonitoringFiles.yaml(GLOBAL);

		List<String> federated = new ArrayList<>();
		for (JsonNode job : config.path("scrape_configs")) {
			assertThat(job.path("metrics_path").asString()).isEqualTo("/federate");
			assertThat(job.path("honor_labels").asBoolean()).as("%s keeps the federated labels", job.path("job_name"))
				.isTrue();
			String environment = job.path("static_configs").path(0).path("labels").path("environment").asString();
			assertThat(job.path("job_name").asString()).isEqualTo("federate-" + environment);
			assertThat(job.path("static_configs").path(0).path("targets").path(0).asString())
				.isEqualTo("prometheus-" + environment + ".monitoring.svc:9090");
			assertThat(job.path("params").path("match[]")).as("%s asks for its environment's series", environment)
				.isNotEmpty()
				.allSatisfy(match -> assertThat(match.asString()).contains("environment=\"" + environment + "\""));
			federated.add(environment);
		}

		assertThat(federated).containsExactlyElementsOf(environments().toList());
	}

	@Test
	void aConfigurationPromtoolRejectsFailsTheCheck(@TempDir Path copy) {
		Path prometheus = DeployFiles.copyFixture(PROMETHEUS, copy.resolve("prometheus"));
		DeployFiles.edit(prometheus.resolve("global/prometheus.yaml"), "scrape_interval: 60s", "scrape_interval: 60");

		CommandLineTool.Result result = PROMTOOL.run(prometheus.resolve("global"), "check", "config", "prometheus.yaml");

		assertThat(result.exitCode()).as(result.output()).isNotZero();
		assertThat(result.output()).contains("not a valid duration string");
	}

	@Test
	void theHelmChartsMonitoringObjectsAreOffByDefaultAndCarryTheRules() throws IOException {
		Path chart = DEPLOY.resolve("helm/stagecoach");
		JsonNode monitoring = MonitoringFiles.yaml(chart.resolve("values.yaml")).path("monitoring");
		assertThat(monitoring.path("serviceMonitor").path("enabled").isBoolean()).isTrue();
		assertThat(monitoring.path("serviceMonitor").path("enabled").asBoolean()).isFalse();
		assertThat(monitoring.path("prometheusRule").path("enabled").isBoolean()).isTrue();
		assertThat(monitoring.path("prometheusRule").path("enabled").asBoolean()).isFalse();

		String serviceMonitor = DeployFiles.read(chart.resolve("templates/servicemonitor.yaml"));
		assertThat(serviceMonitor).startsWith("{{- if .Values.monitoring.serviceMonitor.enabled }}\n")
			.endsWith("{{- end }}\n")
			.contains("kind: ServiceMonitor", "- port: http\n", "path: /actuator/prometheus\n",
					"honorLabels: true\n", "replacement: {{ .Values.environment }}\n");
		assertThat(DeployFiles.read(chart.resolve("templates/services.yaml")))
			.as("the port the ServiceMonitor names").contains("- name: http\n");

		String prometheusRule = DeployFiles.read(chart.resolve("templates/prometheusrule.yaml"));
		assertThat(prometheusRule).startsWith("{{- if .Values.monitoring.prometheusRule.enabled }}\n")
			.endsWith("{{- end }}\n")
			.contains("kind: PrometheusRule", "{{- .Files.Get \"files/stagecoach.rules.yaml\" | nindent 2 }}");
		Path rules = chart.resolve("files/stagecoach.rules.yaml");
		assertThat(Files.isSymbolicLink(rules)).as("%s links to the rule file, not a copy of it", rules).isTrue();
		assertThat(rules.toRealPath()).isEqualTo(PROMETHEUS.resolve("rules/stagecoach.rules.yaml").toRealPath());
	}

}
