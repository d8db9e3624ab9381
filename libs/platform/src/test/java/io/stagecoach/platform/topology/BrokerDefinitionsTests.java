package io.stagecoach.platform.topology;

import static io.stagecoach.events.BrokerNames.AUDIT_STREAM;
import static io.stagecoach.events.BrokerNames.DEAD_LETTER_EXCHANGE;
import static io.stagecoach.events.BrokerNames.EVENTS_EXCHANGE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Definitions.Binding;
import io.stagecoach.platform.topology.Definitions.Parameter;
import io.stagecoach.platform.topology.Definitions.Permission;
import io.stagecoach.platform.topology.Definitions.Queue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BrokerDefinitionsTests {

    private final Environments environments = Environments.loadDefault();
    private final Definitions plan = BrokerDefinitions.plan(environments);
    private final PublishingRights rights = PublishingRights.of(environments);

    @Test
    void topicPermissionsAdmitExactlyTheRoutingKeysEachUserMayPublish() {
        List<String> everyKey = Arrays.stream(EventType.values())
                .flatMap(t -> environments.all().stream().map(e -> t.routingKey(e.name()))).toList();
        for (Environment env : environments.all()) {
            for (Principal principal : rights.principalsIn(env.name())) {
                String user = principal.userIn(env.vhost());
                Pattern write = Pattern.compile(plan.topicPermission(env.vhost(), user, EVENTS_EXCHANGE).orElseThrow().write());

                assertThat(everyKey.stream().filter(k -> write.matcher(k).matches()).toList())
                        .as("routing keys %s may publish", user)
                        .containsExactlyInAnyOrderElementsOf(rights.routingKeys(principal, env.name()));
            }
        }
    }

    @Test
    void devPromotionPublishesItsOutcomesAndHandsOffToStaging() {
        assertThat(plan.topicPermission("dev", "dev-promotion", EVENTS_EXCHANGE).orElseThrow().write())
                .isEqualTo("^(promotion\\.(blocked|frozen)\\.dev|deployment\\.(completed|failed)\\.dev|ledger\\.checkpointed\\.dev|"
                        + "drift\\.(detected|cleared)\\.dev|promotion\\.requested\\.staging)$");
        assertThat(plan.topicPermission("dev", "dev-ci", EVENTS_EXCHANGE).orElseThrow().write())
                .isEqualTo("^build\\.completed\\.dev$");
        assertThat(plan.topicPermission("prod", "prod-chatops", EVENTS_EXCHANGE).orElseThrow().write())
                .isEqualTo("^approval\\.decided\\.prod$");
    }

    @Test
    void servicesDeadLetterOnlyUnderTheirOwnInboxNames() {
        Pattern write = Pattern.compile(plan.topicPermission("dev", "dev-promotion", DEAD_LETTER_EXCHANGE).orElseThrow().write());

        assertThat(write.matcher("promotion.smoketest-passed").matches()).isTrue();
        assertThat(write.matcher("rollback.smoketest-failed").matches()).isFalse();
    }

    @Test
    void aServiceHasADeadLetteringQuorumInboxPerConsumedEventWhereSomeoneMayPublishItAndNoneElsewhere() {
        int inboxes = 0;
        for (Environment env : environments.all()) {
            for (Principal service : Arrays.stream(Principal.values()).filter(Principal::isService).toList()) {
                for (EventType type : service.consumes()) {
                    String inbox = BrokerNames.inboxQueue(service.id(), type);
                    boolean published = !rights.expectedPublishers(type, env.name()).isEmpty();
                    if (!published || !rights.runsIn(service, env.name())) {
                        assertThat(plan.queue(env.vhost(), inbox)).as("%s in %s", inbox, env.name()).isEmpty();
                        assertThat(plan.queue(env.vhost(), inbox + ".dlq")).isEmpty();
                        assertThat(plan.bindings()).noneMatch(b -> b.vhost().equals(env.vhost())
                                && (b.destination().equals(inbox) || b.destination().equals(inbox + ".dlq")));
                        continue;
                    }
                    inboxes++;
                    assertThat(plan.queue(env.vhost(), inbox)).get().extracting(Queue::arguments).isEqualTo(Map.of(
                            "x-queue-type", "quorum",
                            "x-delivery-limit", BrokerNames.DELIVERY_LIMIT,
                            "x-dead-letter-exchange", DEAD_LETTER_EXCHANGE,
                            "x-dead-letter-routing-key", inbox,
                            "x-dead-letter-strategy", "at-least-once",
                            "x-overflow", "reject-publish",
                            "x-single-active-consumer", true));
                    assertThat(plan.bindings()).contains(
                            new Binding(EVENTS_EXCHANGE, env.vhost(), inbox, "queue", type.routingKey(env.name()), Map.of()),
                            new Binding(DEAD_LETTER_EXCHANGE, env.vhost(), inbox + ".dlq", "queue", inbox, Map.of()));
                    assertThat(plan.queue(env.vhost(), inbox + ".dlq")).get().extracting(Queue::arguments)
                            .isEqualTo(Map.of("x-queue-type", "quorum"));
                }
            }
        }
        assertThat(inboxes).isEqualTo(9 + 9 + 11);
    }

    @Test
    void buildsEnterOnlyTheFirstEnvironmentAndApprovalsOnlyBehindTheManualGate() {
        assertThat(queueNames("dev")).contains("build-completed.build-completed", "promotion.promotion-requested")
                .as("nothing precedes dev to withdraw a release from it").doesNotContain("promotion.release-withdrawn")
                .noneMatch(q -> q.startsWith("approval."));
        assertThat(queueNames("staging")).contains("promotion.release-withdrawn")
                .noneMatch(q -> q.startsWith("approval.") || q.startsWith("build-completed."));
        assertThat(queueNames("prod")).contains("approval.approval-requested", "approval.approval-decided")
                .noneMatch(q -> q.startsWith("build-completed."));
    }

    /** The figures ADR 1 quotes: before, every vhost had every service's inboxes (23, 23 and 22 quorum queues). */
    @Test
    void quorumQueuesPerEnvironmentAreWhatTheServicesRunningThereNeed() {
        assertThat(environments.all().stream().map(env -> count(env.vhost(), "quorum")).toList())
                .as("prod: the chat bot's queue too").containsExactly(19L, 19L, 23L);
        assertThat(environments.all().stream().map(env -> count(env.vhost(), "stream")).toList())
                .containsExactly(1L, 1L, 1L);
    }

    @Test
    void theAuditStreamTakesEveryEventForTheEnvironmentsRetention() {
        assertThat(environments.all()).allSatisfy(env -> assertThat(plan.bindings())
                .contains(new Binding(EVENTS_EXCHANGE, env.vhost(), AUDIT_STREAM, "queue", "#", Map.of())));
        assertThat(environments.all().stream().map(env -> plan.queue(env.vhost(), AUDIT_STREAM).orElseThrow().arguments()))
                .containsExactly(
                        Map.of("x-queue-type", "stream", "x-max-age", "7D"),
                        Map.of("x-queue-type", "stream", "x-max-age", "30D"),
                        Map.of("x-queue-type", "stream", "x-max-age", "90D"));
    }

    @ParameterizedTest
    @CsvSource({"P7D, 7D", "PT36H, 36h", "PT24H, 1D", "PT90M, 90m", "PT45S, 45s"})
    void retentionBecomesAStreamMaxAge(Duration retention, String maxAge) {
        assertThat(BrokerDefinitions.maxAge(retention)).isEqualTo(maxAge);
    }

    @Test
    void eventsAddressedToTheNextEnvironmentAreShovelledThere() {
        assertThat(plan.bindings()).contains(
                new Binding(EVENTS_EXCHANGE, "dev", "stagecoach.handoff.staging", "queue", "*.*.staging", Map.of()),
                new Binding(EVENTS_EXCHANGE, "staging", "stagecoach.handoff.prod", "queue", "*.*.prod", Map.of()));
        assertThat(plan.queues()).filteredOn(q -> q.vhost().equals("prod"))
                .noneMatch(q -> q.name().startsWith(BrokerNames.HANDOFF_PREFIX));
        assertThat(plan.parameters()).extracting(Parameter::vhost, Parameter::component, Parameter::name)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("dev", "shovel", "stagecoach-handoff-to-staging"),
                        org.assertj.core.groups.Tuple.tuple("staging", "shovel", "stagecoach-handoff-to-prod"));
        assertThat(plan.parameters().get(0).value()).isEqualTo(Map.of(
                "src-protocol", "amqp091",
                "src-uri", "amqp:///dev",
                "src-queue", "stagecoach.handoff.staging",
                "dest-protocol", "amqp091",
                "dest-uri", "amqp:///staging",
                "dest-exchange", EVENTS_EXCHANGE,
                "ack-mode", "on-confirm",
                "src-delete-after", "never"));
    }

    @Test
    void shovelUrisEncodeTheVhost() {
        assertThat(BrokerDefinitions.directUri("t1a2b3c-dev")).isEqualTo("amqp:///t1a2b3c-dev");
        assertThat(BrokerDefinitions.directUri("a b/c")).isEqualTo("amqp:///a%20b%2Fc");
    }

    @Test
    void everyUserHasPermissionsInItsOwnVhostOnlyAndNoPasswordInTheFile() {
        assertThat(plan.users()).hasSize(19).allSatisfy(user -> {
            assertThat(user.passwordHash()).isEmpty();
            assertThat(user.tags()).as("only viewers may log in to the management UI")
                    .isEqualTo(user.name().endsWith("-viewer") ? "management" : "");
            assertThat(plan.permissions()).filteredOn(p -> p.user().equals(user.name()))
                    .singleElement().satisfies(p -> assertThat(user.name()).startsWith(p.vhost() + "-"));
        });
        assertThat(plan.users()).extracting(Definitions.User::name)
                .contains("dev-ci", "prod-chatops", "staging-operator", "dev-build-completed", "prod-approval")
                .doesNotContain("staging-ci", "prod-ci", "dev-chatops", "staging-chatops")
                .as("services that do not run there").doesNotContain("staging-build-completed", "prod-build-completed",
                        "dev-approval", "staging-approval");
    }

    @Test
    void aServiceConfiguresAndReadsOnlyItsOwnQueuesAndReadsTheAuditStream() {
        for (Environment env : environments.all()) {
            List<String> resources = resourcesIn(env.vhost());
            for (Principal service : Arrays.stream(Principal.values()).filter(Principal::isService).toList()) {
                if (!rights.runsIn(service, env.name())) {
                    assertThat(plan.permission(env.vhost(), service.userIn(env.vhost()))).isEmpty();
                    assertThat(plan.topicPermissions()).noneMatch(p -> p.user().equals(service.userIn(env.vhost())));
                    continue;
                }
                Permission permission = plan.permission(env.vhost(), service.userIn(env.vhost())).orElseThrow();
                Predicate<String> own = name -> name.startsWith(service.id() + ".");
                boolean publishes = !rights.routingKeys(service, env.name()).isEmpty();

                assertThat(matching(permission.configure(), resources)).allMatch(own).isNotEmpty();
                String leader = BrokerNames.leaderQueue(service.id());
                assertThat(leader).as("its leader queue").matches(permission.configure()).matches(permission.read());
                for (Principal other : Principal.values()) {
                    if (other != service) {
                        assertThat(BrokerNames.leaderQueue(other.id())).as("the leader queue of %s", other)
                                .doesNotMatch(permission.configure()).doesNotMatch(permission.read());
                    }
                }
                assertThat(matching(permission.read(), resources))
                        .containsExactlyInAnyOrderElementsOf(resources.stream()
                                .filter(own.or(AUDIT_STREAM::equals)).toList());
                assertThat(matching(permission.write(), resources))
                        .containsExactlyInAnyOrderElementsOf(resources.stream()
                                .filter(own.or(DEAD_LETTER_EXCHANGE::equals)
                                        .or(r -> publishes && r.equals(EVENTS_EXCHANGE))).toList());
            }
        }
    }

    @Test
    void theOperatorReadsTheAuditStreamAndDeadLettersButNoInbox() {
        List<String> resources = resourcesIn("staging");
        Permission operator = plan.permission("staging", "staging-operator").orElseThrow();

        assertThat(matching(operator.read(), resources)).containsExactlyInAnyOrderElementsOf(
                resources.stream().filter(r -> r.equals(AUDIT_STREAM) || r.endsWith(".dlq")).toList());
        assertThat(operator.configure()).isEqualTo("^$");
        assertThat(operator.write()).isEqualTo("^stagecoach\\.events$");
    }

    @Test
    void ciAndChatopsOnlyPublish() {
        assertThat(plan.permission("dev", "dev-ci")).get()
                .isEqualTo(new Permission("dev-ci", "dev", "^$", "^stagecoach\\.events$", "^$"));
        assertThat(plan.permission("prod", "prod-chatops")).get()
                .isEqualTo(new Permission("prod-chatops", "prod", "^$", "^stagecoach\\.events$",
                        "^chatops\\.approvals$"));
        assertThat(plan.permission("staging", "staging-viewer")).get()
                .isEqualTo(new Permission("staging-viewer", "staging", "^$", "^$", "^$"));
    }

    @Test
    void theJsonIsStableAndReadsBackToTheSamePlan() {
        String json = plan.toJson();

        assertThat(BrokerDefinitions.plan(Environments.loadDefault()).toJson()).isEqualTo(json);
        assertThat(Definitions.fromJson(json)).isEqualTo(plan);
        assertThat(json).startsWith("{\n  \"users\": [\n    {\n      \"name\": \"dev-build-completed\",").endsWith("}\n");
    }

    @Test
    void aVhostPrefixReachesUsersQueuesAndShovels() {
        Definitions prefixed = BrokerDefinitions.plan(environments.withVhostPrefix("t0c0ffe"));

        assertThat(prefixed.vhosts()).extracting(Definitions.Vhost::name)
                .containsExactly("t0c0ffe-dev", "t0c0ffe-staging", "t0c0ffe-prod");
        assertThat(prefixed.users()).allSatisfy(u -> assertThat(u.name()).startsWith("t0c0ffe-"));
        assertThat(prefixed.parameters().get(0).value()).containsEntry("src-uri", "amqp:///t0c0ffe-dev")
                .containsEntry("dest-uri", "amqp:///t0c0ffe-staging");
        assertThat(prefixed.topicPermission("t0c0ffe-dev", "t0c0ffe-dev-promotion", EVENTS_EXCHANGE).orElseThrow().write())
                .as("routing keys name environments, not vhosts").contains("promotion\\.requested\\.staging");
    }

    private List<String> queueNames(String vhost) {
        return plan.queues().stream().filter(q -> q.vhost().equals(vhost)).map(Queue::name).toList();
    }

    private long count(String vhost, String type) {
        return plan.queues().stream().filter(q -> q.vhost().equals(vhost) && type.equals(q.arguments().get("x-queue-type")))
                .count();
    }

    private List<String> resourcesIn(String vhost) {
        List<String> resources = new ArrayList<>();
        plan.queues().stream().filter(q -> q.vhost().equals(vhost)).forEach(q -> resources.add(q.name()));
        plan.exchanges().stream().filter(e -> e.vhost().equals(vhost)).forEach(e -> resources.add(e.name()));
        return resources;
    }

    private static List<String> matching(String regex, List<String> resources) {
        Pattern pattern = Pattern.compile(regex);
        return resources.stream().filter(r -> pattern.matcher(r).matches()).toList();
    }
}
