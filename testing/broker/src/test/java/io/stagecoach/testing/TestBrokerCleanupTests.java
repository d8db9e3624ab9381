package io.stagecoach.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Runs a broker's life by hand to see what it leaves behind. */
class TestBrokerCleanupTests {

    @Test
    void closingDeletesThePrefixesVhostsAndUsersAndNothingElse() {
        TestBroker outer = TestBroker.create(BrokerLocator.shared());
        TestBroker broker = TestBroker.create(BrokerLocator.shared());
        try {
            String bystander = outer.createVhost("bystander");
            String vhost = broker.createVhost("dev");
            String user = broker.name("dev-promotion");
            broker.management().put("/api/users/" + user, Map.of("password", "secret", "tags", ""));

            broker.close();

            assertThat(broker.management().get("/api/vhosts/" + vhost)).isEmpty();
            assertThat(broker.management().get("/api/users/" + user)).isEmpty();
            assertThat(broker.management().get("/api/vhosts/" + bystander)).as("another prefix's vhost").isPresent();
        } finally {
            outer.close();
        }
    }
}
