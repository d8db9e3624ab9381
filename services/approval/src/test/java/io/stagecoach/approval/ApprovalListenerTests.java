package io.stagecoach.approval;

import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApprovalListenerTests {

    @Test
    void listensOnTheInboxesTheBrokerDefinitionsProvision() {
        assertThat(Principal.APPROVAL.consumes())
                .containsExactly(EventType.APPROVAL_REQUESTED, EventType.APPROVAL_DECIDED);
        assertThat(ApprovalListener.REQUESTED_INBOX)
                .isEqualTo(BrokerNames.inboxQueue(Principal.APPROVAL.id(), EventType.APPROVAL_REQUESTED));
        assertThat(ApprovalListener.DECIDED_INBOX)
                .isEqualTo(BrokerNames.inboxQueue(Principal.APPROVAL.id(), EventType.APPROVAL_DECIDED));
    }
}
