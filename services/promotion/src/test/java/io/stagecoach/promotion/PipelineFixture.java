package io.stagecoach.promotion;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.Provisioner;
import io.stagecoach.platform.topology.ProvisioningReport;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.TestBroker;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The Stagecoach topology of the default environments in a test class's own vhosts, with every user and its
 * password, and what a test does from outside the services: publish an event as some principal, read an
 * environment's audit stream, run a service in an environment.
 */
public final class PipelineFixture implements AutoCloseable {

    private final TestBroker broker;
    private final Environments environments;
    private final EventCodec codec = new EventCodec();
    private final Map<String, AuditLog> audits = new LinkedHashMap<>();

    private PipelineFixture(TestBroker broker, Environments environments) {
        this.broker = broker;
        this.environments = environments;
    }

    /**
     * Provisions the default environments under the broker's prefix with the platform's {@link Provisioner}
     * (passwords as the services read them) and lets the administrator into their vhosts.
     */
    public static PipelineFixture provision(TestBroker broker) {
        Environments environments = Environments.loadDefault().withVhostPrefix(broker.prefix());
        ManagementClient management = new ManagementClient(broker.managementUrl(), broker.adminUser(),
                broker.adminPassword());
        ProvisioningReport report = new Provisioner(management, Credentials.fromEnvironment(), line -> { })
                .apply(environments);
        if (!report.isClean()) {
            throw new IllegalStateException("provisioning " + broker.prefix() + " left differences: "
                    + report.describe());
        }
        for (Environment environment : environments.all()) {
            broker.management().put("/api/permissions/" + ManagementApi.encode(environment.vhost()) + "/"
                    + ManagementApi.encode(broker.adminUser()), Map.of("configure", ".*", "write", ".*", "read", ".*"));
        }
        return new PipelineFixture(broker, environments);
    }

    public Environments environments() {
        return environments;
    }

    public Environment environment(String name) {
        return environments.get(name);
    }

    /** The user of {@code principal} in {@code environment}'s vhost, e.g. {@code t1a2b3c-dev-promotion}. */
    public String user(Principal principal, String environment) {
        return principal.userIn(environment(environment).vhost());
    }

    /**
     * Publishes {@code event} with its routing key into {@code vhostOf}'s events exchange as {@code principal}'s
     * user there, with {@code user_id} set (the broker validates it), and waits for the confirm.
     */
    public void publishAs(Principal principal, String vhostOf, CloudEvent<?> event) throws Exception {
        publishWithRoutingKey(principal, vhostOf, event.routingKey(), event);
    }

    /** {@link #publishAs}, under another routing key than the event's own: what a forger would try. */
    public void publishWithRoutingKey(Principal principal, String vhostOf, String routingKey, CloudEvent<?> event)
            throws Exception {
        String user = user(principal, vhostOf);
        ConnectionFactory factory = patient(broker.connectionFactory(environment(vhostOf).vhost(), user,
                Credentials.passwordFor(user)));
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .contentType(BrokerNames.CONTENT_TYPE)
                    .messageId(event.id())
                    .userId(user)
                    .deliveryMode(2)
                    .build();
            channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, routingKey, true, properties, codec.encode(event));
            channel.waitForConfirmsOrDie(5_000);
        }
    }

    /** Publishes into the event's own environment. */
    public void publishAs(Principal principal, CloudEvent<?> event) throws Exception {
        publishAs(principal, event.environment(), event);
    }

    /** {@code environment}'s audit stream, followed from its start. */
    public synchronized AuditLog audit(String environment) throws Exception {
        AuditLog audit = audits.get(environment);
        if (audit == null) {
            audit = AuditLog.follow(patient(broker.adminConnectionFactory(environment(environment).vhost())),
                    environments, environment);
            audits.put(environment, audit);
        }
        return audit;
    }

    /**
     * Registers {@link #serviceProperties} for a {@code @SpringBootTest}; they are read when the context starts,
     * after {@code @BeforeAll} provisioned the broker.
     */
    public static void register(DynamicPropertyRegistry registry, Supplier<PipelineFixture> fixture,
                                String environment, String service, Supplier<Path> gitops) {
        List<String> keys = new ArrayList<>(List.of("spring.rabbitmq.host", "spring.rabbitmq.port",
                "stagecoach.vhost-prefix", "stagecoach.environment", "stagecoach.service",
                "stagecoach.target.gitops.repository", "stagecoach.resilience.retry.initial-backoff",
                "spring.rabbitmq.listener.simple.retry.initial-interval"));
        SERVICES.forEach(name -> keys.add(IMAGES + name));
        for (String key : keys) {
            registry.add(key, () -> fixture.get().serviceProperties(environment, service, gitops.get()).get(key));
        }
    }

    /** The services tests promote; the GitOps repository is seeded with an overlay entry for each. */
    public static final List<String> SERVICES = List.of("svc-once", "svc-once-next", "svc-order", "svc-handoff",
            "svc-stale", "svc-metrics", "svc-staging", "svc-unverified", "svc-rollback", "svc-rollback-next",
            "svc-nothing-verified", "svc-alert", "svc-alert-marker", "svc-withdrawn", "svc-forged-withdrawal");

    private static final String IMAGES = "stagecoach.target.gitops.images.";

    /**
     * The properties that run {@code service} in {@code environment} on this broker, deploying into the GitOps
     * repository at {@code gitops}, with short retry waits.
     */
    public Map<String, Object> serviceProperties(String environment, String service, Path gitops) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.rabbitmq.host", broker.host());
        properties.put("spring.rabbitmq.port", broker.amqpPort());
        properties.put("stagecoach.vhost-prefix", broker.prefix());
        properties.put("stagecoach.environment", environment);
        properties.put("stagecoach.service", service);
        properties.put("stagecoach.target.gitops.repository", gitops.toString());
        properties.put("stagecoach.resilience.retry.initial-backoff", "50ms");
        properties.put("spring.rabbitmq.listener.simple.retry.initial-interval", "100ms");
        SERVICES.forEach(name -> properties.put(IMAGES + name, TestEvents.release(name, "0.0.0").image()));
        return properties;
    }

    /** {@link #serviceProperties} as command-line arguments (which outrank the service's application.yaml). */
    public String[] serviceArguments(String environment, String service, Path gitops) {
        List<String> arguments = new ArrayList<>();
        serviceProperties(environment, service, gitops)
                .forEach((key, value) -> arguments.add("--" + key + "=" + value));
        arguments.add("--server.port=0");
        arguments.add("--spring.application.name=stagecoach-" + service);
        return arguments.toArray(String[]::new);
    }

    /** The broker is shared with other builds on two cores: it may take a while to answer. */
    private static ConnectionFactory patient(ConnectionFactory factory) {
        factory.setConnectionTimeout(30_000);
        factory.setHandshakeTimeout(30_000);
        return factory;
    }

    @Override
    public synchronized void close() {
        audits.values().forEach(AuditLog::close);
        audits.clear();
    }
}
