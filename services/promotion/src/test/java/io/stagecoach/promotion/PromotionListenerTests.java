package io.stagecoach.promotion;

import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.Principal;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromotionListenerTests {

    @Test
    void listensToTheInboxesTheBrokerDefinitionsProvision() {
        assertThat(Principal.PROMOTION.consumes()).map(type -> BrokerNames.inboxQueue("promotion", type))
                .containsExactly(PromotionListener.PROMOTION_REQUESTED, PromotionListener.SMOKETEST_PASSED,
                        PromotionListener.RELEASE_WITHDRAWN);
    }
}
