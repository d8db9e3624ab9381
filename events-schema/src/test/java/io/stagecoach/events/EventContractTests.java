package io.stagecoach.events;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every event type has its schema, its example and its record, and nothing is left over. */
class EventContractTests {

    private static final Set<String> SHARED_SCHEMAS = Set.of(EventSchemas.ENVELOPE, EventSchemas.DEFINITIONS);

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyEventTypeShipsASchemaThatConstrainsItsType(EventType type) {
        JsonNode schema = json(type.schemaResource());

        assertThat(schema.path("$schema").asString()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.path("$id").asString()).isEqualTo(EventSchemas.BASE_ID + EventSchemas.fileName(type));
        assertThat(schema.path("$ref").asString()).isEqualTo(EventSchemas.ENVELOPE);
        assertThat(schema.at("/properties/type/const").asString()).isEqualTo(type.type());
        JsonNode data = schema.at("/properties/data");
        if (data.has("$ref")) {
            // a data shape shared with another event's (promotion.requested's, which promotion.frozen parks)
            String ref = data.get("$ref").asString();
            assertThat(ref).startsWith(EventSchemas.DEFINITIONS + "#/$defs/");
            data = json("/" + EventSchemas.CLASSPATH_DIRECTORY + EventSchemas.DEFINITIONS).at(ref.substring(ref.indexOf('#') + 1));
        }
        assertThat(data.path("additionalProperties").asBoolean(true)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyEventTypeShipsAnExampleOfItsType(EventType type) {
        JsonNode example = json(type.exampleResource());

        assertThat(example.path("type").asString()).isEqualTo(type.type());
        // an event about a whole environment (the line stopped or restarted) has the environment as its subject
        assertThat(example.path("subject").asString()).isEqualTo(type.eventName().startsWith("line.")
                ? example.path("environment").asString() : "knative-lambda-builder");
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyEventTypeHasARecordThatNamesItsType(EventType type) {
        Class<? extends EventData> dataType = type.dataType();

        assertThat(dataType).isNotNull();
        assertThat(dataType.isRecord()).as("%s is a record", dataType).isTrue();
        assertThat(dataType.getSimpleName()).doesNotEndWith("Event");
        assertThat(SampleEvents.all()).filteredOn(e -> e.data().getClass() == dataType)
                .as("samples of %s", dataType.getSimpleName())
                .hasSize(2)
                .allSatisfy(e -> assertThat(e.data().eventType()).isEqualTo(type));
    }

    @Test
    void eachRecordBelongsToExactlyOneEventType() {
        Set<Class<?>> permitted = Set.of(EventData.class.getPermittedSubclasses());
        List<Class<?>> dataTypes = Arrays.stream(EventType.values()).map(EventType::dataType)
                .collect(Collectors.toList());

        assertThat(dataTypes).doesNotHaveDuplicates();
        assertThat(permitted).containsExactlyInAnyOrderElementsOf(dataTypes);
    }

    @Test
    void noSchemaOrExampleShipsWithoutAnEventType() throws IOException {
        Set<String> schemas = Arrays.stream(EventType.values()).map(EventSchemas::fileName).collect(Collectors.toSet());
        Set<String> examples = Arrays.stream(EventType.values())
                .map(t -> t.exampleResource().substring(t.exampleResource().lastIndexOf('/') + 1))
                .collect(Collectors.toSet());

        assertThat(files("/io/stagecoach/events/schemas/"))
                .containsExactlyInAnyOrderElementsOf(union(schemas, SHARED_SCHEMAS));
        assertThat(files("/io/stagecoach/events/examples/")).containsExactlyInAnyOrderElementsOf(examples);
    }

    @Test
    void schemasReferOnlyToEachOtherSoNothingIsFetchedOverTheNetwork() {
        List<String> refs = new ArrayList<>();
        Stream.concat(Arrays.stream(EventType.values()).map(EventType::schemaResource),
                        SHARED_SCHEMAS.stream().map(name -> "/io/stagecoach/events/schemas/" + name))
                .forEach(resource -> collectRefs(json(resource), refs));

        assertThat(refs).isNotEmpty().allSatisfy(ref -> assertThat(ref)
                .doesNotContain("://")
                .matches("(#|envelope\\.v1\\.schema\\.json|definitions\\.v1\\.schema\\.json).*"));
    }

    @Test
    void everySchemaIsAValidDraft202012Schema() {
        Schema metaSchema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));

        Stream.concat(Arrays.stream(EventType.values()).map(EventType::schemaResource),
                        SHARED_SCHEMAS.stream().map(name -> "/io/stagecoach/events/schemas/" + name))
                .forEach(resource -> assertThat(metaSchema.validate(json(resource))).as(resource).isEmpty());
    }

    @Test
    void sharedDefinitionsHoldTheDigestPattern() {
        JsonNode definitions = json("/io/stagecoach/events/schemas/" + EventSchemas.DEFINITIONS);

        assertThat(definitions.at("/$defs/digest/pattern").asString()).isEqualTo("^sha256:[0-9a-f]{64}$");
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.properties().forEach(entry -> {
                if (entry.getKey().equals("$ref")) {
                    refs.add(entry.getValue().asString());
                } else {
                    collectRefs(entry.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectRefs(child, refs));
        }
    }

    static JsonNode json(String resource) {
        try (InputStream in = EventContractTests.class.getResourceAsStream(resource)) {
            assertThat(in).as("classpath resource %s", resource).isNotNull();
            return EventCodec.mapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> files(String directory) throws IOException {
        try (Stream<Path> files = Files.list(Path.of(EventContractTests.class.getResource(directory).toURI()))) {
            return files.map(path -> path.getFileName().toString()).collect(Collectors.toList());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        return Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
    }
}
