package io.stagecoach.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Feature flag files in flagd's format, one per environment: flagd's own schema cases, the rules the schema cannot
 * state, and a flag that skipped the environments before it.
 */
class FlagFilesTests {

	static final Path SCHEMA_CASES = Path.of("src/test/resources/flagd-schema-cases");

	@TempDir
	Path repository;

	static Stream<Path> positive() throws IOException {
		return Files.list(SCHEMA_CASES.resolve("positive")).sorted();
	}

	static Stream<Path> negative() throws IOException {
		return Files.list(SCHEMA_CASES.resolve("negative")).sorted();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("positive")
	void flagdsOwnValidExamplesPassItsSchema(Path example) {
		assertThat(FlagdChecks.schemaProblems(FlagdChecks.read(example))).isEmpty();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("negative")
	void flagdsOwnInvalidExamplesAreRefusedWithWhereAndWhy(Path example) {
		assertThat(FlagdChecks.schemaProblems(FlagdChecks.read(example))).isNotEmpty();
	}

	static String flags(String... flags) {
		return "{\n  \"$schema\": \"https://flagd.dev/schema/v0/flags.json\",\n  \"flags\": {\n"
				+ String.join(",\n", flags) + "\n  }\n}\n";
	}

	static String flag(String key, String defaultVariant) {
		return "    \"" + key + "\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, "
				+ "\"defaultVariant\": \"" + defaultVariant + "\"}";
	}

	static String rollout(String key, String firstVariant, int firstWeight, int secondWeight) {
		return "    \"" + key + "\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, "
				+ "\"defaultVariant\": \"off\", \"targeting\": {\"fractional\": [{\"var\": \"targetingKey\"}, [\""
				+ firstVariant + "\", " + firstWeight + "], [\"off\", " + secondWeight + "]]}}";
	}

	void write(String file, String content) {
		try {
			Path path = repository.resolve(file);
			Files.createDirectories(path.getParent());
			Files.writeString(path, content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	List<String> lint() {
		return new Linter("files", "developers").lint(repository).findings().stream().map(Finding::line).toList();
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			a valid rollout of 10 % | new-checkout | on  | 10 | 90 | -
			a default it lacks      | new-checkout | on  | 10 | 90 | defaults to variant 'maybe'
			a bucket it lacks       | new-checkout | onn | 10 | 90 | rolls out variant 'onn' in a fractional rule, which it does not have (its variants: on, off)
			weights of nothing      | new-checkout | on  | 0  | 0  | has a fractional rule whose weights add up to 0
			""")
	void whatTheSchemaCannotSayIsCheckedFlagByFlag(String what, String key, String variant, int first, int second,
			String problem) {
		String rollout = rollout(key, variant, first, second);
		if (problem.startsWith("defaults")) {
			rollout = rollout.replace("\"defaultVariant\": \"off\"", "\"defaultVariant\": \"maybe\"");
		}
		write("flags/dev.flagd.json", flags(rollout));

		List<String> findings = lint();

		if (problem.equals("-")) {
			assertThat(findings).isEmpty();
		}
		else {
			assertThat(findings).singleElement().asString().startsWith("flags/dev.flagd.json: error: flag 'new-checkout' ")
				.contains(problem);
		}
	}

	@Test
	void aFileFlagdsSchemaRefusesIsAnErrorThatSaysWhere() {
		write("flags/dev.flagd.json", flags("    \"new-checkout\": {\"state\": \"ON\", \"variants\": {\"on\": true}, "
				+ "\"defaultVariant\": \"on\"}"));

		assertThat(lint()).isNotEmpty().allSatisfy(line -> assertThat(line)
			.startsWith("flags/dev.flagd.json: error: not a valid flagd flag file: ")
			.contains("flag-definitions"));
		assertThat(lint()).anySatisfy(line -> assertThat(line).contains("state"));
	}

	@Test
	void aProdFlagThatDevNeverHadIsAnError() {
		write("flags/dev.flagd.json", flags(flag("dark-mode", "off")));
		write("flags/staging.flagd.json", flags(flag("dark-mode", "off")));
		write("flags/prod.flagd.json", flags(flag("dark-mode", "on"), flag("new-checkout", "on")));

		assertThat(lint()).containsExactly("flags/prod.flagd.json: error: flag 'new-checkout' is in prod but in no "
				+ "environment before it (dev, staging): a flag enters at dev and is promoted from there like a release — "
				+ "fix: add it to dev's flags and promote it, or remove it from prod (a flag removed from dev on purpose "
				+ "goes from here too)");
	}

	@Test
	void eachServicesFlagsAsTheDeployTargetWritesThemAreAFlagSetOfTheirOwnInPromotionOrder() {
		write("flags/dev/checkout.flagd.json", flags(flag("new-checkout", "off")));
		write("flags/prod/checkout.flagd.json", flags(flag("new-checkout", "on")));
		write("flags/dev/search.flagd.json", flags(flag("fuzzy", "off")));
		write("flags/prod/search.flagd.json", flags(flag("fuzzy", "on"), flag("new-checkout", "on")));
		write("flags/prod/billing.flagd.json", flags(flag("invoices", "on")));

		assertThat(lint()).containsExactlyInAnyOrder(
				"flags/prod/search.flagd.json: error: flag 'new-checkout' is in prod but in no environment before it "
						+ "(dev): a flag enters at dev and is promoted from there like a release — fix: add it to dev's "
						+ "flags and promote it, or remove it from prod (a flag removed from dev on purpose goes from "
						+ "here too)",
				"flags/prod/billing.flagd.json: error: prod has flags for billing, and dev has no flags file for it: a "
						+ "flag enters at dev and is promoted from there — fix: add dev's flags file "
						+ "(dev/billing.flagd.json) with the flags");
	}

	@Test
	void twoFlagsFilesOfOneSetInOneEnvironmentAreAnError() {
		write("flags/dev/checkout.flagd.json", flags(flag("new-checkout", "off")));
		write("overlays/dev/checkout.flagd.json", flags(flag("new-checkout", "off")));

		assertThat(lint()).singleElement().asString().contains("dev has a second flags file for checkout besides ")
			.contains("keep one flags file per environment and flag set");
	}

	@Test
	void flagsOnTheirWayThroughTheEnvironmentsAreFine() {
		write("overlays/dev/flags.flagd.json", flags(flag("dark-mode", "on"), rollout("new-checkout", "on", 5, 95)));
		write("overlays/staging/flags.flagd.json", flags(flag("dark-mode", "on")));
		write("overlays/prd/flags.flagd.json", flags(flag("dark-mode", "off")));

		Report report = new Linter("files", "developers").lint(repository);

		assertThat(report.findings()).isEmpty();
		assertThat(report.placements()).extracting(Placement::line).contains(
				"checked overlays/prd/flags.flagd.json as prod: folder \"prd\", an alias of prod");
	}

	@Test
	void prodFlagsWithoutAnyDevFlagsFileAreAnError() {
		write("flags/prod.flagd.json", flags(flag("dark-mode", "on")));

		assertThat(lint()).containsExactly("flags/prod.flagd.json: error: prod has flags, and dev has no flags file: a "
				+ "flag enters at dev and is promoted from there — fix: add dev's flags file (dev.flagd.json) with the flags");
	}
}
