package io.stagecoach.testing;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.rabbitmq.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

/** Finds the one broker all test classes of this JVM share, and remembers a failure so each class reports it. */
final class BrokerLocator {

    static final String IMAGE = "rabbitmq:3.10-management";
    static final String PLUGINS = "[rabbitmq_management,rabbitmq_prometheus,rabbitmq_stream,rabbitmq_shovel,"
            + "rabbitmq_shovel_management].\n";

    private static final Logger log = LoggerFactory.getLogger(BrokerLocator.class);
    private static BrokerEndpoint shared;
    private static IllegalStateException failure;
    private static RabbitMQContainer container;

    private final Function<String, String> settings;

    /** @param settings system property name, or environment variable name -> value (null when unset) */
    BrokerLocator(Function<String, String> settings) {
        this.settings = settings;
    }

    static synchronized BrokerEndpoint shared() {
        if (shared == null && failure == null) {
            try {
                shared = new BrokerLocator(name -> System.getProperty(name, System.getenv(name))).locate();
                log.info("Integration tests use the {}", shared);
            } catch (IllegalStateException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return shared;
    }

    BrokerEndpoint locate() {
        String mode = setting("stagecoach.test.broker", "STAGECOACH_TEST_BROKER", "").toLowerCase(Locale.ROOT);
        switch (mode) {
            case BrokerEndpoint.LOCAL:
                return local().orElseThrow(reason -> noBroker("STAGECOACH_TEST_BROKER=local, but " + reason));
            case BrokerEndpoint.CONTAINER:
                if (!dockerAvailable()) {
                    throw noBroker("STAGECOACH_TEST_BROKER=container, but no Docker engine is reachable");
                }
                return startContainer();
            case "":
                if (dockerAvailable()) {
                    return startContainer();
                }
                return local().orElseThrow(reason -> noBroker("no Docker engine is reachable, and " + reason));
            default:
                throw new IllegalStateException("STAGECOACH_TEST_BROKER is '" + mode
                        + "'; use local, container, or leave it unset to prefer a container when Docker runs");
        }
    }

    /** The local broker if a real connection and a management call succeed, else why not. */
    Probe local() {
        String host = setting("stagecoach.test.rabbit.host", "STAGECOACH_TEST_RABBIT_HOST", "127.0.0.1");
        int port = Integer.parseInt(setting("stagecoach.test.rabbit.port", "STAGECOACH_TEST_RABBIT_PORT", "5672"));
        int managementPort = Integer.parseInt(setting("stagecoach.test.rabbit.management-port",
                "STAGECOACH_TEST_RABBIT_MANAGEMENT_PORT", "15672"));
        String user = setting("stagecoach.test.rabbit.user", "STAGECOACH_TEST_RABBIT_USER", "guest");
        String password = setting("stagecoach.test.rabbit.password", "STAGECOACH_TEST_RABBIT_PASSWORD", "guest");
        BrokerEndpoint endpoint = new BrokerEndpoint(BrokerEndpoint.LOCAL, host, port,
                "http://" + host + ":" + managementPort, user, password);

        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setPort(port);
        factory.setUsername(user);
        factory.setPassword(password);
        factory.setConnectionTimeout(3_000);
        factory.setAutomaticRecoveryEnabled(false);
        try (Connection ignored = factory.newConnection("stagecoach-test-broker-probe")) {
            // a real connection, not a port check: a half-started node accepts TCP before AMQP
        } catch (IOException | TimeoutException e) {
            return Probe.failure("the local broker at amqp://" + host + ":" + port + " (user " + user
                    + ") refused or did not answer: " + rootMessage(e));
        }
        try {
            new ManagementApi(endpoint.managementUrl(), user, password).get("/api/overview")
                    .orElseThrow(() -> new IllegalStateException("no /api/overview"));
        } catch (RuntimeException e) {
            return Probe.failure("the local broker answers AMQP but its management API at " + endpoint.managementUrl()
                    + " does not (" + rootMessage(e) + "); enable it: rabbitmq-plugins enable rabbitmq_management");
        }
        return Probe.success(endpoint);
    }

    private BrokerEndpoint startContainer() {
        synchronized (BrokerLocator.class) {
            if (container == null) {
                RabbitMQContainer starting = new RabbitMQContainer(DockerImageName.parse(IMAGE))
                        .withCopyToContainer(Transferable.of(PLUGINS), "/etc/rabbitmq/enabled_plugins");
                try {
                    starting.start();
                } catch (RuntimeException e) {
                    IllegalStateException failure = noBroker("a Docker engine runs, but " + IMAGE
                            + " did not start (" + rootMessage(e) + ")");
                    failure.initCause(e);
                    throw failure;
                }
                container = starting;
            }
        }
        return new BrokerEndpoint(BrokerEndpoint.CONTAINER, container.getHost(), container.getAmqpPort(),
                container.getHttpUrl(), container.getAdminUsername(), container.getAdminPassword());
    }

    boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static IllegalStateException noBroker(String why) {
        return new IllegalStateException("No RabbitMQ for the integration tests: " + why + ". Get a broker: "
                + "start the local one (rabbitmq-server -detached, then rabbitmq-plugins enable rabbitmq_management "
                + "rabbitmq_stream rabbitmq_shovel rabbitmq_shovel_management), or run a Docker engine so the tests "
                + "start " + IMAGE + "; point them at another broker with STAGECOACH_TEST_RABBIT_HOST, "
                + "STAGECOACH_TEST_RABBIT_PORT, STAGECOACH_TEST_RABBIT_MANAGEMENT_PORT, STAGECOACH_TEST_RABBIT_USER "
                + "and STAGECOACH_TEST_RABBIT_PASSWORD (or the system properties stagecoach.test.rabbit.*).");
    }

    private String setting(String property, String variable, String fallback) {
        String value = settings.apply(property);
        if (value == null || value.isBlank()) {
            value = settings.apply(variable);
        }
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /** A located broker, or the reason there is none. */
    record Probe(BrokerEndpoint endpoint, String reason) {
        static Probe success(BrokerEndpoint endpoint) {
            return new Probe(endpoint, null);
        }

        static Probe failure(String reason) {
            return new Probe(null, reason);
        }

        BrokerEndpoint orElseThrow(Function<String, IllegalStateException> failure) {
            if (endpoint == null) {
                throw failure.apply(reason);
            }
            return endpoint;
        }
    }
}
