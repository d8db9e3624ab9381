package io.stagecoach.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Release;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.cdevents.CdEventSchemas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Stagecoach's events as CDEvents 0.5.1: each mapped event is valid against the spec's own schemas (shipped with
 * the test fixtures, read offline), and {@code stagecoach cdevents} sends what the audit streams hold to a sink.
 */
@RealBroker
class CdEventsTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Release GOOD = Events.release("1.0.0");
    static final Release NEXT = Events.release("1.1.0");

    static CloudEvent<AlertFiring> alert(String environment) {
        AlertFiring firing = new AlertFiring(environment, Events.SERVICE, "StagecoachHighErrorRate", "3f2a9c",
                Instant.parse("2026-12-05T05:00:00Z"), "critical", "5xx above 5% for 5 minutes",
                "http://prometheus:9090/graph");
        return CloudEvent.of(firing, "/stagecoach/" + environment + "/alertmanager", environment, Events.run(NEXT),
                null, EventIds.derive("alert", environment, "3f2a9c"));
    }

    static Stream<Arguments> mapped() {
        return Stream.of(
                arguments("first deployment", Events.deployed(GOOD, "dev", null), CdEvents.SERVICE_DEPLOYED),
                arguments("a newer version", Events.deployed(NEXT, "dev", "1.0.0"), CdEvents.SERVICE_UPGRADED),
                arguments("rollback", Events.rolledBack(NEXT, GOOD, "staging", EventIds.derive("x")),
                        CdEvents.SERVICE_ROLLEDBACK),
                arguments("smoke tests passed", Events.passed(GOOD, "dev"), CdEvents.TESTSUITERUN_FINISHED),
                arguments("smoke tests failed", Events.failed(NEXT, "staging"), CdEvents.TESTSUITERUN_FINISHED),
                arguments("alert", alert("prod"), CdEvents.INCIDENT_DETECTED));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("mapped")
    void eachMappedEventIsValidAgainstTheSpecsSchema(String description, CloudEvent<?> event, String type) {
        ObjectNode cdevent = CdEvents.of(event).orElseThrow();

        assertThat(cdevent.path("context").path("type").asString()).isEqualTo(type);
        assertThat(problems(cdevent)).as(cdevent.toString()).isEmpty();
        assertThat(cdevent.path("context").path("id").asString()).isEqualTo(EventIds.derive("cdevents", event.id()));
    }

    @Test
    void theSchemasHaveTeethAndTakeTheSpecsOwnExamples() throws IOException {
        ObjectNode deployed = CdEvents.of(Events.deployed(GOOD, "dev", null)).orElseThrow();
        ((ObjectNode) deployed.path("subject").path("content")).remove("environment");
        ObjectNode wrongOutcome = CdEvents.of(Events.passed(GOOD, "dev")).orElseThrow();
        ((ObjectNode) wrongOutcome.path("subject").path("content")).put("outcome", "passed");

        assertThat(problems(deployed)).anySatisfy(problem -> assertThat(problem).contains("environment"));
        assertThat(problems(wrongOutcome)).isNotEmpty();
        for (String example : List.of("service_deployed", "service_upgraded", "service_rolledback",
                "testsuiterun_finished", "incident_detected")) {
            assertThat(problems(CdEventSchemas.example(example))).as(example).isEmpty();
        }
    }

    @Test
    void theArtifactIsThePackageUrlOfTheImageByDigest() {
        assertThat(CdEvents.artifactId(new Release("app", "1.4.2", "ghcr.io/acme/app", "sha256:" + "ab".repeat(32),
                "c".repeat(40), "jane"))).isEqualTo("pkg:oci/app@sha256%3A" + "ab".repeat(32)
                + "?repository_url=ghcr.io/acme/app&tag=1.4.2");
        assertThat(CdEvents.of(Events.promotionRequested(GOOD, "dev"))).as("not every event is a CDEvent").isEmpty();
    }

    @Test
    void theCommandSendsWhatItsProducersPublishedAndNothingForged(TestBroker broker, @TempDir Path dir)
            throws Exception {
        Cli cli = Cli.against(broker, dir);
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        Streams streams = new Streams(broker, Environments.loadDefault().withVhostPrefix(broker.prefix()));
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        List<String> types = new CopyOnWriteArrayList<>();
        HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sink.createContext("/cdevents", exchange -> {
            try (exchange) {
                types.add(exchange.getRequestHeaders().getFirst("ce-type"));
                received.add(JSON.readTree(new String(exchange.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(202, -1);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.flush();
                }
            }
        });
        sink.start();
        try {
            // first, the smoke-test service's user, under the one key it may use, with a deployment in the body
            streams.appendAs("dev", broker.prefix() + "-dev-smoke-test", "smoketest.passed.dev",
                    Events.deployed(Events.release("forged", "6.6.6"), "dev", null));
            streams.append(Events.deployed(GOOD, "dev", null), Events.passed(GOOD, "dev"),
                    Events.deployed(NEXT, "dev", "1.0.0"), Events.failed(NEXT, "dev"),
                    Events.rolledBack(NEXT, GOOD, "dev", Events.failed(NEXT, "dev").id()));

            Cli.Result result = cli.run("cdevents", "--sink", "http://127.0.0.1:" + sink.getAddress().getPort()
                    + "/cdevents", "--since", "10m", "--count", "5");

            assertThat(result.status()).as(result.toString()).isZero();
            assertThat(types).containsExactly(CdEvents.SERVICE_DEPLOYED, CdEvents.TESTSUITERUN_FINISHED,
                    CdEvents.SERVICE_UPGRADED, CdEvents.TESTSUITERUN_FINISHED, CdEvents.SERVICE_ROLLEDBACK);
            assertThat(received).allSatisfy(cdevent -> assertThat(problems(cdevent)).isEmpty());
            assertThat(received.toString()).doesNotContain("6.6.6");
            assertThat(streams.auditEvents("dev").toString()).as("the forgery is in the stream").contains("6.6.6");
            assertThat(result.out()).contains("sent dev.cdevents.service.rolledback.0.3.0 ");
            assertThat(received.get(3).path("subject").path("content").path("outcome").asString())
                    .isEqualTo("failure");

            Cli.Result refused = cli.run("cdevents", "--sink", "ftp://example.com/x");
            assertThat(refused.status()).isEqualTo(2);
            assertThat(refused.err()).contains("not an http or https URL");
        } finally {
            sink.stop(0);
        }
    }

    static List<String> problems(JsonNode cdevent) {
        return CdEventSchemas.problems(cdevent);
    }
}
