package io.stagecoach.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.events.BrokerNames;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.Principal;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.Provisioner;
import io.stagecoach.platform.topology.ProvisioningReport;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.TestBroker;
import tools.jackson.databind.JsonNode;

/**
 * What a test does from outside the pipeline: provision the broker as an operator would, publish as CI, the chat
 * bot or (to duplicate an event) the service that produced it, and read every environment's audit stream.
 */
final class TestPipeline implements AutoCloseable {

    private final TestBroker broker;
    private final Environments environments;
    private final EventCodec codec = new EventCodec();
    private final Map<String, AuditTrail> audits = new LinkedHashMap<>();
    private final Map<String, List<String>> consumedQueues = new LinkedHashMap<>();
    private final Map<String, Connection> admins = new LinkedHashMap<>();

    private TestPipeline(TestBroker broker, Environments environments) {
        this.broker = broker;
        this.environments = environments;
    }

    /**
     * Provisions the default environments under the broker's prefix with the platform's {@link Provisioner}
     * (passwords as the services read them) and lets the administrator read their audit streams.
     */
    static TestPipeline provision(TestBroker broker) {
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
        return new TestPipeline(broker, environments);
    }

    /**
     * The default environments file with {@code services} as the promoted services (each test promotes a service
     * of its own, so the tests share the pipeline without sharing state) and prod's approvals expiring after
     * {@code prodApprovalTtl}. Vhosts, gates and approvers are the default ones, as provisioned.
     */
    static Path environmentsFile(Path directory, List<String> services, String prodApprovalTtl) throws IOException {
        String text;
        try (InputStream in = Environments.class.getResourceAsStream(Environments.DEFAULT_RESOURCE)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String defaults = "services:\n  - knative-lambda-builder\n";
        if (!text.contains(defaults)) {
            throw new IllegalStateException("the default environments file no longer lists its services as "
                    + defaults);
        }
        String ttl = "    approval-ttl: 24h\n";
        if (!text.contains(ttl)) {
            throw new IllegalStateException("the default environments file no longer has prod's " + ttl.strip());
        }
        String ours = "services:\n" + services.stream().map(s -> "  - " + s + "\n").collect(Collectors.joining());
        return Files.writeString(directory.resolve("environments.yaml"), text.replace(defaults, ours)
                .replace(ttl, "    approval-ttl: " + prodApprovalTtl + "\n"));
    }

    Environments environments() {
        return environments;
    }

    /** The RabbitMQ user of {@code principal} in {@code environment}, e.g. {@code t1a2b3c-prod-chatops}. */
    String user(String environment, Principal principal) {
        return principal.userIn(environments.get(environment).vhost());
    }

    /**
     * Publishes {@code event} with its own routing key into {@code environment}'s events exchange as
     * {@code principal}'s user there, with {@code user_id} set (the broker validates it) or without (as CI tools
     * and forgers do), and waits for the confirm.
     */
    void publish(String environment, Principal principal, CloudEvent<?> event, boolean withUserId)
            throws Exception {
        publish(environment, user(environment, principal), event.routingKey(), codec.encode(event), event.id(),
                withUserId);
    }

    /**
     * Publishes {@code events} into {@code environment}'s events exchange as {@code principal}'s user there, with
     * {@code user_id} set, each under the routing key it is paired with (which need not be its own): one connection,
     * mandatory and confirmed, so a message no queue took is an error.
     */
    void publishAll(String environment, Principal principal, List<Publication> events) throws Exception {
        String user = user(environment, principal);
        ConnectionFactory factory = patient(broker.connectionFactory(environments.get(environment).vhost(), user,
                Credentials.passwordFor(user)));
        List<String> returned = new CopyOnWriteArrayList<>();
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.addReturnListener(r -> returned.add(r.getRoutingKey() + " " + r.getProperties().getMessageId()));
            channel.confirmSelect();
            for (Publication publication : events) {
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                        .contentType(BrokerNames.CONTENT_TYPE)
                        .messageId(publication.event().id())
                        .deliveryMode(2)
                        .userId(user)
                        .build();
                channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, publication.routingKey(), true, properties,
                        codec.encode(publication.event()));
            }
            channel.waitForConfirmsOrDie(30_000);
        }
        if (!returned.isEmpty()) {
            throw new IllegalStateException("no queue took " + returned.size() + " of the messages " + user
                    + " published: " + returned);
        }
    }

    /** An event and the routing key it is published under. */
    record Publication(String routingKey, CloudEvent<?> event) {
    }

    /** Publishes an event from the audit stream again, as the user that published it and with its routing key. */
    void duplicate(String environment, AuditRecord record) throws Exception {
        publish(environment, record.publisher(), record.routingKey(), codec.encode(record.event()),
                record.event().id(), true);
    }

    private void publish(String environment, String user, String routingKey, byte[] body, String messageId,
                         boolean withUserId) throws Exception {
        ConnectionFactory factory = patient(broker.connectionFactory(environments.get(environment).vhost(), user,
                Credentials.passwordFor(user)));
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            AMQP.BasicProperties.Builder properties = new AMQP.BasicProperties.Builder()
                    .contentType(BrokerNames.CONTENT_TYPE)
                    .messageId(messageId)
                    .deliveryMode(2);
            if (withUserId) {
                properties.userId(user);
            }
            channel.basicPublish(BrokerNames.EVENTS_EXCHANGE, routingKey, true, properties.build(), body);
            channel.waitForConfirmsOrDie(10_000);
        }
    }

    /** {@code environment}'s audit stream, followed from its start as the administrator. */
    synchronized AuditTrail audit(String environment) throws Exception {
        AuditTrail audit = audits.get(environment);
        if (audit == null) {
            audit = AuditTrail.follow(patient(broker.adminConnectionFactory(environments.get(environment).vhost())),
                    environments, environment);
            audits.put(environment, audit);
        }
        return audit;
    }

    /**
     * Messages that wait for a consumer in {@code environment}'s inboxes and hand-off queues right now (its stream and
     * dead-letter queues aside), as the broker counts them on a passive declare, not as the management API last
     * sampled them.
     */
    synchronized long waitingMessages(String environment) throws Exception {
        String vhost = environments.get(environment).vhost();
        List<String> queues = consumedQueues.get(environment);
        if (queues == null) {
            JsonNode all = broker.management().get("/api/queues/" + ManagementApi.encode(vhost) + "?columns=name,type")
                    .orElseThrow();
            queues = new ArrayList<>();
            for (JsonNode queue : all) {
                String name = queue.path("name").asString();
                if (!queue.path("type").asString().equals("stream") && !name.endsWith(BrokerNames.DEAD_LETTER_SUFFIX)) {
                    queues.add(name);
                }
            }
            consumedQueues.put(environment, List.copyOf(queues));
        }
        Connection connection = admins.get(environment);
        if (connection == null || !connection.isOpen()) {
            connection = patient(broker.adminConnectionFactory(vhost)).newConnection("forged-records-probe");
            admins.put(environment, connection);
        }
        long waiting = 0;
        try (Channel channel = connection.createChannel()) {
            for (String queue : queues) {
                AMQP.Queue.DeclareOk declared = channel.queueDeclarePassive(queue);
                // an inbox of a service this pipeline does not run (approval before the gate) never empties
                waiting += declared.getConsumerCount() > 0 ? declared.getMessageCount() : 0;
            }
        }
        return waiting;
    }

    /** Connects to {@code environment}'s vhost as the administrator. */
    ConnectionFactory adminFactory(String environment) {
        return patient(broker.adminConnectionFactory(environments.get(environment).vhost()));
    }

    /** The broker is shared with other builds on two cores: it may take a while to answer. */
    private static ConnectionFactory patient(ConnectionFactory factory) {
        factory.setConnectionTimeout(30_000);
        factory.setHandshakeTimeout(30_000);
        return factory;
    }

    @Override
    public synchronized void close() {
        audits.values().forEach(AuditTrail::close);
        audits.clear();
        for (Connection connection : admins.values()) {
            try {
                connection.close();
            } catch (IOException | RuntimeException e) {
                // closing anyway: the vhost is deleted after the class
            }
        }
        admins.clear();
    }
}
