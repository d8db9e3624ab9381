package io.stagecoach.cli;

import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.platform.topology.ManagementClient;
import picocli.CommandLine.Mixin;

/**
 * The broker a benchmark measures, as {@code bench} and {@code bench replay} reach it: over AMQP as the pipeline's
 * users, and through the management API as its administrator, who also connects over AMQP to the throw-away vhosts
 * the benchmark creates.
 */
final class BenchBrokerOptions {

    @Mixin
    AmqpOptions amqp;

    @Mixin
    ManagementOptions management;

    Broker broker(CliContext context) {
        return amqp.broker(context);
    }

    ManagementClient client(CliContext context) {
        return management.client(context);
    }

    /** The management API's administrator. */
    String administrator(CliContext context) {
        return management.user(context);
    }

    /** A connection factory for {@code vhost} as the management API's administrator. */
    ConnectionFactory asAdministrator(CliContext context, Broker broker, String vhost) {
        return broker.factory(vhost, management.user(context), management.password(context));
    }
}
