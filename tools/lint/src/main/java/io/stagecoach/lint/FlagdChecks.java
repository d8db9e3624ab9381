package io.stagecoach.lint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Feature flag files in OpenFeature's flagd format ({@code *.flagd.json}), one per environment: each is checked
 * against flagd's own schema (shipped with the linter, read offline), then for what the schema cannot say (a default
 * or a fractional rollout naming a variant the flag does not have, weights that share out nothing), and the files of
 * all environments together: a flag enters at the first environment and moves on like a release, so a flag in an
 * environment that no environment before it has is an error.
 */
final class FlagdChecks {

	/** Where flagd's schemas say they live; resolved from the linter's own copy. */
	static final String SCHEMA_BASE = "https://flagd.dev/schema/v0/";

	static final String FLAG_FILE_SUFFIX = ".flagd.json";

	private static final String SCHEMA_FIX = "correct it as flagd's flag definition schema says "
			+ "(https://flagd.dev/reference/flag-definitions/)";

	private FlagdChecks() {
	}

	/** One environment's flags file. */
	record FlagFile(String environment, String display, JsonNode flags) {
	}

	private static final class Holder {

		/** flagd's daemon schema, which also takes flags as an array. */
		static final Schema FLAGD;

		/** The providers' schema, for a file that names it in {@code $schema}. */
		static final Schema FLAGS;

		static {
			SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7,
					builder -> builder.schemaLoader(loader -> loader
						.schemaIdResolvers(ids -> ids.mapPrefix(SCHEMA_BASE, "classpath:io/stagecoach/lint/flagd/"))
						.fetchRemoteResources(false)));
			FLAGD = registry.getSchema(SchemaLocation.of(SCHEMA_BASE + "flagd.json"));
			FLAGD.initializeValidators();
			FLAGS = registry.getSchema(SchemaLocation.of(SCHEMA_BASE + "flags.json"));
			FLAGS.initializeValidators();
		}

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

	/**
	 * Problems of one file against flagd's schema, as {@code <where>: <what>}; none when it is valid. The file is read
	 * by the flagd daemon, so its schema applies, unless the file's {@code $schema} names the providers' one.
	 */
	static List<String> schemaProblems(JsonNode document) {
		Schema schema = document.path("$schema").asString("").endsWith("/flags.json") ? Holder.FLAGS : Holder.FLAGD;
		List<Error> errors = schema.validate(document);
		List<String> locations = errors.stream().map(FlagdChecks::location).toList();
		// a oneOf (flags as an object or an array; variants all of one type) fails with every branch's errors:
		// where a deeper error says what is wrong, the branches at its parents say nothing more
		Map<String, Set<String>> expectedTypes = new LinkedHashMap<>();
		Map<String, String> foundTypes = new LinkedHashMap<>();
		Set<String> problems = new LinkedHashSet<>();
		for (Error error : errors) {
			String where = location(error);
			String keyword = error.getKeyword() == null ? "" : error.getKeyword();
			boolean deeper = locations.stream().anyMatch(other -> other.startsWith(where + "/"));
			if (deeper && (keyword.equals("oneOf") || keyword.equals("anyOf") || keyword.equals("type"))) {
				continue;
			}
			String message = error.getMessage() == null ? error.toString() : error.getMessage();
			java.util.regex.Matcher type = TYPE_MESSAGE.matcher(message);
			if (keyword.equals("type") && type.matches()) {
				foundTypes.put(where, type.group(1));
				expectedTypes.computeIfAbsent(where, w -> new java.util.TreeSet<>()).add(type.group(2));
				problems.add("type " + where);
				continue;
			}
			problems.add(message.startsWith(where) || where.isEmpty() ? message : where + ": " + message);
		}
		List<String> described = new ArrayList<>();
		for (String problem : problems) {
			if (problem.startsWith("type ")) {
				String where = problem.substring(5);
				described.add(where + ": " + foundTypes.get(where) + " found, " + String.join(" or ",
						expectedTypes.get(where)) + " expected");
			}
			else {
				described.add(problem);
			}
		}
		return described;
	}

	private static final java.util.regex.Pattern TYPE_MESSAGE = java.util.regex.Pattern
		.compile(".*?(\\w+) found, (\\w+) expected");

	private static String location(Error error) {
		return error.getInstanceLocation() == null ? "" : error.getInstanceLocation().toString();
	}

	/** What is wrong with one environment's file on its own: the schema, then what the schema cannot tell. */
	static List<Finding> check(FlagFile file) {
		List<Finding> findings = new ArrayList<>();
		List<String> problems = schemaProblems(file.flags());
		if (!problems.isEmpty()) {
			// a file the schema refuses has no shape to say more about
			problems.forEach(problem -> findings.add(Finding.error(file.display(), "not a valid flagd flag file: "
					+ problem, SCHEMA_FIX)));
			return findings;
		}
		flags(file.flags()).forEach((key, flag) -> {
			Set<String> variants = new LinkedHashSet<>();
			flag.path("variants").propertyNames().forEach(variants::add);
			JsonNode defaultVariant = flag.path("defaultVariant");
			if (defaultVariant.isString() && !variants.contains(defaultVariant.asString())) {
				findings.add(Finding.error(file.display(), "flag '" + key + "' defaults to variant '"
						+ defaultVariant.asString() + "', which it does not have (its variants: "
						+ String.join(", ", variants) + ")", "name one of its variants in defaultVariant"));
			}
			fractionals(flag.path("targeting"), findings, file.display(), key, variants);
		});
		return findings;
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

	/** A file's flags by key: its {@code flags} object (flagd also takes an array, each with a {@code key}). */
	static Map<String, JsonNode> flags(JsonNode document) {
		Map<String, JsonNode> flags = new LinkedHashMap<>();
		JsonNode node = document.path("flags");
		if (node.isObject()) {
			node.properties().forEach(entry -> flags.put(entry.getKey(), entry.getValue()));
		}
		else if (node.isArray()) {
			node.forEach(flag -> flags.put(flag.path("key").asString(""), flag));
		}
		return flags;
	}

	/**
	 * Every {@code fractional} rule in a targeting: each bucket names a variant of the flag, and the weights share
	 * out something (flagd puts everyone in no bucket when they are all 0).
	 */
	private static void fractionals(JsonNode node, List<Finding> findings, String display, String key,
			Set<String> variants) {
		if (node.isArray()) {
			node.forEach(child -> fractionals(child, findings, display, key, variants));
			return;
		}
		if (!node.isObject()) {
			return;
		}
		JsonNode fractional = node.path("fractional");
		if (fractional.isArray()) {
			long total = 0;
			boolean weighted = false;
			for (JsonNode bucket : fractional) {
				if (!bucket.isArray() || bucket.isEmpty() || !bucket.get(0).isString()) {
					continue;
				}
				String variant = bucket.get(0).asString();
				if (!variants.contains(variant)) {
					findings.add(Finding.error(display, "flag '" + key + "' rolls out variant '" + variant
							+ "' in a fractional rule, which it does not have (its variants: " + String.join(", ", variants)
							+ ")", "name one of its variants in each bucket"));
				}
				if (bucket.size() > 1 && bucket.get(1).isNumber()) {
					weighted = true;
					total += bucket.get(1).asLong();
				}
			}
			if (weighted && total <= 0) {
				findings.add(Finding.error(display, "flag '" + key + "' has a fractional rule whose weights add up to "
						+ total, "give at least one bucket a positive weight"));
			}
		}
		node.properties().forEach(entry -> fractionals(entry.getValue(), findings, display, key, variants));
	}

}
