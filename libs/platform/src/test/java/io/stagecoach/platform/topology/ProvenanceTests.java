package io.stagecoach.platform.topology;

import io.stagecoach.events.EventType;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProvenanceTests {

    private final Environments environments = Environments.loadDefault();
    private final Provenance provenance = Provenance.of(environments);

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
            "PROMOTION_REQUESTED,  dev,     dev-rollback,            false",
            "PROMOTION_REQUESTED,  dev,     dev-promotion,           false",
            "PROMOTION_REQUESTED,  dev,     dev-approval,            false",
            "PROMOTION_REQUESTED,  dev,     dev-ci,                  false",
            // an auto environment is entered from the previous environment's promotion, through the shovel
            "PROMOTION_REQUESTED,  staging, dev-promotion,           true",
            "PROMOTION_REQUESTED,  staging, staging-rollback,        false",
            "PROMOTION_REQUESTED,  staging, staging-promotion,       false",
            "PROMOTION_REQUESTED,  staging, staging-approval,        false",
            "PROMOTION_REQUESTED,  staging, staging-build-completed, false",
            "PROMOTION_REQUESTED,  staging, dev-build-completed,     false",
            "PROMOTION_REQUESTED,  staging, dev-rollback,            false",
            // a manual environment is entered only through its approval service (or a rollback)
            "PROMOTION_REQUESTED,  prod,    prod-approval,           true",
            "PROMOTION_REQUESTED,  prod,    prod-rollback,           false",
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
        assertThat(provenance.judge(environment, type, environment, type.routingKey(environment), user).isEmpty())
                .isEqualTo(accepted);
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void acceptsNoEventWithoutAPublisherButABuildWhereBuildsEnter(EventType type) {
        environments.all().forEach(environment -> {
            String name = environment.name();
            boolean buildEntry = type == EventType.BUILD_COMPLETED && environments.isFirst(name);
            assertThat(provenance.judge(name, type, name, type.routingKey(name), null).isEmpty()).isEqualTo(buildEntry);
            assertThat(provenance.judge(name, type, name, type.routingKey(name), "").isEmpty()).isEqualTo(buildEntry);
        });
    }

    @Test
    void namesTheUsersOfPrefixedVhostsSoATestRunTrustsOnlyItsOwnUsers() {
        Environments prefixed = environments.withVhostPrefix("t1");
        Provenance inTestVhosts = Provenance.of(prefixed);

        assertThat(inTestVhosts.publishersOf(EventType.PROMOTION_REQUESTED, "staging"))
                .containsExactly("t1-dev-promotion");
        assertThat(inTestVhosts.judge("staging", EventType.PROMOTION_REQUESTED, "staging",
                "promotion.requested.staging", "dev-promotion")).isPresent();
    }

    @Test
    void nobodyPublishesBuildsOutsideTheFirstEnvironment() {
        assertThat(provenance.publishersOf(EventType.BUILD_COMPLETED, "prod")).isEmpty();
        assertThat(provenance.publishersOf(EventType.APPROVAL_REQUESTED, "staging")).isEmpty();
    }

    /** The review's findings and their neighbours: a body under a key its credential may use is not that body. */
    @ParameterizedTest(name = "in {0}: a {1} body for {2} under {3} from {4}: {5}")
    @CsvSource({
            // the chat bot put a granted approval under its decision key
            "prod,    APPROVAL_GRANTED,     prod,    approval.decided.prod,        prod-chatops,       wrong-routing-key",
            "prod,    SMOKETEST_PASSED,     prod,    approval.decided.prod,        prod-chatops,       wrong-routing-key",
            // the operator put a grant or a verification under its rollback key
            "prod,    APPROVAL_GRANTED,     prod,    rollback.requested.prod,      prod-operator,      wrong-routing-key",
            "staging, SMOKETEST_PASSED,     staging, rollback.requested.staging,   staging-operator,   wrong-routing-key",
            // staging's promotion may send an approval request into prod, nothing else
            "prod,    APPROVAL_GRANTED,     prod,    approval.requested.prod,      staging-promotion,  wrong-routing-key",
            "prod,    PROMOTION_REQUESTED,  prod,    approval.requested.prod,      staging-promotion,  wrong-routing-key",
            "prod,    APPROVAL_REQUESTED,   prod,    approval.requested.prod,      staging-promotion,  ''",
            // the right key with the wrong publisher
            "prod,    APPROVAL_GRANTED,     prod,    approval.granted.prod,        prod-chatops,       unexpected-publisher",
            "prod,    PROMOTION_REQUESTED,  prod,    promotion.requested.prod,     prod-rollback,      unexpected-publisher",
            // a body addressed elsewhere than its key says, or to an environment that is not here or next
            "staging, SMOKETEST_PASSED,     prod,    smoketest.passed.staging,     staging-smoke-test, wrong-routing-key",
            "dev,     SMOKETEST_PASSED,     prod,    smoketest.passed.prod,        dev-smoke-test,     wrong-environment",
            // hand-offs count in the vhost they leave from only as published by its own promotion service
            "dev,     PROMOTION_REQUESTED,  staging, promotion.requested.staging,  dev-promotion,      ''",
            "dev,     PROMOTION_REQUESTED,  staging, promotion.requested.staging,  dev-rollback,       unexpected-publisher",
            "staging, APPROVAL_REQUESTED,   prod,    approval.requested.prod,      staging-promotion,  ''",
            "staging, APPROVAL_GRANTED,     prod,    approval.requested.prod,      staging-promotion,  wrong-routing-key",
            // and in the vhost they arrive in, as published by the previous environment's promotion service
            "staging, PROMOTION_REQUESTED,  staging, promotion.requested.staging,  dev-promotion,      ''",
    })
    void aRecordCountsOnlyUnderItsOwnKeyFromItsOwnProducers(String vhost, EventType body, String addressee,
            String routingKey, String publisher, String refusal) {
        assertThat(provenance.judge(vhost, body, addressee, routingKey, publisher).map(Provenance.Refusal::reason)
                .orElse("")).isEqualTo(refusal);
    }
}
