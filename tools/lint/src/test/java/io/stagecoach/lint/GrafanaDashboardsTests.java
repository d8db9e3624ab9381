package io.stagecoach.lint;

import static io.stagecoach.lint.CommandLineTool.PROMTOOL;
import static io.stagecoach.lint.MonitoringFiles.GRAFANA;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboards under deploy/grafana/dashboards as Grafana would load them with deploy/grafana/provisioning: every
 * PromQL expression parses (promtool, through a rule file of them), every panel has an id and a place on the grid,
 * every data source is provisioned or chosen by a data source variable, and every variable used is defined.
 */
class GrafanaDashboardsTests {

	static final JsonMapper JSON = JsonMapper.builder().build();

	/** $name, ${name}, ${name:format} and [[name]]. */
	static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)|\\[\\[(\\w+)]]");

	/** Grafana's own variables, with a value of the kind Grafana puts in their place. */
	static final Map<String, String> BUILT_IN = Map.of("__rate_interval", "2m", "__interval", "1m", "__range", "1d",
			"__range_s", "86400", "__interval_ms", "60000");

	static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*\\w+\\)");

	static Stream<Path> dashboards() {
		List<Path> dashboards = MonitoringFiles.files(GRAFANA.resolve("dashboards"), ".json");
		assertThat(dashboards).isNotEmpty();
		return dashboards.stream();
	}

	@ParameterizedTest
	@MethodSource("dashboards")
	void everyExpressionParses(Path dashboard, @TempDir Path folder) {
		Map<String, String> expressions = expressions(JSON.readTree(dashboard.toFile()));
		assertThat(expressions).hasSizeGreaterThan(10);

		CommandLineTool.Result result = checkAsRules(expressions, folder);

		result.succeeded("promtool check rules on the expressions of " + dashboard.getFileName());
		assertThat(result.output()).contains("SUCCESS: " + expressions.size() + " rules found");
	}

	@Test
	void anExpressionThatDoesNotParseFailsAndIsNamed(@TempDir Path folder) {
		Map<String, String> expressions = expressions(JSON.readTree(dashboards().findFirst().orElseThrow().toFile()));
		String broken = expressions.keySet().stream().filter(name -> name.contains("panel_9_")).findFirst().orElseThrow();
		expressions.put(broken, expressions.get(broken).replaceFirst("\\)", ""));

		CommandLineTool.Result result = checkAsRules(expressions, folder);

		assertThat(result.exitCode()).as(result.output()).isNotZero();
		assertThat(result.output()).contains(broken);
	}

	@ParameterizedTest
	@MethodSource("dashboards")
	void everyPanelHasAnIdAndItsOwnPlaceOnTheGrid(Path dashboard) {
		List<JsonNode> panels = panels(JSON.readTree(dashboard.toFile()));
		Set<Integer> ids = new TreeSet<>();
		List<int[]> taken = new ArrayList<>();

		for (JsonNode panel : panels) {
			String title = panel.path("title").asString();
			assertThat(panel.path("id").isInt()).as("%s: id", title).isTrue();
			assertThat(ids.add(panel.path("id").asInt())).as("%s: id %s is unique", title, panel.path("id")).isTrue();
			JsonNode grid = panel.path("gridPos");
			int x = grid.path("x").asInt(-1);
			int y = grid.path("y").asInt(-1);
			int w = grid.path("w").asInt(0);
			int h = grid.path("h").asInt(0);
			assertThat(x).as("%s: gridPos.x", title).isBetween(0, 23);
			assertThat(y).as("%s: gridPos.y", title).isNotNegative();
			assertThat(w).as("%s: gridPos.w", title).isBetween(1, 24 - x);
			assertThat(h).as("%s: gridPos.h", title).isPositive();
			for (int[] other : taken) {
				boolean overlaps = x < other[0] + other[2] && other[0] < x + w && y < other[1] + other[3]
						&& other[1] < y + h;
				assertThat(overlaps).as("%s overlaps the panel at %d,%d", title, other[0], other[1]).isFalse();
			}
			taken.add(new int[] { x, y, w, h });
		}
	}

	@ParameterizedTest
	@MethodSource("dashboards")
	void everyDataSourceIsProvisionedOrChosenByADataSourceVariable(Path dashboard) {
		JsonNode tree = JSON.readTree(dashboard.toFile());
		Map<String, String> provisioned = new LinkedHashMap<>();
		for (JsonNode source : MonitoringFiles.yaml(GRAFANA.resolve("provisioning/datasources/prometheus.yaml"))
			.path("datasources")) {
			provisioned.put(source.path("uid").asString(), source.path("type").asString());
		}
		Map<String, JsonNode> variables = variables(tree);
		List<JsonNode> references = new ArrayList<>();
		collect(tree, "datasource", references);
		assertThat(references).hasSizeGreaterThan(10);

		for (JsonNode reference : references) {
			if (!reference.isObject()) {
				continue;
			}
			String uid = reference.path("uid").asString();
			Matcher variable = VARIABLE.matcher(uid);
			if (variable.matches()) {
				JsonNode chosen = variables.get(name(variable));
				assertThat(chosen).as("data source variable %s", uid).isNotNull();
				assertThat(chosen.path("type").asString()).isEqualTo("datasource");
				assertThat(provisioned).as("data sources of the type %s offers", uid)
					.containsValue(chosen.path("query").asString());
			}
			else {
				assertThat(provisioned).as("data source uid %s", uid).containsKey(uid);
			}
			assertThat(reference.path("type").asString()).isEqualTo("prometheus");
		}
	}

	@ParameterizedTest
	@MethodSource("dashboards")
	void everyVariableUsedIsDefinedAndEveryQuerySelectsTheEnvironment(Path dashboard) {
		JsonNode tree = JSON.readTree(dashboard.toFile());
		Set<String> defined = new TreeSet<>(variables(tree).keySet());
		assertThat(defined).contains("environment");
		Set<String> used = new TreeSet<>();
		Matcher variable = VARIABLE.matcher(tree.toString());
		while (variable.find()) {
			used.add(name(variable));
		}

		assertThat(used).as("variables used").contains("environment")
			.allMatch(name -> defined.contains(name) || BUILT_IN.containsKey(name));
		expressions(tree).forEach((name, expression) -> {
			if (!name.startsWith("grafana:variable_")) {
				assertThat(expression).as(name).contains("environment=\"dev\"");
			}
		});
	}

	/** promtool check rules on a rule file recording every expression under its name. */
	static CommandLineTool.Result checkAsRules(Map<String, String> expressions, Path folder) {
		List<Map<String, String>> rules = new ArrayList<>();
		expressions.forEach((name, expression) -> rules.add(Map.of("record", name, "expr", expression)));
		Path file = folder.resolve("dashboard.rules.yaml");
		DeployFiles.write(file, MonitoringFiles.YAML
			.writeValueAsString(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules)))));
		return PROMTOOL.run(folder, "check", "rules", file.getFileName().toString());
	}

	/**
	 * Every PromQL expression of a dashboard (panel targets, annotations, query variables), named after where it is,
	 * with its variables replaced by what Grafana would put there ($environment by an environment's name).
	 */
	static Map<String, String> expressions(JsonNode dashboard) {
		Map<String, String> expressions = new LinkedHashMap<>();
		for (JsonNode panel : panels(dashboard)) {
			for (JsonNode target : panel.path("targets")) {
				expressions.put("grafana:panel_" + panel.path("id").asInt() + "_" + target.path("refId").asString(),
						substitute(target.path("expr").asString()));
			}
		}
		int annotation = 0;
		for (JsonNode each : dashboard.path("annotations").path("list")) {
			if (each.has("expr")) {
				expressions.put("grafana:annotation_" + annotation++, substitute(each.path("expr").asString()));
			}
		}
		variables(dashboard).forEach((name, variable) -> {
			if (variable.path("type").asString().equals("query")) {
				Matcher query = LABEL_VALUES.matcher(variable.path("query").path("query").asString());
				assertThat(query.matches()).as("variable %s: label_values(selector, label)", name).isTrue();
				expressions.put("grafana:variable_" + name, substitute(query.group(1)));
			}
		});
		return expressions;
	}

	static String substitute(String expression) {
		Matcher variable = VARIABLE.matcher(expression);
		StringBuilder replaced = new StringBuilder();
		while (variable.find()) {
			String name = name(variable);
			variable.appendReplacement(replaced,
					Matcher.quoteReplacement(name.equals("environment") ? "dev" : BUILT_IN.getOrDefault(name, "x")));
		}
		return variable.appendTail(replaced).toString();
	}

	static String name(Matcher variable) {
		for (int group = 1; group <= variable.groupCount(); group++) {
			if (variable.group(group) != null) {
				return variable.group(group);
			}
		}
		throw new IllegalStateException(variable.group());
	}

	/** Every panel, those inside collapsed rows too. */
	static List<JsonNode> panels(JsonNode dashboard) {
		List<JsonNode> panels = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels")) {
			panels.add(panel);
			panel.path("panels").forEach(panels::add);
		}
		return panels;
	}

	static Map<String, JsonNode> variables(JsonNode dashboard) {
		Map<String, JsonNode> variables = new LinkedHashMap<>();
		dashboard.path("templating")
			.path("list")
			.forEach(variable -> variables.put(variable.path("name").asString(), variable));
		return variables;
	}

	static void collect(JsonNode node, String field, List<JsonNode> found) {
		if (node.isObject()) {
			node.properties().forEach(entry -> {
				if (entry.getKey().equals(field)) {
					found.add(entry.getValue());
				}
				collect(entry.getValue(), field, found);
			});
		}
		else if (node.isArray()) {
			node.forEach(child -> collect(child, field, found));
		}
	}

}
