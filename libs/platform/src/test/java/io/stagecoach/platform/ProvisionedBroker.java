package io.stagecoach.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.credentials.PasswordPolicy;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.BrokerDefinitions;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.Provisioner;
import io.stagecoach.platform.topology.ProvisioningReport;
import io.stagecoach.testing.TestBroker;
import tools.jackson.databind.JsonNode;

/** The default environments under a test class's prefix, with random passwords, on a {@link TestBroker}. */
public final class ProvisionedBroker {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final TestBroker broker;
    private final Environments environments;
    private final Credentials credentials;

    private ProvisionedBroker(TestBroker broker, String name) {
        this.broker = broker;
        this.environments = Environments.loadDefault().withVhostPrefix(broker.name(name));
        Map<String, String> passwords = new LinkedHashMap<>();
        BrokerDefinitions.plan(environments).users().forEach(user -> passwords.put(Credentials.variableFor(user.name()),
                "pw-" + randomHex()));
        this.credentials = Credentials.fromVariables(passwords);
    }

    private static String randomHex() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The plan, not applied yet. */
    public static ProvisionedBroker planned(TestBroker broker, String name) {
        return new ProvisionedBroker(broker, name);
    }

    /** The plan, applied; fails unless the broker then matches it. */
    public static ProvisionedBroker provisioned(TestBroker broker, String name) {
        ProvisionedBroker provisioned = new ProvisionedBroker(broker, name);
        ProvisioningReport report = provisioned.provisioner(line -> { }).apply(provisioned.environments);
        assertThat(report.isClean()).as(report.describe()).isTrue();
        return provisioned;
    }

    public Environments environments() {
        return environments;
    }

    public Credentials credentials() {
        return credentials;
    }

    public ManagementClient management() {
        return new ManagementClient(broker.managementUrl(), broker.adminUser(), broker.adminPassword());
    }

    public Provisioner provisioner(Consumer<String> progress) {
        return new Provisioner(management(), PasswordPolicy.of(credentials).allowingLocalOnly(), progress);
    }

    public String vhost(String environment) {
        return environments.get(environment).vhost();
    }

    public String user(String environment, Principal principal) {
        return principal.userIn(vhost(environment));
    }

    /** Connects to {@code environment}'s vhost as {@code principal}'s user there. */
    public ConnectionFactory connectionFactory(String environment, Principal principal) {
        return connectionFactory(environment, environment, principal);
    }

    /** Connects to {@code vhostOf}'s vhost as {@code principal}'s user of {@code userOf} (to try crossing over). */
    public ConnectionFactory connectionFactory(String vhostOf, String userOf, Principal principal) {
        String user = user(userOf, principal);
        return broker.connectionFactory(vhost(vhostOf), user, credentials.password(user));
    }

    public ConnectionFactory adminConnectionFactory(String environment) {
        return broker.adminConnectionFactory(vhost(environment));
    }

    /**
     * Publishes into {@code environment}'s events exchange as {@code principal}, with {@code user_id} set,
     * persistent and mandatory, and waits for the confirm; fails if the message was returned.
     */
    public AMQP.BasicProperties publish(String environment, Principal principal, String routingKey, String body)
            throws Exception {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .userId(user(environment, principal))
                .messageId(UUID.randomUUID().toString())
                .contentType(BrokerNames.CONTENT_TYPE)
                .deliveryMode(2)
                .build();
        try (Connection connection = connectionFactory(environment, principal).newConnection();
             Channel channel = connection.createChannel()) {
            AtomicBoolean returned = new AtomicBoolean();
            channel.addReturnListener(r -> returned.set(true));
            channel.confirmSelect();
            channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, routingKey, true, properties,
                    body.getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);
            assertThat(returned).as("%s was routed to no queue", routingKey).isFalse();
        }
        return properties;
    }

    /** Waits until every hand-off shovel reports running. */
    public void awaitShovelsRunning() {
        await("hand-off shovels running").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Environment env : environments.all()) {
                if (environments.next(env.name()).isPresent()) {
                    JsonNode shovels = management().get("/api/shovels/" + ManagementClient.encode(env.vhost())).orElseThrow();
                    assertThat(shovels).as("shovels of %s", env.vhost())
                            .anySatisfy(s -> assertThat(s.path("state").asString()).isEqualTo("running"));
                }
            }
        });
    }

    /** Messages in a queue as the management API counts them (ready and unacknowledged; refreshed every few seconds). */
    public long messagesIn(String environment, String queue) {
        return management().get("/api/queues/" + ManagementClient.encode(vhost(environment)) + "/"
                + ManagementClient.encode(queue)).orElseThrow().path("messages").asLong(-1);
    }
}
