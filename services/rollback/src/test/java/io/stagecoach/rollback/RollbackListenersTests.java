package io.stagecoach.rollback;

import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.Principal;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RollbackListenersTests {

    @Test
    void listensToTheInboxesTheBrokerDefinitionsProvision() {
        assertThat(Principal.ROLLBACK.consumes()).map(type -> BrokerNames.inboxQueue("rollback", type))
                .containsExactly(RollbackListeners.SMOKETEST_FAILED, RollbackListeners.DEPLOYMENT_FAILED,
                        RollbackListeners.ALERT_FIRING, RollbackListeners.ROLLBACK_REQUESTED);
    }
}
