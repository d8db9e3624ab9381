package io.stagecoach.events;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compiled checks skip the general validator only when it would find nothing: over every sample event and
 * thousands of broken copies of them, a check that says valid or invalid agrees with the validator, so an event is
 * refused, and named, exactly as before.
 */
class SchemaCheckTests {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<JsonNode> REPLACEMENTS = List.of(NODES.nullNode(), NODES.stringNode(""),
            NODES.stringNode("x"), NODES.stringNode(" padded "), NODES.stringNode("x".repeat(5000)),
            NODES.stringNode("\uD83D\uDE00"), NODES.stringNode("2026-13-40T25:61:00Z"),
            NODES.stringNode("2026-02-30T10:00:00Z"), NODES.stringNode("http://exa mple/"), NODES.stringNode("dev\n"),
            NODES.numberNode(0), NODES.numberNode(-1), NODES.numberNode(1.5), NODES.numberNode(2.0),
            NODES.numberNode(2_147_483_648L), NODES.booleanNode(true), NODES.objectNode(), NODES.arrayNode());

    private final EventSchemas schemas = EventSchemas.get();

    @Test
    void everySampleEventIsValidByTheChecksAsByTheValidator() {
        for (CloudEvent<?> event : SampleEvents.all()) {
            JsonNode tree = EventCodec.mapper().valueToTree(event);
            SchemaCheck check = SchemaCheck.compile(EventSchemas.fileName(event.eventType()));

            assertThat(schemas.validateInFull(event.eventType(), tree)).as(event.type()).isEmpty();
            assertThat(check.check(tree)).as(event.type()).isEqualTo(SchemaCheck.Verdict.VALID);
        }
    }

    @Test
    void brokenCopiesOfEverySampleAreJudgedAsTheValidatorJudgesThem() {
        int sure = 0;
        int invalid = 0;
        for (CloudEvent<?> event : SampleEvents.all()) {
            EventType type = event.eventType();
            SchemaCheck check = SchemaCheck.compile(EventSchemas.fileName(type));
            JsonNode original = EventCodec.mapper().valueToTree(event);
            for (JsonNode broken : brokenCopies(original)) {
                SchemaCheck.Verdict verdict = check.check(broken);
                List<String> problems = schemas.validateInFull(type, broken);
                if (verdict == SchemaCheck.Verdict.VALID) {
                    assertThat(problems).as("%s judged valid: %s", type, broken).isEmpty();
                    sure++;
                } else if (verdict == SchemaCheck.Verdict.INVALID) {
                    assertThat(problems).as("%s judged invalid: %s", type, broken).isNotEmpty();
                    sure++;
                    invalid++;
                }
            }
        }
        // the comparison means something only if most copies were judged, many of them invalid
        assertThat(sure).isGreaterThan(5_000);
        assertThat(invalid).isGreaterThan(2_500);
    }

    /** Every field removed, replaced by each of {@link #REPLACEMENTS}, and an unknown field in every object. */
    private static List<JsonNode> brokenCopies(JsonNode original) {
        List<JsonNode> copies = new ArrayList<>();
        List<List<Object>> paths = new ArrayList<>();
        collectPaths(original, new ArrayList<>(), paths);
        for (List<Object> path : paths) {
            if (path.isEmpty()) {
                continue;
            }
            copies.add(change(original, path, (parent, last) -> {
                if (parent instanceof ObjectNode object) {
                    object.remove((String) last);
                } else {
                    ((ArrayNode) parent).remove((Integer) last);
                }
            }));
            for (JsonNode replacement : REPLACEMENTS) {
                copies.add(change(original, path, (parent, last) -> {
                    if (parent instanceof ObjectNode object) {
                        object.set((String) last, replacement.deepCopy());
                    } else {
                        ((ArrayNode) parent).set((Integer) last, replacement.deepCopy());
                    }
                }));
            }
            copies.add(change(original, path, (parent, last) -> {
                if (parent instanceof ArrayNode array) {
                    array.add(array.get((Integer) last).deepCopy());
                }
            }));
        }
        for (List<Object> path : paths) {
            copies.add(change(original, path, node -> {
                if (node instanceof ObjectNode object) {
                    object.put("unexpected", "field");
                }
            }));
        }
        return copies;
    }

    private static void collectPaths(JsonNode node, List<Object> path, List<List<Object>> paths) {
        paths.add(List.copyOf(path));
        if (node.isObject()) {
            for (String name : node.propertyNames()) {
                path.add(name);
                collectPaths(node.get(name), path, paths);
                path.remove(path.size() - 1);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                path.add(i);
                collectPaths(node.get(i), path, paths);
                path.remove(path.size() - 1);
            }
        }
    }

    private interface ParentChange {
        void apply(JsonNode parent, Object last);
    }

    private static JsonNode change(JsonNode original, List<Object> path, ParentChange change) {
        JsonNode copy = original.deepCopy();
        change.apply(at(copy, path.subList(0, path.size() - 1)), path.get(path.size() - 1));
        return copy;
    }

    private static JsonNode change(JsonNode original, List<Object> path, Consumer<JsonNode> change) {
        JsonNode copy = original.deepCopy();
        change.accept(at(copy, path));
        return copy;
    }

    private static JsonNode at(JsonNode root, List<Object> path) {
        JsonNode node = root;
        for (Object step : path) {
            node = step instanceof Integer index ? node.get(index) : node.get((String) step);
        }
        return node;
    }
}
