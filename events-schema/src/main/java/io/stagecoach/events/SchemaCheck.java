package io.stagecoach.events;

import com.networknt.schema.ExecutionConfig;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.format.Format;
import com.networknt.schema.format.Formats;
import com.networknt.schema.regex.JDKRegularExpressionFactory;
import com.networknt.schema.regex.RegularExpression;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * One shipped schema compiled into plain checks, to tell in a few microseconds that an event is valid. The general
 * validator costs several times more per event (it tracks evaluation paths, annotations and errors for every
 * keyword) and was most of the time a service took to replay its audit stream (ADR 19).
 *
 * <p>It answers only what it is sure of: {@link Verdict#VALID} when the event is valid by the schema, otherwise
 * {@link Verdict#INVALID} or {@link Verdict#UNSURE}, and then the caller asks the general validator, which decides
 * and names every problem. So which events are refused, and how, is the general validator's answer: this only skips
 * it when it would find nothing. Patterns and formats are the general validator's own ({@link RegularExpression},
 * {@link Formats}); anything it is not sure to read exactly as the validator does (a number with a fraction where an
 * integer is expected, a string with surrogate pairs against a length) is {@link Verdict#UNSURE}. A schema with a
 * keyword it does not know is not compiled at all ({@link #compile} throws).
 */
final class SchemaCheck {

    /** The answer for one instance. */
    enum Verdict {
        VALID, INVALID, UNSURE;

        Verdict and(Verdict other) {
            if (this == INVALID || other == INVALID) {
                return INVALID;
            }
            return this == UNSURE || other == UNSURE ? UNSURE : VALID;
        }
    }

    /** Keywords that only annotate: they change no verdict. */
    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$defs", "title", "description",
            "examples", "default", "$comment");

    private final Node root;

    private SchemaCheck(Node root) {
        this.root = root;
    }

    Verdict check(JsonNode instance) {
        return root.check(instance);
    }

    /**
     * Compiles the schema {@code file} of the {@link EventSchemas#CLASSPATH_DIRECTORY}, following its {@code $ref}s.
     *
     * @throws IllegalArgumentException if it uses a keyword or a reference this class cannot check exactly
     */
    static SchemaCheck compile(String file) {
        return new SchemaCheck(new Compiler().compile(file));
    }

    /** A compiled schema: all its keywords' checks. */
    private static final class Node {
        private final List<Check> checks = new ArrayList<>();

        Verdict check(JsonNode instance) {
            Verdict verdict = Verdict.VALID;
            for (Check check : checks) {
                verdict = verdict.and(check.check(instance));
                if (verdict == Verdict.INVALID) {
                    return verdict;
                }
            }
            return verdict;
        }
    }

    @FunctionalInterface
    private interface Check {
        Verdict check(JsonNode instance);
    }

    /** Reads the schema files once, each compiled node once (references may be shared or recursive). */
    private static final class Compiler {
        private final Map<String, JsonNode> documents = new HashMap<>();
        private final Map<JsonNode, Node> compiled = new IdentityHashMap<>();

        Node compile(String file) {
            return compile(file, document(file));
        }

        private JsonNode document(String file) {
            return documents.computeIfAbsent(file, f -> {
                String resource = EventSchemas.CLASSPATH_DIRECTORY + f;
                try (InputStream in = SchemaCheck.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalArgumentException("no schema " + resource + " on the classpath");
                    }
                    return EventCodec.mapper().readTree(in);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read schema " + resource, e);
                }
            });
        }

        private Node compile(String file, JsonNode schema) {
            Node existing = compiled.get(schema);
            if (existing != null) {
                return existing;
            }
            Node node = new Node();
            compiled.put(schema, node);
            if (!schema.isObject()) {
                throw new IllegalArgumentException(file + ": a schema that is not an object: " + schema);
            }
            Set<String> declared = new HashSet<>();
            if (schema.has("properties")) {
                schema.get("properties").properties().forEach(p -> declared.add(p.getKey()));
            }
            for (var entry : schema.properties()) {
                String keyword = entry.getKey();
                JsonNode value = entry.getValue();
                if (ANNOTATIONS.contains(keyword) || keyword.equals("then")) {
                    continue;
                }
                node.checks.add(keyword(file, schema, keyword, value, declared));
            }
            return node;
        }

        private Check keyword(String file, JsonNode schema, String keyword, JsonNode value, Set<String> declared) {
            switch (keyword) {
                case "$ref":
                    return reference(file, value.asString());
                case "type":
                    return type(value.asString());
                case "const":
                    return instance -> equal(instance, value);
                case "enum": {
                    List<JsonNode> values = new ArrayList<>();
                    value.forEach(values::add);
                    return instance -> oneOf(instance, values);
                }
                case "required": {
                    List<String> names = new ArrayList<>();
                    value.forEach(name -> names.add(name.asString()));
                    return instance -> {
                        if (!instance.isObject()) {
                            return Verdict.VALID;
                        }
                        for (String name : names) {
                            if (!instance.has(name)) {
                                return Verdict.INVALID;
                            }
                        }
                        return Verdict.VALID;
                    };
                }
                case "properties": {
                    Map<String, Node> properties = new LinkedHashMap<>();
                    value.properties().forEach(p -> properties.put(p.getKey(), compile(file, p.getValue())));
                    return instance -> {
                        if (!instance.isObject()) {
                            return Verdict.VALID;
                        }
                        Verdict verdict = Verdict.VALID;
                        for (var property : properties.entrySet()) {
                            JsonNode field = instance.get(property.getKey());
                            if (field != null) {
                                verdict = verdict.and(property.getValue().check(field));
                            }
                        }
                        return verdict;
                    };
                }
                case "additionalProperties": {
                    if (schema.has("patternProperties")) {
                        throw unknown(file, "patternProperties");
                    }
                    if (!value.isBoolean()) {
                        Node additional = compile(file, value);
                        return instance -> {
                            if (!instance.isObject()) {
                                return Verdict.VALID;
                            }
                            Verdict verdict = Verdict.VALID;
                            for (var field : instance.properties()) {
                                if (!declared.contains(field.getKey())) {
                                    verdict = verdict.and(additional.check(field.getValue()));
                                }
                            }
                            return verdict;
                        };
                    }
                    if (value.booleanValue()) {
                        return instance -> Verdict.VALID;
                    }
                    return instance -> {
                        if (!instance.isObject()) {
                            return Verdict.VALID;
                        }
                        for (String name : instance.propertyNames()) {
                            if (!declared.contains(name)) {
                                return Verdict.INVALID;
                            }
                        }
                        return Verdict.VALID;
                    };
                }
                case "items": {
                    Node items = compile(file, value);
                    return instance -> {
                        if (!instance.isArray()) {
                            return Verdict.VALID;
                        }
                        Verdict verdict = Verdict.VALID;
                        for (JsonNode item : instance) {
                            verdict = verdict.and(items.check(item));
                        }
                        return verdict;
                    };
                }
                case "contains": {
                    if (schema.has("minContains") || schema.has("maxContains")) {
                        throw unknown(file, "minContains");
                    }
                    Node contains = compile(file, value);
                    return instance -> {
                        if (!instance.isArray()) {
                            return Verdict.VALID;
                        }
                        Verdict verdict = Verdict.INVALID;
                        for (JsonNode item : instance) {
                            Verdict one = contains.check(item);
                            if (one == Verdict.VALID) {
                                return Verdict.VALID;
                            }
                            if (one == Verdict.UNSURE) {
                                verdict = Verdict.UNSURE;
                            }
                        }
                        return verdict;
                    };
                }
                case "minItems":
                    return count(value, true);
                case "maxItems":
                    return count(value, false);
                case "uniqueItems":
                    return value.booleanValue() ? SchemaCheck::unique : instance -> Verdict.VALID;
                case "minLength":
                    return length(value.intValue(), true);
                case "maxLength":
                    return length(value.intValue(), false);
                case "pattern": {
                    RegularExpression pattern = JDKRegularExpressionFactory.getInstance()
                            .getRegularExpression(value.asString());
                    return strings(new Memo(pattern::matches));
                }
                case "format":
                    return format(file, value.asString());
                case "minimum":
                    return bound(value, true);
                case "maximum":
                    return bound(value, false);
                case "allOf": {
                    List<Node> all = new ArrayList<>();
                    value.forEach(sub -> all.add(compile(file, sub)));
                    return instance -> {
                        Verdict verdict = Verdict.VALID;
                        for (Node sub : all) {
                            verdict = verdict.and(sub.check(instance));
                        }
                        return verdict;
                    };
                }
                case "if": {
                    if (schema.has("else")) {
                        throw unknown(file, "else");
                    }
                    Node condition = compile(file, value);
                    Node then = schema.has("then") ? compile(file, schema.get("then")) : new Node();
                    return instance -> {
                        Verdict met = condition.check(instance);
                        return met == Verdict.VALID ? then.check(instance)
                                : met == Verdict.INVALID ? Verdict.VALID : Verdict.UNSURE;
                    };
                }
                default:
                    throw unknown(file, keyword);
            }
        }

        private Check reference(String file, String ref) {
            int hash = ref.indexOf('#');
            String target = hash < 0 ? ref : ref.substring(0, hash);
            String pointer = hash < 0 ? "" : ref.substring(hash + 1);
            String targetFile = target.isEmpty() ? file : target;
            if (targetFile.contains("/") || targetFile.contains(":")) {
                throw new IllegalArgumentException(file + ": $ref " + ref + " is not a shipped schema");
            }
            JsonNode referenced = document(targetFile).at(pointer);
            if (referenced.isMissingNode()) {
                throw new IllegalArgumentException(file + ": $ref " + ref + " points to nothing");
            }
            // a reference back to a schema being compiled gets its node, which is complete before any check runs
            Node node = compile(targetFile, referenced);
            return node::check;
        }

        private static Check format(String file, String name) {
            Format format = Formats.DEFAULT.stream().filter(f -> f.getName().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(file + ": unknown format " + name));
            ExecutionConfig config = ExecutionConfig.builder().formatAssertionsEnabled(true).build();
            return strings(new Memo(text -> format.matches(new ExecutionContext(config), text)));
        }

        /** A check of strings that lets anything else pass, as patterns and formats do. */
        private static Check strings(Memo memo) {
            return instance -> !instance.isString() ? Verdict.VALID
                    : memo.test(instance.asString()) ? Verdict.VALID : Verdict.INVALID;
        }

        private static IllegalArgumentException unknown(String file, String keyword) {
            return new IllegalArgumentException(file + ": keyword " + keyword + " is not compiled");
        }
    }

    /**
     * A pattern's or format's answers for the strings it saw last: the same names, images, digests and sources come
     * back in record after record (a checkpoint repeats every held release), and a regular expression costs more than
     * a lookup. The answer is the same function's, so it changes no verdict; the memory is bounded.
     */
    private static final class Memo implements Predicate<String> {
        static final int MAX_ENTRIES = 4096;
        static final int MAX_LENGTH = 512;

        private final Predicate<String> test;
        private final Map<String, Boolean> answers = new ConcurrentHashMap<>();

        Memo(Predicate<String> test) {
            this.test = test;
        }

        @Override
        public boolean test(String text) {
            if (text.length() > MAX_LENGTH) {
                return test.test(text);
            }
            Boolean known = answers.get(text);
            if (known != null) {
                return known;
            }
            boolean answer = test.test(text);
            if (answers.size() >= MAX_ENTRIES) {
                answers.clear();
            }
            answers.put(text, answer);
            return answer;
        }
    }

    private static Check type(String type) {
        switch (type) {
            case "object":
                return instance -> instance.isObject() ? Verdict.VALID : Verdict.INVALID;
            case "array":
                return instance -> instance.isArray() ? Verdict.VALID : Verdict.INVALID;
            case "string":
                return instance -> instance.isString() ? Verdict.VALID : Verdict.INVALID;
            case "boolean":
                return instance -> instance.isBoolean() ? Verdict.VALID : Verdict.INVALID;
            case "null":
                return instance -> instance.isNull() ? Verdict.VALID : Verdict.INVALID;
            case "number":
                return instance -> instance.isNumber() ? Verdict.VALID : Verdict.INVALID;
            case "integer":
                // 1.0 is an integer to JSON Schema; whether to the validator too is its call
                return instance -> instance.isIntegralNumber() ? Verdict.VALID
                        : instance.isNumber() ? Verdict.UNSURE : Verdict.INVALID;
            default:
                throw new IllegalArgumentException("type " + type + " is not compiled");
        }
    }

    /** Equal as JSON; numbers of different kinds (1 and 1.0) are left to the validator. */
    private static Verdict equal(JsonNode instance, JsonNode expected) {
        if (instance.equals(expected)) {
            return Verdict.VALID;
        }
        return instance.isNumber() && expected.isNumber() || containsNumber(instance) ? Verdict.UNSURE
                : Verdict.INVALID;
    }

    private static Verdict oneOf(JsonNode instance, List<JsonNode> values) {
        Verdict verdict = Verdict.INVALID;
        for (JsonNode value : values) {
            Verdict one = equal(instance, value);
            if (one == Verdict.VALID) {
                return one;
            }
            if (one == Verdict.UNSURE) {
                verdict = Verdict.UNSURE;
            }
        }
        return verdict;
    }

    private static boolean containsNumber(JsonNode node) {
        if (node.isNumber()) {
            return true;
        }
        for (JsonNode child : node) {
            if (containsNumber(child)) {
                return true;
            }
        }
        return false;
    }

    /** Unique strings are sure; anything else (numbers 1 and 1.0, objects) goes to the validator. */
    private static Verdict unique(JsonNode instance) {
        if (!instance.isArray()) {
            return Verdict.VALID;
        }
        Set<String> seen = new HashSet<>();
        for (JsonNode item : instance) {
            if (!item.isString()) {
                return Verdict.UNSURE;
            }
            if (!seen.add(item.asString())) {
                return Verdict.INVALID;
            }
        }
        return Verdict.VALID;
    }

    private static Check count(JsonNode limit, boolean minimum) {
        int bound = limit.intValue();
        return instance -> {
            if (!instance.isArray()) {
                return Verdict.VALID;
            }
            boolean within = minimum ? instance.size() >= bound : instance.size() <= bound;
            return within ? Verdict.VALID : Verdict.INVALID;
        };
    }

    /** Lengths count code points; a string with surrogate pairs is left to the validator. */
    private static Check length(int bound, boolean minimum) {
        return instance -> {
            if (!instance.isString()) {
                return Verdict.VALID;
            }
            String text = instance.asString();
            if (text.codePointCount(0, text.length()) != text.length()) {
                return Verdict.UNSURE;
            }
            boolean within = minimum ? text.length() >= bound : text.length() <= bound;
            return within ? Verdict.VALID : Verdict.INVALID;
        };
    }

    /** Integers are compared exactly; a number with a fraction is left to the validator. */
    private static Check bound(JsonNode limit, boolean minimum) {
        BigDecimal bound = limit.decimalValue();
        return instance -> {
            if (!instance.isNumber()) {
                return Verdict.VALID;
            }
            if (!instance.isIntegralNumber()) {
                return Verdict.UNSURE;
            }
            int order = new BigDecimal(instance.bigIntegerValue()).compareTo(bound);
            return (minimum ? order >= 0 : order <= 0) ? Verdict.VALID : Verdict.INVALID;
        };
    }
}
