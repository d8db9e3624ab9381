package io.stagecoach.support.inbound;

import io.stagecoach.events.EventType;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExpectedPublishersTests {

    private final Environments environments = Environments.loadDefault();
    private final ExpectedPublishers expected = new ExpectedPublishers(environments);

    @ParameterizedTest(name = "{0} into {1} published by {2}: accepted={3}")
    @CsvSource({
            // builds enter the first environment from CI only
            "BUILD_COMPLETED,      dev,     dev-ci,                  true",
            "BUILD_COMPLETED,      dev,     dev-build-completed,     true",
            "BUILD_COMPLETED,      dev,     dev-promotion,           false",
            "BUILD_COMPLETED,      dev,     staging-ci,              false",
            "BUILD_COMPLETED,      staging, staging-ci,              false",
            // the first environment is entered from a registered build, or a rollback re-deploy
            "PROMOTION_REQUESTED,  dev,     dev-build-completed,     true",
            "PROMOTION_REQUESTED,  dev,     dev-rollback,            true",
            "PROMOTION_REQUESTED,  dev,     dev-promotion,           false",
            "PROMOTION_REQUESTED,  dev,     dev-approval,            false",
            "PROMOTION_REQUESTED,  dev,     dev-ci,                  false",
            // an auto environment is entered from the previous environment's promotion, through the shovel
            "PROMOTION_REQUESTED,  staging, dev-promotion,           true",
            "PROMOTION_REQUESTED,  staging, staging-rollback,        true",
            "PROMOTION_REQUESTED,  staging, staging-promotion,       false",
            "PROMOTION_REQUESTED,  staging, staging-approval,        false",
            "PROMOTION_REQUESTED,  staging, staging-build-completed, false",
            "PROMOTION_REQUESTED,  staging, dev-build-completed,     false",
            "PROMOTION_REQUESTED,  staging, dev-rollback,            false",
            // a manual environment is entered only through its approval service (or a rollback)
            "PROMOTION_REQUESTED,  prod,    prod-approval,           true",
            "PROMOTION_REQUESTED,  prod,    prod-rollback,           true",
            "PROMOTION_REQUESTED,  prod,    staging-promotion,       false",
            "PROMOTION_REQUESTED,  prod,    staging-approval,        false",
            "PROMOTION_REQUESTED,  prod,    prod-operator,           false",
            // approvals are requested for a manual environment by the previous environment's promotion
            "APPROVAL_REQUESTED,   prod,    staging-promotion,       true",
            "APPROVAL_REQUESTED,   prod,    prod-promotion,          false",
            "APPROVAL_REQUESTED,   staging, dev-promotion,           false",
            // a request is opened by the gated environment's own approval service, never by who requested it
            "APPROVAL_OPENED,      prod,    prod-approval,           true",
            "APPROVAL_OPENED,      prod,    staging-promotion,       false",
            "APPROVAL_OPENED,      staging, staging-approval,        false",
            // decisions come from the configured decision publishers of the same environment
            "APPROVAL_DECIDED,     prod,    prod-chatops,            true",
            "APPROVAL_DECIDED,     prod,    staging-chatops,         false",
            "APPROVAL_DECIDED,     prod,    prod-operator,           false",
            "APPROVAL_DECIDED,     prod,    prod-approval,           false",
            "APPROVAL_DECIDED,     staging, staging-chatops,         false",
            // everything else comes from the producing service of the same environment
            "DEPLOYMENT_COMPLETED, staging, staging-promotion,       true",
            "DEPLOYMENT_COMPLETED, staging, dev-promotion,           false",
            "DEPLOYMENT_FAILED,    prod,    prod-promotion,          true",
            "DEPLOYMENT_FAILED,    prod,    prod-smoke-test,         false",
            "SMOKETEST_PASSED,     staging, staging-smoke-test,      true",
            "SMOKETEST_PASSED,     staging, dev-smoke-test,          false",
            "SMOKETEST_PASSED,     staging, staging-promotion,       false",
            "SMOKETEST_FAILED,     prod,    prod-smoke-test,         true",
            "SMOKETEST_FAILED,     prod,    prod-rollback,           false",
            "ALERT_FIRING,         prod,    prod-rollback,           true",
            "ALERT_FIRING,         prod,    prod-operator,           false",
            "ROLLBACK_REQUESTED,   prod,    prod-operator,           true",
            "ROLLBACK_REQUESTED,   prod,    prod-chatops,            false",
            "ROLLBACK_REQUESTED,   prod,    staging-operator,        false",
            "APPROVAL_GRANTED,     prod,    prod-approval,           true",
            "APPROVAL_GRANTED,     prod,    prod-chatops,            false",
            "APPROVAL_GRANTED,     staging, staging-approval,        false",
            "APPROVAL_EXPIRED,     prod,    prod-approval,           true",
            "PROMOTION_BLOCKED,    dev,     dev-promotion,           true",
            "ROLLBACK_COMPLETED,   dev,     dev-rollback,            true",
            "ROLLBACK_COMPLETED,   dev,     dev-promotion,           false",
    })
    void acceptsOnlyTheProducersOfATypeForAnEnvironment(EventType type, String environment, String user,
            boolean accepted) {
        assertThat(expected.isExpected(type, environments.get(environment), user)).isEqualTo(accepted);
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void neverAcceptsAnEventWithoutAPublisher(EventType type) {
        environments.all().forEach(environment -> {
            assertThat(expected.isExpected(type, environment, null)).isFalse();
            assertThat(expected.isExpected(type, environment, "")).isFalse();
        });
    }

    @Test
    void namesTheUsersOfPrefixedVhostsSoATestRunTrustsOnlyItsOwnUsers() {
        Environments prefixed = environments.withVhostPrefix("t1");
        ExpectedPublishers inTestVhosts = new ExpectedPublishers(prefixed);

        assertThat(inTestVhosts.publishersOf(EventType.PROMOTION_REQUESTED, prefixed.get("staging")))
                .containsExactly("t1-dev-promotion", "t1-staging-rollback");
        assertThat(inTestVhosts.isExpected(EventType.PROMOTION_REQUESTED, prefixed.get("staging"), "dev-promotion"))
                .isFalse();
    }

    @Test
    void nobodyPublishesBuildsOutsideTheFirstEnvironment() {
        assertThat(expected.publishersOf(EventType.BUILD_COMPLETED, environments.get("prod"))).isEmpty();
        assertThat(expected.publishersOf(EventType.APPROVAL_REQUESTED, environments.get("staging"))).isEmpty();
    }
}
