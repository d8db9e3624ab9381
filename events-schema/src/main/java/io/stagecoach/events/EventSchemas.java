package io.stagecoach.events;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The shipped JSON Schemas, loaded from the classpath once per class loader and turned into problem
 * messages that name the field. Schema ids live under {@link #BASE_ID}, which maps to the classpath:
 * nothing is ever fetched over the network.
 */
final class EventSchemas {

    /** Base of every schema's {@code $id}; relative {@code $ref}s resolve against it. */
    static final String BASE_ID = "https://stagecoach.io/schemas/events/";

    /** Where the schemas live on the classpath (a resource path without the leading slash). */
    static final String CLASSPATH_DIRECTORY = "io/stagecoach/events/schemas/";

    static final String ENVELOPE = "envelope.v1.schema.json";
    static final String DEFINITIONS = "definitions.v1.schema.json";

    private static final int MAX_VALUE_IN_MESSAGE = 80;

    private final Schema envelope;
    private final Map<EventType, Schema> byType;
    /** The same schemas as plain checks: a valid event passes them without the general validator. */
    private final Map<EventType, SchemaCheck> checks;

    private EventSchemas() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .formatAssertionsEnabled(true)
                .build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder
                        .schemaRegistryConfig(config)
                        .schemaLoader(loader -> loader
                                .schemaIdResolvers(ids -> ids.mapPrefix(BASE_ID, "classpath:" + CLASSPATH_DIRECTORY))
                                .fetchRemoteResources(false)));
        this.envelope = load(registry, ENVELOPE);
        Map<EventType, Schema> schemas = new EnumMap<>(EventType.class);
        Map<EventType, SchemaCheck> compiled = new EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) {
            schemas.put(type, load(registry, fileName(type)));
            compiled.put(type, SchemaCheck.compile(fileName(type)));
        }
        this.byType = schemas;
        this.checks = compiled;
    }

    static EventSchemas get() {
        return Holder.INSTANCE;
    }

    /** The file name of a type's schema within {@link #CLASSPATH_DIRECTORY}. */
    static String fileName(EventType type) {
        String resource = type.schemaResource();
        return resource.substring(resource.lastIndexOf('/') + 1);
    }

    /**
     * Problems of {@code event} against its type's schema (which includes the envelope's). An event the compiled
     * checks find valid has none; any other is judged, and its problems named, by the general validator.
     */
    List<String> validate(EventType type, JsonNode event) {
        if (checks.get(type).check(event) == SchemaCheck.Verdict.VALID) {
            return new ArrayList<>();
        }
        return describe(byType.get(type).validate(event));
    }

    /** The general validator's problems of {@code event}, without the compiled checks: to hold them to it. */
    List<String> validateInFull(EventType type, JsonNode event) {
        return describe(byType.get(type).validate(event));
    }

    /** Problems of {@code event} against the envelope alone, for events whose type is not known. */
    List<String> validateEnvelope(JsonNode event) {
        return describe(envelope.validate(event));
    }

    private static Schema load(SchemaRegistry registry, String file) {
        Schema schema = registry.getSchema(SchemaLocation.of(BASE_ID + file));
        // resolves every $ref now, so a broken schema fails at start rather than on some later event
        schema.initializeValidators();
        return schema;
    }

    private static List<String> describe(List<Error> errors) {
        Set<String> problems = new LinkedHashSet<>();
        for (Error error : errors) {
            problems.add(describe(error));
        }
        return new ArrayList<>(problems);
    }

    static String describe(Error error) {
        String path = path(error.getInstanceLocation());
        JsonNode value = error.getInstanceNode();
        JsonNode schemaValue = error.getSchemaNode();
        String keyword = error.getKeyword() == null ? "" : error.getKeyword();
        switch (keyword) {
            case "required":
                return join(path, error.getProperty()) + ": required but missing";
            case "additionalProperties":
                return join(path, error.getProperty()) + ": is not a known field here";
            case "type":
                return where(path) + ": is " + kind(value) + ", expected " + text(schemaValue);
            case "pattern":
                return where(path) + ": does not match pattern " + text(schemaValue) + " (was " + quote(value) + ")";
            case "const":
                return where(path) + ": must be " + quote(schemaValue) + " (was " + quote(value) + ")";
            case "enum":
                return where(path) + ": " + quote(value) + " is not one of " + list(schemaValue);
            case "contains", "minContains":
                return where(path) + ": " + contains(schemaValue);
            case "format":
                return where(path) + ": " + quote(value) + " is not a valid " + text(schemaValue);
            default:
                return where(path) + ": " + stripLocation(error.getMessage());
        }
    }

    /** "has no item with result 'FAILED'" for a contains schema of constant properties. */
    private static String contains(JsonNode schema) {
        JsonNode properties = schema == null ? null : schema.get("properties");
        if (properties == null || !properties.isObject()) {
            return "has no item matching " + (schema == null ? "its schema" : schema.toString());
        }
        List<String> conditions = new ArrayList<>();
        for (var property : properties.properties()) {
            JsonNode constant = property.getValue().get("const");
            conditions.add(property.getKey() + " " + (constant == null ? "matching " + property.getValue()
                    : quote(constant)));
        }
        return "has no item with " + String.join(" and ", conditions);
    }

    /** {@code data.checks[1].result}; empty for the event itself. */
    static String path(NodePath location) {
        StringBuilder path = new StringBuilder();
        if (location == null) {
            return "";
        }
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Number) {
                path.append('[').append(element).append(']');
            } else {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(element);
            }
        }
        return path.toString();
    }

    private static String join(String path, String property) {
        if (property == null) {
            return where(path);
        }
        return path.isEmpty() ? property : path + "." + property;
    }

    private static String where(String path) {
        return path.isEmpty() ? "event" : path;
    }

    private static String kind(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "missing";
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isIntegralNumber()) {
            return "an integer";
        }
        if (value.isNumber()) {
            return "a number";
        }
        if (value.isString()) {
            return "a string";
        }
        if (value.isBoolean()) {
            return "a boolean";
        }
        if (value.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String text(JsonNode node) {
        if (node == null) {
            return "?";
        }
        if (node.isArray()) {
            return StreamSupport.stream(node.spliterator(), false).map(JsonNode::asString)
                    .collect(Collectors.joining(" or "));
        }
        return node.isString() ? node.asString() : node.toString();
    }

    private static String list(JsonNode node) {
        if (node == null || !node.isArray()) {
            return text(node);
        }
        List<String> values = new ArrayList<>();
        for (Iterator<JsonNode> it = node.iterator(); it.hasNext(); ) {
            values.add(it.next().asString());
        }
        return values.toString();
    }

    static String quote(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        return value.isString() ? quote(value.asString()) : shorten(value.toString());
    }

    /** {@code 'value'}, shortened, with control characters escaped so a message stays one printable line. */
    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder("'");
        String shortened = shorten(value);
        for (int i = 0; i < shortened.length(); i++) {
            char c = shortened.charAt(i);
            if (Character.isISOControl(c)) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('\'').toString();
    }

    private static String shorten(String text) {
        return text.length() > MAX_VALUE_IN_MESSAGE ? text.substring(0, MAX_VALUE_IN_MESSAGE) + "..." : text;
    }

    private static String stripLocation(String message) {
        if (message == null) {
            return "is invalid";
        }
        int colon = message.indexOf(": ");
        return message.startsWith("$") && colon > 0 ? message.substring(colon + 2) : message;
    }

    private static final class Holder {
        private static final EventSchemas INSTANCE = new EventSchemas();
    }
}
