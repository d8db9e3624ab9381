package io.stagecoach.lint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.stagecoach.events.FlagDefinitions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Feature flag files in OpenFeature's flagd format ({@code *.flagd.json}), one per environment and flag set: each is
 * checked as {@link FlagDefinitions} checks a release's flags (flagd's own schema, read offline, then what the schema
 * cannot say), and the files of one flag set in all environments together: a flag enters at the first environment
 * and moves on like a release, so a flag in an environment that no environment before it has is an error.
 */
final class FlagdChecks {

	static final String FLAG_FILE_SUFFIX = ".flagd.json";

	private FlagdChecks() {
	}

	/** One environment's flags file. */
	record FlagFile(String environment, String display, JsonNode flags) {
	}

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** The file as JSON; a {@link RuntimeException} saying where it is not JSON, or why it cannot be read. */
	static JsonNode read(Path file) {
		try {
			return JSON.readTree(Files.readString(file));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** What is wrong with one environment's file on its own: the schema, then what the schema cannot tell. */
	static List<Finding> check(FlagFile file) {
		return FlagDefinitions.problems(file.flags()).stream()
			.map(problem -> Finding.error(file.display(), problem.message(), problem.fix()))
			.toList();
	}

	/** Problems of one document against flagd's schema; none when it is valid. */
	static List<String> schemaProblems(JsonNode document) {
		return FlagDefinitions.schemaProblems(document);
	}

	/**
	 * The files of every environment, in promotion order: a flag in one environment that no environment before it
	 * has did not come the way releases come.
	 */
	static List<Finding> order(List<FlagFile> inPromotionOrder) {
		List<Finding> findings = new ArrayList<>();
		Map<String, String> seenIn = new LinkedHashMap<>();
		List<String> before = new ArrayList<>();
		for (FlagFile file : inPromotionOrder) {
			Set<String> keys = flags(file.flags()).keySet();
			if (!before.isEmpty()) {
				for (String key : keys) {
					if (!seenIn.containsKey(key)) {
						findings.add(Finding.error(file.display(), "flag '" + key + "' is in " + file.environment()
								+ " but in no environment before it (" + String.join(", ", before) + "): a flag enters at "
								+ before.get(0) + " and is promoted from there like a release",
								"add it to " + before.get(0) + "'s flags and promote it, or remove it from "
										+ file.environment() + " (a flag removed from " + before.get(0)
										+ " on purpose goes from here too)"));
					}
				}
			}
			keys.forEach(key -> seenIn.putIfAbsent(key, file.environment()));
			before.add(file.environment());
		}
		return findings;
	}

	static Map<String, JsonNode> flags(JsonNode document) {
		return FlagDefinitions.flags(document);
	}

}
