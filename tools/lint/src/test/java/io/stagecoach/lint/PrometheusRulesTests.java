package io.stagecoach.lint;

import static io.stagecoach.lint.CommandLineTool.PROMTOOL;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.stagecoach.platform.environments.Environment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The alert and recording rules under deploy/prometheus/rules, checked and unit-tested with promtool: every alert
 * has a case where it fires and one where it stays quiet, and the rules read only metrics the services emit.
 */
class PrometheusRulesTests {

	static final Path RULES = PROMETHEUS.resolve("rules");

	static final Path TESTS = PROMETHEUS.resolve("tests");

	/** Metrics a rule reads although no service emits them yet; each is named in deploy/prometheus/README.md. */
	static final Set<String> NOT_EMITTED_YET = Set.of();

	private static final Pattern STAGECOACH_METRIC = Pattern.compile("\\bstagecoach_[a-z0-9_]+\\b(?!\\s*[:=!])");

	private static final Pattern METER_NAME = Pattern.compile("\"(stagecoach(?:\\.[a-z]+)+)\"");

	@Test
	void promtoolAcceptsEveryRuleFile() {
		List<Path> rules = MonitoringFiles.files(RULES, ".yaml");
		assertThat(rules).hasSizeGreaterThanOrEqualTo(4);

		PROMTOOL.run(PROMETHEUS, arguments("check", "rules", rules)).succeeded("promtool check rules");
	}

	@Test
	void everyUnitTestOfTheRulesPasses() {
		List<Path> tests = MonitoringFiles.files(TESTS, ".test.yaml");

		CommandLineTool.Result result = PROMTOOL.run(PROMETHEUS, arguments("test", "rules", tests))
			.succeeded("promtool test rules");

		assertThat(result.output().split("SUCCESS", -1)).as(result.output()).hasSize(tests.size() + 1);
	}

	@Test
	void everyAlertHasACaseWhereItFiresAndOneWhereItDoesNot() {
		Map<String, int[]> cases = new TreeMap<>();
		alertNames().forEach(alert -> cases.put(alert, new int[2]));
		for (Path file : MonitoringFiles.files(TESTS, ".test.yaml")) {
			for (JsonNode test : MonitoringFiles.yaml(file).path("tests")) {
				for (JsonNode alertTest : test.path("alert_rule_test")) {
					String alert = alertTest.path("alertname").asString();
					assertThat(cases).as("%s tests an alert no rule file defines", file.getFileName()).containsKey(alert);
					cases.get(alert)[alertTest.path("exp_alerts").isEmpty() ? 1 : 0]++;
				}
			}
		}

		assertThat(cases).as("alerts by cases where they fire, and where they stay quiet").isNotEmpty()
			.allSatisfy((alert, counts) -> {
				assertThat(counts[0]).as("%s: cases where it fires", alert).isPositive();
				assertThat(counts[1]).as("%s: cases where it stays quiet", alert).isPositive();
			});
	}

	@Test
	void aRuleThatNoLongerFiresFailsItsTest(@TempDir Path copy) {
		Path prometheus = DeployFiles.copyFixture(PROMETHEUS, copy.resolve("prometheus"));
		DeployFiles.edit(prometheus.resolve("rules/stagecoach.rules.yaml"),
				"(increase(stagecoach_smoketests_total{result=\"failed\"}[1h])) >= 3",
				"(increase(stagecoach_smoketests_total{result=\"failed\"}[1h])) >= 30");

		CommandLineTool.Result result = PROMTOOL.run(prometheus, "test", "rules", "tests/pipeline.test.yaml");

		assertThat(result.exitCode()).as(result.output()).isNotZero();
		assertThat(result.output()).contains("alertname: StagecoachSmokeTestsFailing");
	}

	@Test
	void aRuleThatDoesNotParseFailsTheCheck(@TempDir Path copy) {
		Path prometheus = DeployFiles.copyFixture(PROMETHEUS, copy.resolve("prometheus"));
		DeployFiles.edit(prometheus.resolve("rules/cost.rules.yaml"), "expr: vector(0.031611)",
				"expr: vector(0.031611");

		CommandLineTool.Result result = PROMTOOL.run(prometheus, "check", "rules", "rules/cost.rules.yaml");

		assertThat(result.exitCode()).as(result.output()).isNotZero();
		assertThat(result.output()).contains("unclosed left parenthesis");
	}

	@Test
	void theRulesAndDashboardsReadOnlyMetricsTheServicesEmit() {
		Set<String> emitted = emittedMetrics();
		Set<String> read = new TreeSet<>();
		List<Path> sources = new ArrayList<>(MonitoringFiles.files(RULES, ".yaml"));
		sources.addAll(MonitoringFiles.files(MonitoringFiles.GRAFANA.resolve("dashboards"), ".json"));
		for (Path source : sources) {
			Matcher metric = STAGECOACH_METRIC.matcher(DeployFiles.read(source));
			while (metric.find()) {
				read.add(metric.group());
			}
		}

		assertThat(read).contains("stagecoach_promotions_total", "stagecoach_approval_wait_seconds_bucket",
				"stagecoach_lead_time_seconds_sum", "stagecoach_drift", "stagecoach_deliveries_requeued_total");
		assertThat(read).as("metrics the rules and dashboards read that no service emits")
			.allMatch(metric -> emitted.contains(metric) || NOT_EMITTED_YET.contains(metric));
		assertThat(NOT_EMITTED_YET).as("metrics emitted now: take them off the list and out of the README")
			.noneMatch(emitted::contains);
	}

	@Test
	void everyEnvironmentHasABudget() {
		Set<String> budgets = new TreeSet<>();
		for (JsonNode group : MonitoringFiles.yaml(RULES.resolve("budgets.rules.yaml")).path("groups")) {
			for (JsonNode rule : group.path("rules")) {
				if (rule.path("record").asString().equals("stagecoach:budget_per_month")) {
					budgets.add(rule.path("labels").path("environment").asString());
				}
			}
		}

		assertThat(budgets).containsExactlyInAnyOrderElementsOf(
				MonitoringFiles.environments().all().stream().map(Environment::name).toList());
	}

	static Set<String> alertNames() {
		Set<String> alerts = new TreeSet<>();
		for (Path file : MonitoringFiles.files(RULES, ".yaml")) {
			for (JsonNode group : MonitoringFiles.yaml(file).path("groups")) {
				for (JsonNode rule : group.path("rules")) {
					if (rule.has("alert")) {
						alerts.add(rule.path("alert").asString());
					}
				}
			}
		}
		return alerts;
	}

	/**
	 * What Prometheus scrapes from the meters named in the services' and libraries' code: dots become underscores,
	 * a counter gets {@code _total}, a timer {@code _seconds_count}, {@code _sum}, {@code _max} and, with a
	 * histogram, {@code _bucket}.
	 */
	static Set<String> emittedMetrics() {
		Set<String> metrics = new TreeSet<>();
		for (String folder : List.of("services", "libs")) {
			try (Stream<Path> files = Files.walk(MonitoringFiles.DEPLOY.resolveSibling(folder))) {
				for (Path file : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/"))
					.toList()) {
					Matcher meter = METER_NAME.matcher(DeployFiles.read(file));
					while (meter.find()) {
						String name = meter.group(1).replace('.', '_');
						metrics.add(name);
						metrics.add(name + "_total");
						for (String suffix : List.of("count", "sum", "max", "bucket")) {
							metrics.add(name + "_seconds_" + suffix);
						}
					}
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return metrics;
	}

	static String[] arguments(String command, String subcommand, List<Path> files) {
		List<String> arguments = new ArrayList<>(List.of(command, subcommand));
		arguments.addAll(List.of(MonitoringFiles.relative(PROMETHEUS, files)));
		return arguments.toArray(String[]::new);
	}

}
