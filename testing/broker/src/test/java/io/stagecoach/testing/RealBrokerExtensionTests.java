package io.stagecoach.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@RealBroker
class RealBrokerExtensionTests {

    static TestBroker staticBroker;
    static TestBroker beforeAllBroker;
    TestBroker instanceBroker;

    @BeforeAll
    static void receiveTheBrokerBeforeAll(TestBroker broker) {
        beforeAllBroker = broker;
    }

    @Test
    void injectsOneBrokerPerClassEverywhere(TestBroker broker) {
        assertThat(broker).isSameAs(staticBroker).isSameAs(beforeAllBroker).isSameAs(instanceBroker);
        assertThat(broker.prefix()).matches("t[0-9a-f]{6}");
        assertThat(broker.name("dev")).isEqualTo(broker.prefix() + "-dev");
        assertThat(broker.kind()).isIn("local", "container");
        assertThat(broker.managementUrl()).startsWith("http://").doesNotEndWith("/");
    }

    @Test
    void aCreatedVhostIsUsableByTheAdministrator(TestBroker broker) throws Exception {
        String vhost = broker.createVhost("scratch");

        try (Connection connection = broker.adminConnectionFactory(vhost).newConnection();
             Channel channel = connection.createChannel()) {
            channel.queueDeclare("probe", true, false, false, Map.of("x-queue-type", "quorum"));
            assertThat(broker.management().get("/api/queues/" + ManagementApi.encode(vhost) + "/probe"))
                    .get().extracting(q -> q.path("type").asString()).isEqualTo("quorum");
        }
    }

    @AfterAll
    static void theBrokerIsStillOpenDuringAfterAll() {
        assertThat(staticBroker.management().get("/api/overview")).isPresent();
    }
}
