package io.stagecoach.local;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.stagecoach.events.ApprovalRequested;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.events.Release;
import io.stagecoach.events.Verification;
import io.stagecoach.local.ForgedBodies.Victim;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.PublishingRights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The attack table of {@link ForgedRecordsAttackTests}, generated from the default path's publishing rights. */
class ForgedRecordCasesTests {

    private static final Environments ENVIRONMENTS = Environments.loadDefault();
    private static final PublishingRights RIGHTS = PublishingRights.of(ENVIRONMENTS);
    private static final List<ForgedRecordCase> CASES = ForgedRecordCases.generate(ENVIRONMENTS);
    private static final Set<EventType> ALL_TYPES = Set.of(EventType.values());
    private static final EventCodec CODEC = new EventCodec();

    @Test
    void forgesEveryOtherBodyTypeUnderEveryRoutingKeyEachPrincipalMayUse() {
        for (Environment environment : ENVIRONMENTS.all()) {
            for (Principal principal : RIGHTS.principalsIn(environment.name())) {
                for (String key : RIGHTS.routingKeys(principal, environment.name())) {
                    String keyEnvironment = ForgedRecordCase.environmentOf(key);
                    EventType own = Arrays.stream(EventType.values())
                            .filter(t -> t.routingKey(keyEnvironment).equals(key)).findFirst().orElseThrow();
                    assertThat(types(environment.name(), principal, key, keyEnvironment))
                            .as("%s-%s under %s", environment.name(), principal.id(), key)
                            .isEqualTo(ALL_TYPES.stream().filter(t -> t != own).collect(Collectors.toSet()));
                }
            }
        }
    }

    @Test
    void forgesAHandOffKeyForTheNextEnvironmentAndForThePublishersOwn() {
        List<ForgedRecordCase> handOffs = CASES.stream().filter(ForgedRecordCase::handOff).toList();

        assertThat(handOffs).extracting(ForgedRecordCase::publisher, ForgedRecordCase::routingKey).containsOnly(
                tuple("dev-promotion", "promotion.requested.staging"),
                tuple("staging-promotion", "approval.requested.prod"),
                tuple("dev-rollback", "release.withdrawn.staging"),
                tuple("staging-rollback", "release.withdrawn.prod"));
        assertThat(types("staging", Principal.PROMOTION, "approval.requested.prod", "prod"))
                .as("for prod, carried there by the shovel").doesNotContain(EventType.APPROVAL_REQUESTED)
                .hasSize(EventType.values().length - 1);
        assertThat(types("staging", Principal.PROMOTION, "approval.requested.prod", "staging"))
                .as("for staging, whose stream keeps it").isEqualTo(ALL_TYPES);
    }

    @Test
    void namesTheReportedPathsAsRowsOfTheirOwn() {
        List<String> names = CASES.stream().map(ForgedRecordCase::name).toList();

        assertThat(names).contains("prod-chatops approval.decided.prod <- approval.granted",
                "prod-operator rollback.requested.prod <- approval.granted",
                "prod-operator rollback.requested.prod <- smoketest.passed",
                "staging-promotion approval.requested.prod <- approval.granted",
                "staging-promotion approval.requested.prod <- deployment.completed",
                "staging-promotion approval.requested.prod <- approval.requested (for staging)");
        assertThat(names).as("a case names the attack it is").doesNotHaveDuplicates();
    }

    @Test
    void leavesOutEveryEventAPrincipalMayPublish() {
        assertThat(CASES).noneMatch(c -> ForgedRecordCases.isLegitimate(RIGHTS,
                c.principal().userIn(ENVIRONMENTS.get(c.environment()).vhost()), c.routingKey(), c.bodyType(),
                c.bodyEnvironment()));
        // every key of the publisher's own environment with every foreign type; a hand-off key with every foreign
        // type for the next environment and every type for the publisher's own
        int keys = 0;
        int handOffKeys = 0;
        for (Environment environment : ENVIRONMENTS.all()) {
            for (Principal principal : RIGHTS.principalsIn(environment.name())) {
                for (String key : RIGHTS.routingKeys(principal, environment.name())) {
                    keys++;
                    handOffKeys += key.endsWith("." + environment.name()) ? 0 : 1;
                }
            }
        }
        int types = EventType.values().length;
        // promotion's and rollback's hand-offs out of dev and out of staging
        assertThat(handOffKeys).isEqualTo(4);
        assertThat(CASES).hasSize((keys - handOffKeys) * (types - 1) + handOffKeys * (types - 1 + types));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forgesAValidEventOfTheCaseTypeForItsEnvironment(ForgedRecordCase forged) {
        Victim victim = victim();
        CloudEvent<?> body = new ForgedBodies(ENVIRONMENTS).body(forged, victim, Instant.now());

        CloudEvent<?> decoded = CODEC.decode(CODEC.encode(body));

        assertThat(decoded.eventType()).isEqualTo(forged.bodyType());
        assertThat(decoded.environment()).isEqualTo(forged.bodyEnvironment());
        assertThat(decoded.correlationid()).isEqualTo(victim.runId());
        if (forged.bodyType() == EventType.APPROVAL_GRANTED) {
            assertThat(decoded.id()).as("the approval service's id for the grant")
                    .isEqualTo(EventIds.derive(victim.requestId(), EventType.APPROVAL_GRANTED.type(),
                            forged.bodyEnvironment()));
        }
    }

    static Stream<ForgedRecordCase> cases() {
        return CASES.stream();
    }

    private static Set<EventType> types(String environment, Principal principal, String key, String bodyEnvironment) {
        return CASES.stream().filter(c -> c.environment().equals(environment) && c.principal() == principal
                && c.routingKey().equals(key) && c.bodyEnvironment().equals(bodyEnvironment))
                .map(ForgedRecordCase::bodyType).collect(Collectors.toSet());
    }

    private static Victim victim() {
        Release waiting = Releases.release("v-prod-chatops", "1.0.0", "jane");
        Instant at = Instant.parse("2026-12-01T10:00:00Z");
        var request = new ApprovalRequested(EventIds.derive("request"), waiting, "prod", List.of("sre-team"), 1, at,
                at.plusSeconds(86_400), new Verification("staging", EventIds.derive("passed")));
        CloudEvent<ApprovalRequested> requested = CloudEvent.of(request, "/stagecoach/staging/promotion", "prod",
                Releases.runId(waiting), EventIds.derive("passed"), EventIds.derive("requested"));
        return new Victim(waiting.service(), waiting, Releases.unbuilt(waiting.service(), "1.0.1"), requested);
    }
}
