package io.stagecoach.ledger;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Principal;
import io.stagecoach.events.Release;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.TestBroker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dev vhost of the default path on a test broker, with its audit stream bound to the events exchange and the users
 * of dev's promotion, smoke-test and rollback services: what a ledger feed reads, and who appends to it.
 */
final class DevAuditStream {

    static final String SERVICE = "knative-lambda-builder";
    static final String PASSWORD = "ledger-feed-tests";
    static final Duration WAIT = Duration.ofSeconds(10);

    final TestBroker broker;
    final String vhost;
    final Provenance provenance;
    final ConnectionFactory factory;
    private final EventCodec codec = new EventCodec();

    DevAuditStream(TestBroker broker) throws Exception {
        this.broker = broker;
        String id = "f" + UUID.randomUUID().toString().substring(0, 7);
        Environments environments = Environments.loadDefault().withVhostPrefix(broker.name(id));
        provenance = Provenance.of(environments);
        vhost = broker.createVhost(id + "-dev");
        assertThat(vhost).isEqualTo(environments.get("dev").vhost());
        factory = broker.adminConnectionFactory(vhost);
        for (Principal principal : List.of(Principal.PROMOTION, Principal.SMOKE_TEST, Principal.ROLLBACK)) {
            String user = principal.userIn(vhost);
            broker.management().put("/api/users/" + ManagementApi.encode(user), Map.of("password", PASSWORD, "tags", ""));
            broker.management().put("/api/permissions/" + ManagementApi.encode(vhost) + "/" + ManagementApi.encode(user),
                    Map.of("configure", "", "write", ".*", "read", ""));
        }
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclare(BrokerNames.AUDIT_STREAM, true, false, false, Map.of("x-queue-type", "stream"));
            channel.exchangeDeclare(BrokerNames.EVENTS_EXCHANGE, "topic", true);
            channel.queueBind(BrokerNames.AUDIT_STREAM, BrokerNames.EVENTS_EXCHANGE, "#");
        }
    }

    EnvironmentLedger ledger() {
        return new EnvironmentLedger("dev", provenance);
    }

    static Release release(String version) {
        return new Release(SERVICE, version, "ghcr.io/example/knative-lambda-builder",
                "sha256:" + "a".repeat(63) + version.length(), "0123456789abcdef0123456789abcdef01234567", "carol");
    }

    static CloudEvent<?> deployed(String version) {
        return CloudEvent.of(new DeploymentCompleted(release(version), "dev", "gitops", "rev-" + version, null, false),
                "/stagecoach/dev/promotion", "dev", EventIds.derive("run", version), EventIds.derive("cause", version),
                EventIds.derive("deployed", version));
    }

    /** Appends {@code event} as its producer in dev would: under its type's key, with user_id. */
    void append(CloudEvent<?> event) throws Exception {
        Principal producer = event.data() instanceof SmokeTestPassed ? Principal.SMOKE_TEST
                : event.data() instanceof RollbackCompleted ? Principal.ROLLBACK : Principal.PROMOTION;
        append(event, event.eventType().routingKey("dev"), producer);
    }

    void append(CloudEvent<?> event, String routingKey, Principal as) throws Exception {
        String user = as.userIn(vhost);
        try (Connection connection = broker.connectionFactory(vhost, user, PASSWORD).newConnection();
             Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, routingKey, new AMQP.BasicProperties.Builder()
                    .contentType(BrokerNames.CONTENT_TYPE).deliveryMode(2).userId(user).build(), codec.encode(event));
            channel.waitForConfirmsOrDie(WAIT.toMillis());
        }
    }

    /** Closes every connection to the vhost whose name starts with {@code prefix}, as an operator would in the UI. */
    int closeConnections(String prefix) {
        int closed = 0;
        for (var connection : broker.management().get("/api/vhosts/" + ManagementApi.encode(vhost) + "/connections")
                .orElseThrow()) {
            String name = connection.path("client_properties").path("connection_name").asText("");
            if (name.startsWith(prefix)) {
                broker.management().delete("/api/connections/" + ManagementApi.encode(connection.path("name").asText()));
                closed++;
            }
        }
        return closed;
    }
}
