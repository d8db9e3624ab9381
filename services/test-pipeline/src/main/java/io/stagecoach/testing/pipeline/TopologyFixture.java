package io.stagecoach.testing.pipeline;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.EventCodec;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.Provisioner;
import io.stagecoach.platform.topology.ProvisioningReport;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.TestBroker;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The default environments provisioned in a test class's own vhosts, and what a test does from outside the
 * service: publish as CI, read the audit stream, take dead letters.
 */
public final class TopologyFixture {

    private final TestBroker broker;
    private final Environments environments;
    private final EventCodec codec = new EventCodec();

    private TopologyFixture(TestBroker broker, Environments environments) {
        this.broker = broker;
        this.environments = environments;
    }

    /** Provisions the default environments under the broker's prefix, passwords as the services resolve them. */
    public static TopologyFixture provision(TestBroker broker) {
        Environments environments = Environments.loadDefault().withVhostPrefix(broker.prefix());
        ProvisioningReport report = new Provisioner(new ManagementClient(broker.managementUrl(), broker.adminUser(),
                broker.adminPassword()), Credentials.fromEnvironment(), line -> { }).apply(environments);
        if (!report.isClean()) {
            throw new IllegalStateException(report.describe());
        }
        for (Environment environment : environments.all()) {
            broker.management().put("/api/permissions/" + ManagementApi.encode(environment.vhost()) + "/"
                    + ManagementApi.encode(broker.adminUser()), Map.of("configure", ".*", "write", ".*", "read", ".*"));
        }
        return new TopologyFixture(broker, environments);
    }

    /** Connection properties of a service running as {@code service} in {@code environment}. */
    public static void register(DynamicPropertyRegistry registry, Supplier<TestBroker> broker, String environment,
            String service) {
        registry.add("spring.rabbitmq.host", () -> broker.get().host());
        registry.add("spring.rabbitmq.port", () -> broker.get().amqpPort());
        registry.add("stagecoach.vhost-prefix", () -> broker.get().prefix());
        registry.add("stagecoach.environment", () -> environment);
        registry.add("stagecoach.service", () -> service);
    }

    public Environment environment(String name) {
        return environments.get(name);
    }

    /** {@code <vhost>-<principal>} in {@code environment}, e.g. the CI user of dev. */
    public String user(String environment, String principal) {
        return environment(environment).vhost() + "-" + principal;
    }

    /** Publishes as {@code user} with a confirm; with {@code withUserId} false as {@code amqp-publish} does. */
    public void publishAs(String user, boolean withUserId, String environment, String routingKey, String messageId,
            byte[] body) throws Exception {
        try (Connection connection = broker.connectionFactory(environment(environment).vhost(), user,
                Credentials.passwordFor(user)).newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .contentType(BrokerNames.CONTENT_TYPE)
                    .messageId(messageId)
                    .userId(withUserId ? user : null)
                    .deliveryMode(2)
                    .build();
            channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, routingKey, true, properties, body);
            channel.waitForConfirmsOrDie(5_000);
        }
    }

    /** Everything in {@code environment}'s audit stream now, in order. */
    public List<AuditRecord> audit(String environment) throws Exception {
        List<AuditRecord> records = new ArrayList<>();
        try (LedgerFeed feed = new LedgerFeed(broker.adminConnectionFactory(environment(environment).vhost()),
                new EnvironmentLedger(environment(environment).name(), Provenance.of(environments)), codec)) {
            // in stream order: what counts and what does not (the listeners run on the feed's one thread)
            feed.onRecord(records::add).onRefused((record, refusal) -> records.add(record));
            feed.start(Duration.ofSeconds(30));
        }
        return List.copyOf(records);
    }

    /** Waits until the message with {@code messageId} is in {@code queue} and takes it (and what came before). */
    public GetResponse awaitMessage(String environment, String queue, String messageId) {
        List<GetResponse> taken = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            taken.addAll(drain(environment, queue));
            return taken.stream().anyMatch(message -> messageId.equals(message.getProps().getMessageId()));
        });
        return taken.stream().filter(message -> messageId.equals(message.getProps().getMessageId())).findFirst()
                .orElseThrow();
    }

    /** Takes (and acks) every message now in {@code queue}, as the administrator. */
    public List<GetResponse> drain(String environment, String queue) throws Exception {
        List<GetResponse> messages = new ArrayList<>();
        try (Connection connection = broker.adminConnectionFactory(environment(environment).vhost()).newConnection();
             Channel channel = connection.createChannel()) {
            GetResponse response;
            while ((response = channel.basicGet(queue, true)) != null) {
                messages.add(response);
            }
        }
        return messages;
    }

    /** Messages ready plus unacknowledged in {@code queue}, per the management API. */
    public long messagesIn(String environment, String queue) {
        return broker.management().get(queuePath(environment, queue))
                .map(node -> node.path("messages").asLong(0)).orElseThrow();
    }

    public boolean queueExists(String environment, String queue) {
        return broker.management().get(queuePath(environment, queue)).isPresent();
    }

    /** Removes the bindings of the events exchange that route {@code routingKey} literally; returns their queues. */
    public List<String> unbind(String environment, String routingKey) {
        String vhost = ManagementApi.encode(environment(environment).vhost());
        List<String> queues = new ArrayList<>();
        broker.management().get("/api/exchanges/" + vhost + "/" + ManagementApi.encode(BrokerNames.EVENTS_EXCHANGE)
                + "/bindings/source").orElseThrow().forEach(binding -> {
                    String key = binding.path("routing_key").asString();
                    if (key.equals(routingKey) || key.equals("#")) {
                        String queue = binding.path("destination").asString();
                        broker.management().delete("/api/bindings/" + vhost + "/e/"
                                + ManagementApi.encode(BrokerNames.EVENTS_EXCHANGE) + "/q/" + ManagementApi.encode(queue)
                                + "/" + ManagementApi.encode(binding.path("properties_key").asString()));
                        queues.add(queue + "|" + key);
                    }
                });
        return queues;
    }

    /** Puts back what {@link #unbind} removed. */
    public void bind(String environment, List<String> removed) {
        String vhost = ManagementApi.encode(environment(environment).vhost());
        for (String entry : removed) {
            String[] parts = entry.split("\\|", 2);
            broker.management().post("/api/bindings/" + vhost + "/e/" + ManagementApi.encode(BrokerNames.EVENTS_EXCHANGE)
                    + "/q/" + ManagementApi.encode(parts[0]), Map.of("routing_key", parts[1]));
        }
    }

    private String queuePath(String environment, String queue) {
        return "/api/queues/" + ManagementApi.encode(environment(environment).vhost()) + "/"
                + ManagementApi.encode(queue);
    }
}
