package io.stagecoach.events;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Feature flag definitions in OpenFeature's flagd format: checked against flagd's own schemas (shipped here, read
 * offline), then for what the schemas cannot say: a default or a {@code fractional} bucket naming a variant the flag
 * does not have, and weights that share out nothing. Used for the flags a release carries and by the linter for the
 * flags files of a deploy tree.
 */
public final class FlagDefinitions {

    /** Where flagd's schemas say they live; resolved from the copy on the classpath. */
    public static final String SCHEMA_BASE = "https://flagd.dev/schema/v0/";

    /** What to do about a schema problem. */
    public static final String SCHEMA_FIX = "correct it as flagd's flag definition schema says "
            + "(https://flagd.dev/reference/flag-definitions/)";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Pattern TYPE_MESSAGE = Pattern.compile(".*?(\\w+) found, (\\w+) expected");

    private FlagDefinitions() {
    }

    /** One thing wrong with a flag definition, and what to do about it. */
    public record Problem(String message, String fix) {

        @Override
        public String toString() {
            return message;
        }
    }

    private static final class Holder {

        /** flagd's daemon schema, which also takes flags as an array. */
        static final Schema FLAGD;

        /** The providers' schema, for a document that names it in {@code $schema}. */
        static final Schema FLAGS;

        static {
            SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7,
                    builder -> builder.schemaLoader(loader -> loader
                            .schemaIdResolvers(ids -> ids.mapPrefix(SCHEMA_BASE, "classpath:io/stagecoach/events/flagd/"))
                            .fetchRemoteResources(false)));
            FLAGD = registry.getSchema(SchemaLocation.of(SCHEMA_BASE + "flagd.json"));
            FLAGD.initializeValidators();
            FLAGS = registry.getSchema(SchemaLocation.of(SCHEMA_BASE + "flags.json"));
            FLAGS.initializeValidators();
        }
    }

    /** {@code text} as JSON; an {@link IllegalArgumentException} saying where it is not JSON. */
    public static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr()), e);
        }
    }

    /** Everything wrong with {@code document}: its schema problems, or (when it has none) what the schema cannot say. */
    public static List<Problem> problems(JsonNode document) {
        if (document == null || !document.isObject()) {
            return List.of(new Problem("not a JSON object", "make it a JSON object as flagd reads it"));
        }
        List<String> schema = schemaProblems(document);
        if (!schema.isEmpty()) {
            // a document the schema refuses has no shape to say more about
            return schema.stream().map(problem -> new Problem("not a valid flagd flag file: " + problem,
                    SCHEMA_FIX)).toList();
        }
        List<Problem> problems = new ArrayList<>();
        flags(document).forEach((key, flag) -> {
            Set<String> variants = new LinkedHashSet<>();
            flag.path("variants").propertyNames().forEach(variants::add);
            JsonNode defaultVariant = flag.path("defaultVariant");
            if (defaultVariant.isString() && !variants.contains(defaultVariant.asString())) {
                problems.add(new Problem("flag '" + key + "' defaults to variant '" + defaultVariant.asString()
                        + "', which it does not have (its variants: " + String.join(", ", variants) + ")",
                        "name one of its variants in defaultVariant"));
            }
            fractionals(flag.path("targeting"), problems, key, variants);
        });
        return problems;
    }

    /**
     * Problems of one document against flagd's schema, as {@code <where>: <what>}; none when it is valid. flagd
     * itself reads the document, so its schema applies, unless the document's {@code $schema} names the providers'.
     */
    public static List<String> schemaProblems(JsonNode document) {
        Schema schema = document.path("$schema").asString("").endsWith("/flags.json") ? Holder.FLAGS : Holder.FLAGD;
        List<Error> errors = schema.validate(document);
        List<String> locations = errors.stream().map(FlagDefinitions::location).toList();
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
            Matcher type = TYPE_MESSAGE.matcher(message);
            if (keyword.equals("type") && type.matches()) {
                foundTypes.put(where, type.group(1));
                expectedTypes.computeIfAbsent(where, w -> new TreeSet<>()).add(type.group(2));
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
            } else {
                described.add(problem);
            }
        }
        return described;
    }

    /** A document's flags by key: its {@code flags} object (flagd also takes an array, each with a {@code key}). */
    public static Map<String, JsonNode> flags(JsonNode document) {
        Map<String, JsonNode> flags = new LinkedHashMap<>();
        JsonNode node = document.path("flags");
        if (node.isObject()) {
            node.properties().forEach(entry -> flags.put(entry.getKey(), entry.getValue()));
        } else if (node.isArray()) {
            node.forEach(flag -> flags.put(flag.path("key").asString(""), flag));
        }
        return flags;
    }

    private static String location(Error error) {
        return error.getInstanceLocation() == null ? "" : error.getInstanceLocation().toString();
    }

    /**
     * Every {@code fractional} rule in a targeting: each bucket names a variant of the flag, and the weights share
     * out something (flagd puts everyone in no bucket when they are all 0).
     */
    private static void fractionals(JsonNode node, List<Problem> problems, String key, Set<String> variants) {
        if (node.isArray()) {
            node.forEach(child -> fractionals(child, problems, key, variants));
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
                    problems.add(new Problem("flag '" + key + "' rolls out variant '" + variant
                            + "' in a fractional rule, which it does not have (its variants: "
                            + String.join(", ", variants) + ")", "name one of its variants in each bucket"));
                }
                if (bucket.size() > 1 && bucket.get(1).isNumber()) {
                    weighted = true;
                    total += bucket.get(1).asLong();
                }
            }
            if (weighted && total <= 0) {
                problems.add(new Problem("flag '" + key + "' has a fractional rule whose weights add up to " + total,
                        "give at least one bucket a positive weight"));
            }
        }
        node.properties().forEach(entry -> fractionals(entry.getValue(), problems, key, variants));
    }
}
