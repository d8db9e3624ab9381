package io.stagecoach.cli;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;

/**
 * A connection factory whose connections without an address of their own go to the first of the broker's nodes that
 * answers, as Spring's do with {@code spring.rabbitmq.addresses}. The Java client's factory knows one host and port,
 * so code handed a factory (the ledger's stream reader, the benchmark's raw measurement) would otherwise never try
 * the second node of a cluster.
 */
final class NodesConnectionFactory extends ConnectionFactory {

    private final List<Address> nodes;

    NodesConnectionFactory(List<Address> nodes) {
        this.nodes = List.copyOf(nodes);
        setHost(nodes.get(0).getHost());
        setPort(nodes.get(0).getPort());
    }

    @Override
    public Connection newConnection() throws IOException, TimeoutException {
        return newConnection(nodes);
    }

    @Override
    public Connection newConnection(String clientProvidedName) throws IOException, TimeoutException {
        return newConnection(nodes, clientProvidedName);
    }

    @Override
    public Connection newConnection(ExecutorService executor) throws IOException, TimeoutException {
        return newConnection(executor, nodes);
    }

    @Override
    public Connection newConnection(ExecutorService executor, String clientProvidedName)
            throws IOException, TimeoutException {
        return newConnection(executor, nodes, clientProvidedName);
    }
}
