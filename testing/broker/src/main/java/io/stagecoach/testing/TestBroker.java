package io.stagecoach.testing;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.AddressResolver;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ListAddressResolver;
import tools.jackson.databind.JsonNode;

/**
 * A real RabbitMQ for one test class, with a name prefix of its own ({@code t} and six hex digits).
 * Name every vhost and user {@code <prefix>-...} ({@link #name(String)}): they are deleted after the class.
 */
public final class TestBroker implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final BrokerEndpoint endpoint;
    private final String prefix;
    private final ManagementApi management;
    private boolean closed;

    TestBroker(BrokerEndpoint endpoint, String prefix) {
        this.endpoint = endpoint;
        this.prefix = prefix;
        this.management = new ManagementApi(endpoint.managementUrl(), endpoint.adminUser(), endpoint.adminPassword());
    }

    static TestBroker create(BrokerEndpoint endpoint) {
        return new TestBroker(endpoint, "t" + HexFormat.of().toHexDigits(RANDOM.nextInt()).substring(2));
    }

    /** {@code local}, {@code container}, or {@code private} (nodes a test started, {@link PrivateBroker}). */
    public String kind() {
        return endpoint.kind();
    }

    public String host() {
        return endpoint.host();
    }

    public int amqpPort() {
        return endpoint.amqpPort();
    }

    /**
     * Every node's AMQP address, comma-separated ({@code 127.0.0.1:5681,127.0.0.1:5682}), as
     * {@code spring.rabbitmq.addresses} takes it; one address for a broker of one node.
     */
    public String amqpAddresses() {
        return String.join(",", endpoint.amqpAddresses());
    }

    /** e.g. {@code http://127.0.0.1:15672}, without a trailing slash. */
    public String managementUrl() {
        return endpoint.managementUrl();
    }

    public String adminUser() {
        return endpoint.adminUser();
    }

    public String adminPassword() {
        return endpoint.adminPassword();
    }

    /** This class's prefix, e.g. {@code t1a2b3c}. */
    public String prefix() {
        return prefix;
    }

    /** {@code <prefix>-<suffix>}: a vhost or user name that is cleaned up after the class. */
    public String name(String suffix) {
        return prefix + "-" + suffix;
    }

    /** The management API as the administrator. */
    public ManagementApi management() {
        return management;
    }

    /**
     * A connection factory for {@code vhost} as {@code user}, without automatic recovery (tests see failures); on a
     * cluster each new connection goes to the first node that answers.
     */
    public ConnectionFactory connectionFactory(String vhost, String user, String password) {
        List<Address> nodes = endpoint.amqpAddresses().stream().map(Address::parseAddress).toList();
        ConnectionFactory factory = nodes.size() == 1 ? new ConnectionFactory() : new ConnectionFactory() {
            @Override
            protected AddressResolver createAddressResolver(List<Address> ignored) {
                return new ListAddressResolver(nodes);
            }
        };
        factory.setHost(endpoint.host());
        factory.setPort(endpoint.amqpPort());
        factory.setVirtualHost(vhost);
        factory.setUsername(user);
        factory.setPassword(password);
        factory.setConnectionTimeout(5_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    /** A connection factory for {@code vhost} as the administrator. */
    public ConnectionFactory adminConnectionFactory(String vhost) {
        return connectionFactory(vhost, endpoint.adminUser(), endpoint.adminPassword());
    }

    /** Creates vhost {@code <prefix>-<suffix>}, gives the administrator every permission in it, and returns its name. */
    public String createVhost(String suffix) {
        String vhost = name(suffix);
        management.put("/api/vhosts/" + ManagementApi.encode(vhost), Map.of());
        management.put("/api/permissions/" + ManagementApi.encode(vhost) + "/" + ManagementApi.encode(adminUser()),
                Map.of("configure", ".*", "write", ".*", "read", ".*"));
        return vhost;
    }

    /** Deletes every vhost and user named {@code <prefix>-...}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (String vhost : ours("/api/vhosts")) {
            management.delete("/api/vhosts/" + ManagementApi.encode(vhost));
        }
        for (String user : ours("/api/users")) {
            management.delete("/api/users/" + ManagementApi.encode(user));
        }
    }

    private List<String> ours(String path) {
        JsonNode all = management.get(path).orElseThrow();
        return StreamSupport.stream(all.spliterator(), false).map(n -> n.path("name").asString())
                .filter(name -> name.startsWith(prefix + "-")).toList();
    }

    @Override
    public String toString() {
        return "TestBroker " + prefix + " on the " + endpoint;
    }
}
