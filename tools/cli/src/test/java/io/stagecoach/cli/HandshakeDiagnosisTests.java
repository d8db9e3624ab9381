package io.stagecoach.cli;

import com.sun.net.httpserver.HttpServer;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/** A handshake that hangs is explained from the management API, not guessed. */
class HandshakeDiagnosisTests {

    @Test
    void quorumQueuesThatTakeUpTheOpenFileLimitAreNamedAsTheCause() {
        // RabbitMQ 3.10 with 1,024 open files: five pipelines' 310 quorum queues reserve 930 handles
        assertThat(HandshakeDiagnosis.explain(180, 1024, 310)).get().asString()
                .contains("310 quorum queues reserve 930 of its open-file limit of 1024", "ulimit -n 65536",
                        "delete vhosts nobody uses");
        assertThat(HandshakeDiagnosis.explain(1000, 1024, 10)).as("nearly every file open").isPresent();
        assertThat(HandshakeDiagnosis.explain(200, 65_536, 310)).as("room to spare: the cause is elsewhere").isEmpty();
    }

    @Test
    void theBrokersTimeoutMessageCarriesWhatTheManagementApiSays() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        StringBuilder queues = new StringBuilder("[");
        for (int i = 0; i < 310; i++) {
            queues.append(i == 0 ? "" : ",").append("{\"type\":\"quorum\"}");
        }
        String queuesJson = queues.append("]").toString();
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().toString();
            byte[] body = (path.startsWith("/api/nodes") ? "[{\"fd_used\":240,\"fd_total\":1024}]"
                    : path.startsWith("/api/queues") ? queuesJson : "[]").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            Broker broker = new Broker("amqp://127.0.0.1:5672", null, null, Map.of(ManagementOptions.URL_VARIABLE,
                    "http://127.0.0.1:" + server.getAddress().getPort()));
            CliException explained = broker.explain(new TimeoutException("handshake"),
                    Environments.loadDefault().get("dev"), "dev-ci");
            assertThat(explained.getMessage()).contains("did not finish the handshake within 5 s",
                    "out of file handles: 310 quorum queues reserve 930 of its open-file limit of 1024 (240 files open)");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void withoutAManagementApiTheMessageSaysItCouldNotTell() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Broker broker = new Broker("amqp://127.0.0.1:5672", null, null,
                Map.of(ManagementOptions.URL_VARIABLE, "http://127.0.0.1:" + closed));

        CliException explained = broker.explain(new TimeoutException("handshake"), Environments.loadDefault().get("dev"),
                "dev-ci");

        assertThat(explained.getMessage()).contains("its management API did not say why",
                "is it starting up, or is that port something else?");
    }
}
