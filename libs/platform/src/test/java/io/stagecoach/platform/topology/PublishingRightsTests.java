package io.stagecoach.platform.topology;

import static io.stagecoach.events.Principal.APPROVAL;
import static io.stagecoach.events.Principal.BUILD_COMPLETED;
import static io.stagecoach.events.Principal.CHATOPS;
import static io.stagecoach.events.Principal.CI;
import static io.stagecoach.events.Principal.OPERATOR;
import static io.stagecoach.events.Principal.PROMOTION;
import static io.stagecoach.events.Principal.ROLLBACK;
import static io.stagecoach.events.Principal.SMOKE_TEST;
import static io.stagecoach.events.Principal.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PublishingRightsTests {

    private final PublishingRights rights = PublishingRights.of(Environments.loadDefault());

    static Stream<Arguments> whoMayPublishWhatWhere() {
        return Stream.of(
                row(CI, "dev", "build.completed.dev"),
                row(CI, "staging"),
                row(CI, "prod"),
                row(BUILD_COMPLETED, "dev", "build.completed.dev", "promotion.requested.dev", "promotion.blocked.dev"),
                row(BUILD_COMPLETED, "staging"),
                row(PROMOTION, "dev", "promotion.blocked.dev", "deployment.completed.dev", "deployment.failed.dev",
                        "ledger.checkpointed.dev", "drift.detected.dev", "drift.cleared.dev",
                        "promotion.frozen.dev", "promotion.requested.staging"),
                row(PROMOTION, "staging", "promotion.blocked.staging", "deployment.completed.staging",
                        "deployment.failed.staging", "ledger.checkpointed.staging", "drift.detected.staging",
                        "drift.cleared.staging", "promotion.frozen.staging", "approval.requested.prod"),
                row(PROMOTION, "prod", "promotion.blocked.prod", "deployment.completed.prod", "deployment.failed.prod",
                        "ledger.checkpointed.prod", "drift.detected.prod", "drift.cleared.prod",
                        "promotion.frozen.prod"),
                row(SMOKE_TEST, "staging", "promotion.blocked.staging", "smoketest.passed.staging",
                        "smoketest.failed.staging"),
                row(ROLLBACK, "dev", "alert.firing.dev", "rollback.completed.dev",
                        "rollback.failed.dev", "release.withdrawn.staging"),
                row(ROLLBACK, "staging", "alert.firing.staging",
                        "rollback.completed.staging", "rollback.failed.staging", "release.withdrawn.prod"),
                row(ROLLBACK, "prod", "alert.firing.prod", "rollback.completed.prod",
                        "rollback.failed.prod"),
                row(APPROVAL, "dev"),
                row(APPROVAL, "staging"),
                row(APPROVAL, "prod", "promotion.requested.prod", "approval.opened.prod", "approval.granted.prod",
                        "approval.rejected.prod", "approval.refused.prod", "approval.expired.prod"),
                row(CHATOPS, "staging"),
                row(CHATOPS, "prod", "approval.decided.prod"),
                row(OPERATOR, "dev", "rollback.requested.dev", "hold.released.dev", "line.stopped.dev",
                        "line.restarted.dev"),
                row(OPERATOR, "prod", "rollback.requested.prod", "hold.released.prod", "line.stopped.prod",
                        "line.restarted.prod"));
    }

    @ParameterizedTest(name = "{0} in {1}: {2}")
    @MethodSource("whoMayPublishWhatWhere")
    void grantsEachPrincipalOnlyItsOwnRoutingKeys(Principal principal, String environment, List<String> keys) {
        assertThat(rights.routingKeys(principal, environment)).containsExactlyElementsOf(keys);
    }

    static Stream<Arguments> whoAnEventMayComeFrom() {
        return Stream.of(
                // CI, or the build-completed service for builds posted to its webhook
                Arguments.of(EventType.BUILD_COMPLETED, "dev", List.of("dev-build-completed", "dev-ci")),
                Arguments.of(EventType.BUILD_COMPLETED, "staging", List.of()),
                Arguments.of(EventType.PROMOTION_REQUESTED, "dev", List.of("dev-build-completed")),
                // handed off by the shovel, which keeps the dev user's user_id
                Arguments.of(EventType.PROMOTION_REQUESTED, "staging", List.of("dev-promotion")),
                Arguments.of(EventType.PROMOTION_REQUESTED, "prod", List.of("prod-approval")),
                Arguments.of(EventType.APPROVAL_REQUESTED, "prod", List.of("staging-promotion")),
                // prod's own receipt of a request: only prod's approval service, never staging's promotion
                Arguments.of(EventType.APPROVAL_OPENED, "prod", List.of("prod-approval")),
                Arguments.of(EventType.APPROVAL_OPENED, "staging", List.of()),
                Arguments.of(EventType.APPROVAL_DECIDED, "prod", List.of("prod-chatops")),
                Arguments.of(EventType.APPROVAL_DECIDED, "staging", List.of()),
                Arguments.of(EventType.SMOKETEST_PASSED, "staging", List.of("staging-smoke-test")),
                Arguments.of(EventType.PROMOTION_BLOCKED, "dev", List.of("dev-build-completed", "dev-promotion",
                        "dev-smoke-test")),
                // only the previous environment's rollback service withdraws, through the shovel
                Arguments.of(EventType.RELEASE_WITHDRAWN, "prod", List.of("staging-rollback")),
                Arguments.of(EventType.RELEASE_WITHDRAWN, "staging", List.of("dev-rollback")),
                Arguments.of(EventType.RELEASE_WITHDRAWN, "dev", List.of()));
    }

    @ParameterizedTest(name = "{0} into {1} from {2}")
    @MethodSource("whoAnEventMayComeFrom")
    void namesTheUsersAConsumerAcceptsAnEventFrom(EventType type, String environment, List<String> users) {
        assertThat(rights.expectedPublishers(type, environment)).containsExactlyInAnyOrderElementsOf(users);
    }

    @Test
    void usersExistOnlyWhereThePrincipalCanAct() {
        assertThat(rights.principalsIn("dev")).containsExactly(BUILD_COMPLETED, PROMOTION, SMOKE_TEST, ROLLBACK, CI,
                OPERATOR, VIEWER);
        assertThat(rights.principalsIn("staging")).containsExactly(PROMOTION, SMOKE_TEST, ROLLBACK, OPERATOR, VIEWER);
        assertThat(rights.principalsIn("prod")).containsExactly(PROMOTION, SMOKE_TEST, ROLLBACK, APPROVAL, CHATOPS,
                OPERATOR, VIEWER);
    }

    @Test
    void aServiceRunsWhereSomethingItConsumesMayBePublished() {
        assertThat(rights.environmentsOf(BUILD_COMPLETED)).as("builds enter the first environment").containsExactly("dev");
        assertThat(rights.environmentsOf(APPROVAL)).as("behind the manual gate").containsExactly("prod");
        assertThat(rights.environmentsOf(PROMOTION)).containsExactly("dev", "staging", "prod");
        assertThat(rights.environmentsOf(SMOKE_TEST)).containsExactly("dev", "staging", "prod");
        assertThat(rights.environmentsOf(ROLLBACK)).containsExactly("dev", "staging", "prod");
        assertThat(rights.environmentsOf(CI)).containsExactly("dev");
        assertThat(rights.environmentsOf(CHATOPS)).containsExactly("prod");
        assertThat(rights.runsIn(APPROVAL, "staging")).isFalse();
    }

    static Stream<Arguments> whichInboxesAServiceHasWhere() {
        return Stream.of(
                Arguments.of(BUILD_COMPLETED, "dev", List.of(EventType.BUILD_COMPLETED)),
                Arguments.of(BUILD_COMPLETED, "staging", List.of()),
                // nothing precedes dev to withdraw a release from it
                Arguments.of(PROMOTION, "dev", List.of(EventType.PROMOTION_REQUESTED, EventType.SMOKETEST_PASSED)),
                Arguments.of(PROMOTION, "staging", PROMOTION.consumes()),
                Arguments.of(PROMOTION, "prod", PROMOTION.consumes()),
                Arguments.of(ROLLBACK, "dev", ROLLBACK.consumes()),
                Arguments.of(APPROVAL, "dev", List.of()),
                Arguments.of(APPROVAL, "prod", APPROVAL.consumes()),
                Arguments.of(CI, "dev", List.of()));
    }

    @ParameterizedTest(name = "{0} in {1}: {2}")
    @MethodSource("whichInboxesAServiceHasWhere")
    void aServiceHasAnInboxForATypeWhereSomeoneMayPublishIt(Principal service, String environment,
            List<EventType> types) {
        assertThat(rights.inboxes(service, environment)).containsExactlyElementsOf(types);
    }

    @Test
    void everyInboxHasAProducerAndEveryRunningServiceAnInbox() {
        Environments environments = Environments.loadDefault();
        for (var env : environments.all()) {
            for (Principal principal : rights.principalsIn(env.name())) {
                assertThat(rights.inboxes(principal, env.name())).allSatisfy(type -> assertThat(
                        rights.expectedPublishers(type, env.name())).isNotEmpty());
                if (principal.isService()) {
                    assertThat(rights.inboxes(principal, env.name())).as("%s in %s", principal, env.name()).isNotEmpty();
                }
            }
        }
    }

    @Test
    void aManualStagingIsEnteredByApprovalInsteadOfAutomatically() {
        Environments manualStaging = Environments.parse(
                "services: [knative-lambda-builder]\n"
                        + "teams: {qa-team: [carol]}\n"
                        + "decision-publishers: [chatops]\n"
                        + "environments:\n"
                        + "  - {name: dev, vhost: dev, gate: auto, namespace: d, audit-retention: 1d}\n"
                        + "  - {name: staging, vhost: staging, gate: manual, approvers: [qa-team], namespace: s, "
                        + "audit-retention: 1d}\n", "test");
        PublishingRights manual = PublishingRights.of(manualStaging);

        assertThat(manual.routingKeys(PROMOTION, "dev")).contains("approval.requested.staging")
                .doesNotContain("promotion.requested.staging");
        assertThat(manual.expectedPublishers(EventType.PROMOTION_REQUESTED, "staging"))
                .containsExactlyInAnyOrder("staging-approval");
        assertThat(manual.principalsIn("staging")).contains(CHATOPS);
        assertThat(manual.environmentsOf(APPROVAL)).containsExactly("staging");
        assertThat(manual.inboxes(APPROVAL, "staging")).containsExactlyElementsOf(APPROVAL.consumes());
        assertThat(manual.environmentsOf(BUILD_COMPLETED)).containsExactly("dev");
    }

    @Test
    void twoManualGatesInARowEachHaveTheirApprovalService() {
        PublishingRights twoGates = PublishingRights.of(Environments.parse(
                "services: [knative-lambda-builder]\n"
                        + "teams: {qa-team: [carol], sre-team: [alice]}\n"
                        + "decision-publishers: [chatops]\n"
                        + "environments:\n"
                        + "  - {name: dev, vhost: dev, gate: auto, namespace: d, audit-retention: 1d}\n"
                        + "  - {name: qa, vhost: qa, gate: manual, approvers: [qa-team], namespace: q, audit-retention: 1d}\n"
                        + "  - {name: prod, vhost: prod, gate: manual, approvers: [sre-team], namespace: p, "
                        + "audit-retention: 1d}\n", "test"));

        assertThat(twoGates.environmentsOf(APPROVAL)).containsExactly("qa", "prod");
        assertThat(twoGates.expectedPublishers(EventType.APPROVAL_REQUESTED, "prod")).containsExactly("qa-promotion");
        assertThat(twoGates.environmentsOf(PROMOTION)).containsExactly("dev", "qa", "prod");
    }

    private static Arguments row(Principal principal, String environment, String... keys) {
        return Arguments.of(principal, environment, List.of(keys));
    }
}
