package io.stagecoach.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.Provisioner;
import io.stagecoach.platform.topology.ProvisioningReport;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.TestBroker;

import org.springframework.test.context.DynamicPropertyRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Stagecoach topology of the default environments in a test class's own vhosts ({@code <prefix>-dev}, ...),
 * with the services' users and passwords, and the administrator's hands for what a test does from outside:
 * publishing as some user, reading a dead-letter queue, changing a binding.
 */
public final class BrokerFixture {

    private final TestBroker broker;
    private final Environments environments;
    private final Map<String, Connection> adminConnections = new HashMap<>();

    private BrokerFixture(TestBroker broker, Environments environments) {
        this.broker = broker;
        this.environments = environments;
    }

    /**
     * Provisions the default environments under the broker's prefix with the platform's {@link Provisioner}
     * (passwords from {@link Credentials}, as the services read them) and lets the administrator in.
     */
    public static BrokerFixture provision(TestBroker broker) {
        Environments environments = Environments.loadDefault().withVhostPrefix(broker.prefix());
        ManagementClient management = new ManagementClient(broker.managementUrl(), broker.adminUser(),
                broker.adminPassword());
        ProvisioningReport report = new Provisioner(management, Credentials.fromEnvironment(), line -> { })
                .apply(environments);
        assertThat(report.isClean()).as(report.describe()).isTrue();
        for (Environment environment : environments.all()) {
            broker.management().put("/api/permissions/" + ManagementApi.encode(environment.vhost()) + "/"
                    + ManagementApi.encode(broker.adminUser()), Map.of("configure", ".*", "write", ".*", "read", ".*"));
        }
        return new BrokerFixture(broker, environments);
    }

    /**
     * The properties a service needs to run as {@code service} in {@code environment} on the class's broker
     * (read when the context starts, after {@code @BeforeAll} provisioned it).
     */
    public static void register(DynamicPropertyRegistry registry, Supplier<TestBroker> broker, String environment,
            String service) {
        registry.add("spring.rabbitmq.host", () -> broker.get().host());
        registry.add("spring.rabbitmq.port", () -> broker.get().amqpPort());
        registry.add("stagecoach.vhost-prefix", () -> broker.get().prefix());
        registry.add("stagecoach.environment", () -> environment);
        registry.add("stagecoach.service", () -> service);
    }

    public Environments environments() {
        return environments;
    }

    public Environment environment(String name) {
        return environments.get(name);
    }

    public String adminUser() {
        return broker.adminUser();
    }

    /**
     * Publishes into {@code environment}'s events exchange as {@code user} (with a confirm), setting
     * {@code user_id} only if asked: the broker validates it when set.
     */
    public void publishAs(String user, boolean withUserId, String environment, String routingKey, String messageId,
            byte[] body) throws Exception {
        String password = user.equals(broker.adminUser()) ? broker.adminPassword() : Credentials.passwordFor(user);
        try (Connection connection = broker.connectionFactory(environment(environment).vhost(), user, password)
                .newConnection(); Channel channel = connection.createChannel()) {
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

    /** Takes (and acks) every message now in {@code queue}, as the administrator. */
    public List<GetResponse> drain(String environment, String queue) throws Exception {
        List<GetResponse> messages = new ArrayList<>();
        try (Channel channel = adminConnection(environment).createChannel()) {
            GetResponse response;
            while ((response = channel.basicGet(queue, true)) != null) {
                messages.add(response);
            }
        }
        return messages;
    }

    /** One administrator connection per vhost, kept open: a loaded broker is slow to accept new ones. */
    private synchronized Connection adminConnection(String environment) throws Exception {
        Connection connection = adminConnections.get(environment);
        if (connection == null || !connection.isOpen()) {
            connection = broker.adminConnectionFactory(environment(environment).vhost()).newConnection();
            adminConnections.put(environment, connection);
        }
        return connection;
    }

    /** Waits until the message with {@code messageId} is in {@code queue} and takes it (and whatever came before). */
    public GetResponse awaitMessage(String environment, String queue, String messageId) {
        List<GetResponse> taken = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            taken.addAll(drain(environment, queue));
            return taken.stream().anyMatch(message -> messageId.equals(message.getProps().getMessageId()));
        });
        return taken.stream().filter(message -> messageId.equals(message.getProps().getMessageId())).findFirst()
                .orElseThrow();
    }

    /** Messages ready plus unacknowledged in {@code queue}, per the management API. */
    public long messagesIn(String environment, String queue) {
        return broker.management().get(queuePath(environment, queue))
                .map(node -> node.path("messages").asLong(0)).orElseThrow();
    }

    /** Removes every binding of {@code exchange} that routes {@code routingKey} somewhere; returns them for {@link #bind}. */
    public List<Map<String, String>> unbind(String environment, String exchange, String routingKey) {
        String vhost = ManagementApi.encode(environment(environment).vhost());
        List<Map<String, String>> removed = new ArrayList<>();
        broker.management().get("/api/exchanges/" + vhost + "/" + ManagementApi.encode(exchange) + "/bindings/source")
                .orElseThrow()
                .forEach(binding -> {
                    String key = binding.path("routing_key").asString();
                    if (matches(key, routingKey)) {
                        String queue = binding.path("destination").asString();
                        broker.management().delete("/api/bindings/" + vhost + "/e/" + ManagementApi.encode(exchange)
                                + "/q/" + ManagementApi.encode(queue) + "/"
                                + ManagementApi.encode(binding.path("properties_key").asString()));
                        Map<String, String> undo = new HashMap<>();
                        undo.put("queue", queue);
                        undo.put("routing_key", key);
                        removed.add(undo);
                    }
                });
        return removed;
    }

    public void bind(String environment, String exchange, List<Map<String, String>> bindings) {
        String vhost = ManagementApi.encode(environment(environment).vhost());
        bindings.forEach(binding -> broker.management().post("/api/bindings/" + vhost + "/e/"
                + ManagementApi.encode(exchange) + "/q/" + ManagementApi.encode(binding.get("queue")),
                Map.of("routing_key", binding.get("routing_key"))));
    }

    /**
     * Cuts {@code environment}'s vhost off, as if the broker were unreachable: no new connection is admitted and
     * every open one the management API lists is closed (the list lags a few seconds behind new connections).
     * {@link #reconnect} lets connections in again.
     */
    public void disconnect(String environment) {
        String vhost = ManagementApi.encode(environment(environment).vhost());
        broker.management().put("/api/vhost-limits/" + vhost + "/max-connections", Map.of("value", 0));
        broker.management().get("/api/vhosts/" + vhost + "/connections").orElseThrow().forEach(connection ->
                broker.management().delete("/api/connections/" + ManagementApi.encode(connection.path("name").asString())));
    }

    public void reconnect(String environment) {
        broker.management().delete("/api/vhost-limits/" + ManagementApi.encode(environment(environment).vhost())
                + "/max-connections");
    }

    private String queuePath(String environment, String queue) {
        return "/api/queues/" + ManagementApi.encode(environment(environment).vhost()) + "/"
                + ManagementApi.encode(queue);
    }

    /** AMQP topic matching, enough for the bindings Stagecoach declares ({@code #}, {@code *}, literals). */
    static boolean matches(String pattern, String routingKey) {
        String regex = pattern.replace(".", "\\.").replace("*", "[^.]+").replace("\\.#", "(\\..*)?")
                .replace("#", ".*");
        return routingKey.matches(regex);
    }
}
