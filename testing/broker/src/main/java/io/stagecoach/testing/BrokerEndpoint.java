package io.stagecoach.testing;

/** Where the broker for the tests of this JVM is, and its administrator. */
record BrokerEndpoint(String kind, String host, int amqpPort, String managementUrl, String adminUser,
                      String adminPassword) {

    static final String LOCAL = "local";
    static final String CONTAINER = "container";

    @Override
    public String toString() {
        return kind + " broker amqp://" + host + ":" + amqpPort + " (management " + managementUrl + ", user " + adminUser + ")";
    }
}
