package io.stagecoach.platform.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code deploy/rabbitmq/definitions.json} is the plan of {@code deploy/environments.yaml}, and speaks events-schema's names. */
class CommittedDefinitionsTests {

    static final Path COMMITTED = Path.of("../../deploy/rabbitmq/definitions.json");
    static final String REGENERATE = "./mvnw -q -pl libs/platform -am process-classes -Pgenerate-definitions"
            + " (runs io.stagecoach.platform.topology.GenerateDefinitions deploy/environments.yaml "
            + "deploy/rabbitmq/definitions.json)";

    /** Who runs where, from the default environments (the plan's own source: the first test holds the file to it). */
    private static final PublishingRights RIGHTS = PublishingRights.of(Environments.loadDefault());

    private final JsonNode committed = JsonMapper.builder().build().readTree(read());

    @Test
    void theCommittedFileIsThePlanOfTheDefaultEnvironments() {
        String planned = BrokerDefinitions.plan(Environments.loadDefault()).toJson();

        assertThat(read())
                .as("deploy/rabbitmq/definitions.json differs from the plan of deploy/environments.yaml; regenerate it: "
                        + REGENERATE)
                .isEqualTo(planned);
    }

    @Test
    void theEventsSchemaNamesAreTheBrokersNames() {
        List<String> environments = List.of("dev", "staging", "prod");
        for (int i = 0; i < environments.size(); i++) {
            String env = environments.get(i);
            assertThat(find("vhosts", Map.of("name", env))).as("vhost %s", env).isNotNull();
            assertThat(find("exchanges", Map.of("vhost", env, "name", BrokerNames.EVENTS_EXCHANGE)).path("type")
                    .asString()).isEqualTo("topic");
            assertThat(find("exchanges", Map.of("vhost", env, "name", BrokerNames.DEAD_LETTER_EXCHANGE)).path("type")
                    .asString()).isEqualTo("topic");
            assertThat(find("queues", Map.of("vhost", env, "name", BrokerNames.AUDIT_STREAM))
                    .path("arguments").path("x-queue-type").asString()).isEqualTo("stream");
            assertThat(find("bindings", Map.of("vhost", env, "source", BrokerNames.EVENTS_EXCHANGE,
                    "destination", BrokerNames.AUDIT_STREAM, "routing_key", "#"))).isNotNull();

            for (Principal principal : Principal.values()) {
                List<EventType> inboxes = RIGHTS.inboxes(principal, env);
                for (EventType type : principal.consumes()) {
                    String inbox = BrokerNames.inboxQueue(principal.id(), type);
                    String deadLetters = BrokerNames.deadLetterQueue(inbox);
                    if (!inboxes.contains(type)) {
                        assertThat(all("queues", Map.of("vhost", env, "name", inbox))).as("%s in %s: nobody may "
                                + "publish %s there", inbox, env, type.eventName()).isEmpty();
                        assertThat(all("queues", Map.of("vhost", env, "name", deadLetters))).isEmpty();
                        assertThat(all("bindings", Map.of("vhost", env, "destination", inbox))).isEmpty();
                        continue;
                    }
                    JsonNode arguments = find("queues", Map.of("vhost", env, "name", inbox)).path("arguments");
                    assertThat(arguments.path("x-delivery-limit").asInt()).isEqualTo(BrokerNames.DELIVERY_LIMIT);
                    assertThat(arguments.path("x-dead-letter-exchange").asString())
                            .isEqualTo(BrokerNames.DEAD_LETTER_EXCHANGE);
                    assertThat(find("bindings", Map.of("vhost", env, "source", BrokerNames.EVENTS_EXCHANGE,
                            "destination", inbox, "routing_key", type.routingKey(env)))).isNotNull();
                    assertThat(find("bindings", Map.of("vhost", env, "source", BrokerNames.DEAD_LETTER_EXCHANGE,
                            "destination", deadLetters, "routing_key", inbox))).isNotNull();
                }
                if (RIGHTS.runsIn(principal, env)) {
                    assertThat(find("users", Map.of("name", principal.userIn(env)))).isNotNull();
                } else {
                    assertThat(all("users", Map.of("name", principal.userIn(env))))
                            .as("%s: %s does not run in %s", principal.userIn(env), principal.id(), env).isEmpty();
                }
            }

            if (i + 1 < environments.size()) {
                String next = environments.get(i + 1);
                String handoff = BrokerNames.handoffQueue(next);
                assertThat(find("bindings", Map.of("vhost", env, "source", BrokerNames.EVENTS_EXCHANGE,
                        "destination", handoff, "routing_key", "*.*." + next))).isNotNull();
                JsonNode shovel = find("parameters", Map.of("vhost", env, "component", "shovel",
                        "name", BrokerNames.handoffShovel(next))).path("value");
                assertThat(shovel.path("src-queue").asString()).isEqualTo(handoff);
                assertThat(shovel.path("dest-exchange").asString()).isEqualTo(BrokerNames.EVENTS_EXCHANGE);
                assertThat(shovel.path("dest-uri").asString()).isEqualTo("amqp:///" + next);
            }
        }
        assertThat(find("users", Map.of("name", Principal.CI.userIn("dev")))).isNotNull();
        assertThat(find("users", Map.of("name", Principal.CHATOPS.userIn("prod")))).isNotNull();
    }

    @Test
    void onlyTheServicesThatRunInAnEnvironmentHaveInboxesThere() {
        assertThat(queueNames("dev")).contains("build-completed.build-completed", "promotion.smoketest-passed")
                .noneMatch(q -> q.startsWith("approval.")).doesNotContain("promotion.release-withdrawn");
        assertThat(queueNames("staging")).contains("promotion.release-withdrawn")
                .noneMatch(q -> q.startsWith("approval.") || q.startsWith("build-completed."));
        assertThat(queueNames("prod")).contains("approval.approval-requested", "approval.approval-decided")
                .noneMatch(q -> q.startsWith("build-completed."));
    }

    private List<String> queueNames(String vhost) {
        return StreamSupport.stream(committed.path("queues").spliterator(), false)
                .filter(q -> q.path("vhost").asString().equals(vhost)).map(q -> q.path("name").asString()).toList();
    }

    /** The one object of {@code section} whose fields have the given values; fails naming it when absent. */
    private JsonNode find(String section, Map<String, String> fields) {
        List<JsonNode> found = all(section, fields);
        assertThat(found).as("%s with %s in %s", section, fields, COMMITTED).hasSize(1);
        return found.get(0);
    }

    private List<JsonNode> all(String section, Map<String, String> fields) {
        return StreamSupport.stream(committed.path(section).spliterator(), false)
                .filter(node -> fields.entrySet().stream().allMatch(f -> f.getValue().equals(node.path(f.getKey()).asString())))
                .toList();
    }

    private static String read() {
        try {
            return Files.readString(COMMITTED);
        } catch (IOException e) {
            throw new AssertionError(COMMITTED.toAbsolutePath() + " is missing; generate it: " + REGENERATE, e);
        }
    }
}
