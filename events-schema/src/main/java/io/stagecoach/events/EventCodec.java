package io.stagecoach.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The one way producers and consumers turn events into bytes and back. Both directions hold the event to
 * the envelope and to its type's JSON Schema, so nothing invalid is published and nothing invalid is acted on.
 * Every problem names the field and what is wrong, e.g.
 * {@code data.release.digest: does not match pattern ^sha256:[0-9a-f]{64}$ (was 'sha256:abc')}.
 * Thread-safe; the schemas are loaded once per class loader, on first use.
 */
public final class EventCodec {

    /** The largest event accepted, in bytes (256 KiB). */
    public static final int MAX_EVENT_BYTES = 256 * 1024;

    private static final JsonMapper MAPPER = JsonMapper.builder()
            // a repeated key could mean one thing to us and another to the next parser
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .changeDefaultPropertyInclusion(inclusion -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();

    private final EventSchemas schemas;

    public EventCodec() {
        this.schemas = EventSchemas.get();
    }

    /**
     * Validates {@code event} and returns its structured-mode JSON (UTF-8), ready to publish with content
     * type {@link BrokerNames#CONTENT_TYPE}.
     *
     * @throws InvalidEventException naming every problem, if the event breaks its schema or the size limit
     */
    public byte[] encode(CloudEvent<?> event) {
        Objects.requireNonNull(event, "event");
        if (event.data() == null) {
            throw new InvalidEventException("data: required but missing");
        }
        String dataType = event.data().eventType().type();
        if (!dataType.equals(event.type())) {
            throw new InvalidEventException("type: " + quote(event.type()) + " does not match the data, a "
                    + event.data().getClass().getSimpleName() + " (" + dataType + ")");
        }
        JsonNode tree = MAPPER.valueToTree(event);
        List<String> problems = validate(tree);
        if (!problems.isEmpty()) {
            throw new InvalidEventException(problems);
        }
        byte[] bytes = MAPPER.writeValueAsBytes(tree);
        checkSize(bytes.length);
        return bytes;
    }

    /**
     * Checks the size, parses, validates the envelope and the data against the type's schema, and reads the
     * event with its data as the type's record.
     *
     * @throws InvalidEventException naming every problem found
     */
    public CloudEvent<?> decode(byte[] payload) {
        JsonNode tree = parse(payload);
        List<String> problems = validate(tree);
        if (!problems.isEmpty()) {
            throw new InvalidEventException(problems);
        }
        return read(tree);
    }

    /**
     * {@link #decode(byte[])}, also requiring the data to be a {@code dataType}: for a consumer whose inbox
     * holds one type.
     */
    public <T extends EventData> CloudEvent<T> decode(byte[] payload, Class<T> dataType) {
        CloudEvent<?> event = decode(payload);
        if (!dataType.isInstance(event.data())) {
            throw new InvalidEventException("type: " + quote(event.type()) + " is not the expected "
                    + expectedType(dataType));
        }
        @SuppressWarnings("unchecked")
        CloudEvent<T> typed = (CloudEvent<T>) event;
        return typed;
    }

    /** The problems of {@code payload}, each naming field and problem; empty when it is a valid event. */
    public List<String> problems(byte[] payload) {
        try {
            decode(payload);
            return List.of();
        } catch (InvalidEventException e) {
            return e.problems();
        }
    }

    /** The mapper the codec reads and writes events with; for tests and tools that build JSON by hand. */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    private static JsonNode parse(byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw new InvalidEventException("payload is empty");
        }
        checkSize(payload.length);
        JsonNode tree;
        try {
            tree = MAPPER.readTree(payload);
        } catch (JacksonException e) {
            throw new InvalidEventException("payload is not JSON: " + describe(e));
        }
        if (tree == null || tree.isMissingNode()) {
            throw new InvalidEventException("payload is not JSON: no content");
        }
        if (!tree.isObject()) {
            throw new InvalidEventException("payload is " + kind(tree) + ", not a JSON object");
        }
        return tree;
    }

    private static void checkSize(int bytes) {
        if (bytes > MAX_EVENT_BYTES) {
            throw new InvalidEventException(
                    "payload is " + bytes + " bytes, over the " + MAX_EVENT_BYTES + "-byte limit");
        }
    }

    private List<String> validate(JsonNode tree) {
        JsonNode typeNode = tree.get("type");
        Optional<EventType> type = typeNode != null && typeNode.isString()
                ? EventType.fromType(typeNode.asString()) : Optional.empty();
        if (type.isEmpty()) {
            List<String> problems = new ArrayList<>();
            if (typeNode != null && typeNode.isString()) {
                problems.add("type " + quote(typeNode.asString()) + " is not a known event type (known: "
                        + Arrays.stream(EventType.values()).map(EventType::type).collect(Collectors.joining(", "))
                        + ")");
                schemas.validateEnvelope(tree).stream().filter(p -> !p.startsWith("type:")).forEach(problems::add);
            } else {
                problems.addAll(schemas.validateEnvelope(tree));
            }
            return problems;
        }
        List<String> problems = schemas.validate(type.get(), tree);
        if (problems.isEmpty()) {
            problems = crossChecks(tree);
        }
        return problems;
    }

    /** What a schema cannot say: the envelope and the data must tell the same story. */
    private static List<String> crossChecks(JsonNode tree) {
        List<String> problems = new ArrayList<>();
        String subject = tree.get("subject").asString();
        String environment = tree.get("environment").asString();
        JsonNode data = tree.get("data");
        for (String field : List.of("service", "release.service", "from.service", "to.service")) {
            JsonNode value = data.at("/" + field.replace('.', '/'));
            if (value.isString() && !value.asString().equals(subject)) {
                problems.add("data." + field + ": " + quote(value.asString()) + " is not the subject "
                        + quote(subject));
            }
        }
        for (String field : List.of("environment", "targetEnvironment")) {
            JsonNode value = data.get(field);
            if (value != null && value.isString() && !value.asString().equals(environment)) {
                problems.add("data." + field + ": " + quote(value.asString())
                        + " is not the event's environment " + quote(environment));
            }
        }
        JsonNode requestedAt = data.get("requestedAt");
        JsonNode expiresAt = data.get("expiresAt");
        if (requestedAt != null && expiresAt != null
                && !instant(expiresAt, "data.expiresAt").isAfter(instant(requestedAt, "data.requestedAt"))) {
            problems.add("data.expiresAt: " + quote(expiresAt.asString()) + " is not after data.requestedAt "
                    + quote(requestedAt.asString()));
        }
        // an opening is received at its time and expires after it
        if (EventType.APPROVAL_OPENED.type().equals(tree.get("type").asString()) && expiresAt != null
                && !instant(expiresAt, "data.expiresAt").isAfter(instant(tree.get("time"), "time"))) {
            problems.add("data.expiresAt: " + quote(expiresAt.asString()) + " is not after time "
                    + quote(tree.get("time").asString()));
        }
        return problems;
    }

    private static CloudEvent<?> read(JsonNode tree) {
        EventType type = EventType.fromType(tree.get("type").asString()).orElseThrow();
        EventData data;
        try {
            data = MAPPER.treeToValue(tree.get("data"), type.dataType());
        } catch (JacksonException e) {
            // the schema should make this impossible: a mismatch between schema and record
            throw new InvalidEventException("data: cannot be read as " + type.dataType().getSimpleName() + ": "
                    + e.getOriginalMessage());
        }
        return new CloudEvent<>(text(tree, "specversion"), text(tree, "id"), text(tree, "source"), type.type(),
                text(tree, "subject"), instant(tree.get("time"), "time"), text(tree, "environment"),
                text(tree, "correlationid"), text(tree, "causationid"), data);
    }

    private static String text(JsonNode tree, String field) {
        JsonNode value = tree.get(field);
        return value == null ? null : value.asString();
    }

    private static Instant instant(JsonNode value, String path) {
        try {
            return OffsetDateTime.parse(value.asString()).toInstant();
        } catch (DateTimeParseException e) {
            // RFC 3339 allows a leap second; java.time does not
            throw new InvalidEventException(path + ": " + quote(value.asString()) + " cannot be read as an instant");
        }
    }

    private static String expectedType(Class<? extends EventData> dataType) {
        return Arrays.stream(EventType.values()).filter(t -> t.dataType() == dataType).map(EventType::type)
                .findFirst().orElse(dataType.getSimpleName());
    }

    private static String describe(JacksonException e) {
        String message = e.getOriginalMessage();
        TokenStreamLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            message += " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
        }
        return message;
    }

    private static String kind(JsonNode node) {
        if (node.isArray()) {
            return "a JSON array";
        }
        if (node.isString()) {
            return "a JSON string";
        }
        if (node.isNumber()) {
            return "a JSON number";
        }
        if (node.isBoolean()) {
            return "a JSON boolean";
        }
        return "JSON null";
    }

    private static String quote(String value) {
        return EventSchemas.quote(value);
    }
}
