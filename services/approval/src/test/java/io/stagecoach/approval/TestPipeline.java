package io.stagecoach.approval;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.Provisioner;
import io.stagecoach.platform.topology.ProvisioningReport;
import io.stagecoach.testing.TestBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The default dev -> staging -> prod pipeline provisioned in a test broker under the class's prefix, and what the
 * tests do with it as the other parties: publish as a principal, read an environment's audit stream and DLQs.
 */
final class TestPipeline implements AutoCloseable {

    private final TestBroker broker;
    private final Environments environments;
    private final EventCodec codec = new EventCodec();
    private final List<LedgerFeed> feeds = new CopyOnWriteArrayList<>();

    private TestPipeline(TestBroker broker, Environments environments) {
        this.broker = broker;
        this.environments = environments;
    }

    /**
     * Provisions every vhost, queue, stream, shovel, user and permission of the default pipeline with the platform's
     * provisioner, passwords from {@link Credentials} as the service under test reads them, and waits for the
     * hand-off shovels.
     */
    static TestPipeline provision(TestBroker broker) {
        return provision(broker, Environments.loadDefault());
    }

    /** {@link #provision(TestBroker)} for another environments file. */
    static TestPipeline provision(TestBroker broker, Environments unprefixed) {
        Environments environments = unprefixed.withVhostPrefix(broker.prefix());
        ManagementClient management = new ManagementClient(broker.managementUrl(), broker.adminUser(),
                broker.adminPassword());
        ProvisioningReport report = new Provisioner(management, Credentials.fromEnvironment(), line -> { })
                .apply(environments);
        assertThat(report.isClean()).as(report.describe()).isTrue();
        // the administrator reads audit streams and dead letters, and plays an intruder
        environments.all().forEach(environment -> management.put(ManagementClient.path("api", "permissions",
                environment.vhost(), broker.adminUser()), Map.of("configure", ".*", "write", ".*", "read", ".*")));
        await("hand-off shovels running").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (var environment : environments.all()) {
                if (environments.next(environment.name()).isPresent()) {
                    assertThat(management.list(ManagementClient.path("api", "shovels", environment.vhost())))
                            .anySatisfy(shovel -> assertThat(shovel.path("state").asString()).isEqualTo("running"));
                }
            }
        });
        return new TestPipeline(broker, environments);
    }

    Environments environments() {
        return environments;
    }

    String prefix() {
        return broker.prefix();
    }

    String vhost(String environment) {
        return environments.get(environment).vhost();
    }

    /** The RabbitMQ user of {@code principal} in {@code environment}. */
    String user(String environment, Principal principal) {
        return principal.userIn(vhost(environment));
    }

    ConnectionFactory connectionFactory(String environment, Principal principal) {
        String user = user(environment, principal);
        return broker.connectionFactory(vhost(environment), user, Credentials.passwordFor(user));
    }

    ConnectionFactory adminConnectionFactory(String environment) {
        return broker.adminConnectionFactory(vhost(environment));
    }

    String adminUser() {
        return broker.adminUser();
    }

    /** Publishes {@code event} into {@code environment}'s vhost as {@code principal}, with its user_id set. */
    void publish(String environment, Principal principal, CloudEvent<?> event) throws Exception {
        publish(connectionFactory(environment, principal), event.routingKey(), codec.encode(event), event.id(),
                user(environment, principal));
    }

    /**
     * Publishes {@code body} with {@code routingKey} to {@code stagecoach.events} over {@code factory}, with
     * {@code userId} (none when null), mandatory, and waits for the confirm; fails when the broker closes the
     * channel or returns the message.
     */
    void publish(ConnectionFactory factory, String routingKey, byte[] body, String messageId, String userId)
            throws Exception {
        try (Connection connection = factory.newConnection("stagecoach-test");
             Channel channel = connection.createChannel()) {
            List<Integer> returned = new CopyOnWriteArrayList<>();
            channel.addReturnListener(r -> returned.add(r.getReplyCode()));
            channel.confirmSelect();
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .contentType(BrokerNames.CONTENT_TYPE)
                    .messageId(messageId)
                    .userId(userId)
                    .deliveryMode(2)
                    .build();
            channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, routingKey, true, properties, body);
            channel.waitForConfirmsOrDie(Duration.ofSeconds(10).toMillis());
            if (!returned.isEmpty()) {
                throw new IllegalStateException("returned by the broker: " + returned);
            }
        }
    }

    /** Follows {@code environment}'s audit stream from its start, as the administrator. */
    AuditTrail audit(String environment) throws Exception {
        AuditTrail trail = new AuditTrail();
        LedgerFeed feed = new LedgerFeed(adminConnectionFactory(environment), new EnvironmentLedger(environment, Provenance.of(environments)),
                codec);
        feed.onRecord(trail.records::add);
        feed.start(Duration.ofSeconds(30));
        feeds.add(feed);
        return trail;
    }

    /** Takes every message waiting in {@code queue} of {@code environment}, with its headers. */
    List<Map<String, Object>> drainHeaders(String environment, String queue) throws Exception {
        try (Connection connection = adminConnectionFactory(environment).newConnection("stagecoach-test-dlq");
             Channel channel = connection.createChannel()) {
            List<Map<String, Object>> headers = new java.util.ArrayList<>();
            GetResponse response;
            while ((response = channel.basicGet(queue, true)) != null) {
                Map<String, Object> copy = new HashMap<>();
                response.getProps().getHeaders().forEach((key, value) -> copy.put(key, String.valueOf(value)));
                headers.add(copy);
            }
            return headers;
        }
    }

    @Override
    public void close() {
        feeds.forEach(LedgerFeed::close);
    }

    /** What an environment's audit stream holds so far. */
    static final class AuditTrail {

        private final List<AuditRecord> records = new CopyOnWriteArrayList<>();

        List<AuditRecord> all() {
            return List.copyOf(records);
        }

        /** Records of {@code type} whose data is about {@code requestId} (or for whose release it was made). */
        List<AuditRecord> of(EventType type, String requestId) {
            return records.stream()
                    .filter(r -> r.event().eventType() == type)
                    .filter(r -> mentions(r.event(), requestId))
                    .toList();
        }

        private static boolean mentions(CloudEvent<?> event, String requestId) {
            Object data = event.data();
            if (data instanceof io.stagecoach.events.PromotionRequested p) {
                return p.approval() != null && requestId.equals(p.approval().requestId());
            }
            if (data instanceof io.stagecoach.events.ApprovalRefused r) {
                return requestId.equals(r.requestId());
            }
            if (data instanceof io.stagecoach.events.ApprovalDecided d) {
                return requestId.equals(d.requestId());
            }
            if (data instanceof io.stagecoach.events.ApprovalRequested r) {
                return requestId.equals(r.requestId());
            }
            if (data instanceof io.stagecoach.events.ApprovalOpened o) {
                return requestId.equals(o.requestId());
            }
            if (data instanceof io.stagecoach.events.ApprovalGranted g) {
                return requestId.equals(g.requestId());
            }
            if (data instanceof io.stagecoach.events.ApprovalRejected r) {
                return requestId.equals(r.requestId());
            }
            if (data instanceof io.stagecoach.events.ApprovalExpired e) {
                return requestId.equals(e.requestId());
            }
            return false;
        }
    }
}
