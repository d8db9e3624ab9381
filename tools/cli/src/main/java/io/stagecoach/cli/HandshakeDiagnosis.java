package io.stagecoach.cli;

import io.stagecoach.platform.topology.ManagementClient;
import io.stagecoach.platform.topology.ProvisioningReport;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Why RabbitMQ accepted a connection but never finished its handshake, asked of its management API rather than
 * guessed: most often its quorum queues took up the file handles its open-file limit leaves (each reserves three),
 * and then every new connection waits for one.
 */
final class HandshakeDiagnosis {

    private HandshakeDiagnosis() {
    }

    /** What the management API says of the node's file handles; empty when it does not answer within 5 s. */
    static Optional<String> ask(ManagementClient management) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                List<JsonNode> nodes = management.list("/api/nodes");
                long quorum = management.list("/api/queues?columns=type").stream()
                        .filter(q -> "quorum".equals(q.path("type").asString())).count();
                JsonNode node = nodes.stream().filter(n -> n.path("fd_total").asLong(0) > 0).findFirst()
                        .orElse(null);
                return node == null ? Optional.<String>empty()
                        : explain(node.path("fd_used").asLong(0), node.path("fd_total").asLong(0), quorum);
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /**
     * The explanation when the quorum queues' file handles leave no room, or the node's open files are nearly all
     * in use; empty otherwise (the cause is elsewhere).
     */
    static Optional<String> explain(long fdUsed, long fdTotal, long quorum) {
        long reserved = quorum * ProvisioningReport.FILE_HANDLES_PER_QUORUM_QUEUE;
        boolean queuesTakeItAll = reserved + 100 >= fdTotal;
        boolean nearlyAllOpen = fdUsed * 100 >= fdTotal * 95;
        if (!queuesTakeItAll && !nearlyAllOpen) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "its management API says it is out of file handles: %d quorum "
                + "queues reserve %d of its open-file limit of %d (%d files open), so every new connection waits "
                + "for one — raise the limit and restart RabbitMQ (ulimit -n 65536 before rabbitmq-server, or "
                + "LimitNOFILE=65536 in its systemd unit), or delete vhosts nobody uses", quorum, reserved, fdTotal,
                fdUsed));
    }
}
