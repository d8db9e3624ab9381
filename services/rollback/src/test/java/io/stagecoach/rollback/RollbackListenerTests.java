package io.stagecoach.rollback;

import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.Principal;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RollbackListenerTests {

    @Test
    void listensToTheInboxesTheBrokerDefinitionsProvision() {
        assertThat(Principal.ROLLBACK.consumes()).map(type -> BrokerNames.inboxQueue("rollback", type))
                .containsExactly(RollbackListener.SMOKETEST_FAILED, RollbackListener.DEPLOYMENT_FAILED,
                        RollbackListener.ALERT_FIRING, RollbackListener.ROLLBACK_REQUESTED,
                        RollbackListener.HOLD_RELEASED);
    }
}
