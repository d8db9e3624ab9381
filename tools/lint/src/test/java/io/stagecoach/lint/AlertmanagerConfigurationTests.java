package io.stagecoach.lint;

import static io.stagecoach.lint.CommandLineTool.AMTOOL;
import static io.stagecoach.lint.MonitoringFiles.PROMETHEUS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.stagecoach.platform.environments.Environment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Where Alertmanager sends an alert, by amtool: the cases of alertmanager/routes.test.yaml, and for every
 * environment of deploy/environments.yaml a rollback that reaches that environment's rollback service alone.
 */
class AlertmanagerConfigurationTests {

	static final Path ALERTMANAGER = PROMETHEUS.resolve("alertmanager");

	static final String CONFIG = "alertmanager.yaml";

	static Stream<Arguments> routeCases() {
		List<Arguments> cases = new ArrayList<>();
		for (JsonNode routeCase : MonitoringFiles.yaml(ALERTMANAGER.resolve("routes.test.yaml")).path("cases")) {
			List<String> labels = new ArrayList<>();
			routeCase.path("labels")
				.properties()
				.forEach(label -> labels.add(label.getKey() + "=" + label.getValue().asString()));
			List<String> receivers = new ArrayList<>();
			routeCase.path("receivers").forEach(receiver -> receivers.add(receiver.asString()));
			cases.add(Arguments.of(labels, receivers));
		}
		return cases.stream();
	}

	@Test
	void amtoolAcceptsTheConfiguration() {
		String output = AMTOOL.run(ALERTMANAGER, "check-config", CONFIG).succeeded("amtool check-config").output();

		assertThat(output).contains("SUCCESS");
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@MethodSource("routeCases")
	void anAlertReachesTheReceiversItsCaseNames(List<String> labels, List<String> receivers) {
		List<String> arguments = new ArrayList<>(List.of("config", "routes", "test", "--config.file=" + CONFIG,
				"--verify.receivers=" + String.join(",", receivers)));
		arguments.addAll(labels);

		CommandLineTool.Result result = AMTOOL.run(ALERTMANAGER, arguments.toArray(String[]::new));

		assertThat(result.exitCode()).as("%s went to:%n%s", labels, result.output()).isZero();
		assertThat(result.output()).contains(String.join(",", receivers) + "\n");
	}

	@ParameterizedTest
	@MethodSource("io.stagecoach.lint.PrometheusConfigurationTests#environments")
	void aRollbackAlertReachesItsOwnEnvironmentsRollbackServiceFirst(String name) {
		Environment environment = MonitoringFiles.environments().get(name);
		String receiver = "stagecoach-rollback-" + name;

		CommandLineTool.Result result = AMTOOL.run(ALERTMANAGER, "config", "routes", "test", "--config.file=" + CONFIG,
				"alertname=KnativeLambdaBuilderErrorRateHigh", "severity=critical", "stagecoach_rollback=true",
				"service=knative-lambda-builder", "environment=" + name);

		assertThat(result.output().lines().filter(line -> !line.startsWith("Warning")).findFirst().orElse(""))
			.as("receivers of a rollback in %s", name)
			.startsWith(receiver + ",");
		JsonNode config = MonitoringFiles.yaml(ALERTMANAGER.resolve(CONFIG));
		List<String> urls = new ArrayList<>();
		for (JsonNode defined : config.path("receivers")) {
			if (defined.path("name").asString().equals(receiver)) {
				defined.path("webhook_configs").forEach(webhook -> {
					urls.add(webhook.path("url").asString());
					assertThat(webhook.path("send_resolved").asBoolean(true)).as("a resolved alert undoes nothing").isFalse();
				});
			}
		}
		assertThat(urls).containsExactly("http://rollback." + environment.namespace() + ".svc:8080/alerts");
	}

	@Test
	void aRouteCaseThatNamesAnotherReceiverFails(@TempDir Path copy) {
		Path alertmanager = DeployFiles.copyFixture(ALERTMANAGER, copy.resolve("alertmanager"));
		String prodRoute = "    - matchers: ['environment=\"prod\"']\n      receiver: ";
		DeployFiles.edit(alertmanager.resolve(CONFIG), prodRoute + "stagecoach-pager-prod",
				prodRoute + "stagecoach-chat-prod");

		CommandLineTool.Result result = AMTOOL.run(alertmanager, "config", "routes", "test", "--config.file=" + CONFIG,
				"--verify.receivers=stagecoach-pager-prod", "environment=prod", "severity=critical");

		assertThat(result.exitCode()).as(result.output()).isNotZero();
		assertThat(result.output()).contains("stagecoach-chat-prod");
	}

	@Test
	void aConfigurationAmtoolRejectsFailsTheCheck(@TempDir Path copy) {
		Path alertmanager = DeployFiles.copyFixture(ALERTMANAGER, copy.resolve("alertmanager"));
		DeployFiles.edit(alertmanager.resolve(CONFIG), "    receiver: stagecoach-chat-dev",
				"    receiver: stagecoach-chat-qa");

		CommandLineTool.Result result = AMTOOL.run(alertmanager, "check-config", CONFIG);

		assertThat(result.exitCode()).as(result.output()).isNotZero();
		assertThat(result.output()).contains("undefined receiver \"stagecoach-chat-qa\"");
	}

}
