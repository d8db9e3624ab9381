package io.stagecoach.testing;

import java.util.List;

/**
 * Where the broker for the tests of this JVM is, and its administrator.
 *
 * @param amqpAddresses every node's {@code host:port}, the first being {@code host} and {@code amqpPort}
 */
record BrokerEndpoint(String kind, String host, int amqpPort, String managementUrl, String adminUser,
                      String adminPassword, List<String> amqpAddresses) {

    static final String LOCAL = "local";
    static final String CONTAINER = "container";
    static final String PRIVATE = "private";

    BrokerEndpoint {
        amqpAddresses = List.copyOf(amqpAddresses);
    }

    /** A broker of one node. */
    BrokerEndpoint(String kind, String host, int amqpPort, String managementUrl, String adminUser,
                   String adminPassword) {
        this(kind, host, amqpPort, managementUrl, adminUser, adminPassword, List.of(host + ":" + amqpPort));
    }

    @Override
    public String toString() {
        return kind + " broker amqp://" + String.join(",", amqpAddresses) + " (management " + managementUrl
                + ", user " + adminUser + ")";
    }
}
