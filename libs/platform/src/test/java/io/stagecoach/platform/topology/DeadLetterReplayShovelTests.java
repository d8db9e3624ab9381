package io.stagecoach.platform.topology;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A replay waits for its shovel to delete itself; the management API can answer a server error to a read at that
 * moment (seen on RabbitMQ 3.10 under load), which is asked again rather than failing the replay. Against a stand-in
 * for the management API that answers as the broker did.
 */
class DeadLetterReplayShovelTests {

    @Test
    void aServerErrorWhileTheShovelDeletesItselfIsAskedAgain() throws Exception {
        AtomicInteger shovelReads = new AtomicInteger();
        List<String> calls = new CopyOnWriteArrayList<>();
        HttpServer api = stand(calls, exchange -> {
            // before the put: none; then there, a 500 as it deletes itself, then gone
            int read = shovelReads.incrementAndGet();
            return read == 1 ? 404 : read == 2 ? 200 : read == 3 ? 500 : 404;
        });
        try {
            DeadLetterQueues queues = new DeadLetterQueues(client(api));

            DeadLetterQueues.Replayed replayed = queues.replay("dev", "promotion.promotion-requested", line -> { });

            assertThat(replayed.moved()).isEqualTo(3);
            assertThat(shovelReads.get()).isEqualTo(4);
            assertThat(calls).anyMatch(call -> call.startsWith("PUT /api/parameters/shovel/dev/"));
        } finally {
            api.stop(0);
        }
    }

    @Test
    void anotherErrorStillEndsTheReplay() throws Exception {
        AtomicInteger shovelReads = new AtomicInteger();
        HttpServer api = stand(new CopyOnWriteArrayList<>(), exchange -> shovelReads.incrementAndGet() == 1 ? 404 : 401);
        try {
            DeadLetterQueues queues = new DeadLetterQueues(client(api));

            assertThatThrownBy(() -> queues.replay("dev", "promotion.promotion-requested", line -> { }))
                    .isInstanceOf(ManagementApiException.class).hasMessageContaining("answered 401");
        } finally {
            api.stop(0);
        }
    }

    interface ShovelStatus {
        int status(HttpExchange exchange);
    }

    private static ManagementClient client(HttpServer api) {
        return new ManagementClient("http://127.0.0.1:" + api.getAddress().getPort(), "guest", "guest");
    }

    /** The management API's answers a replay asks for: the dead-letter queue holds 3, the shovel as {@code shovel}. */
    private static HttpServer stand(List<String> calls, ShovelStatus shovel) throws IOException {
        HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                calls.add(exchange.getRequestMethod() + " " + path);
                exchange.getRequestBody().readAllBytes();
                if (path.startsWith("/api/parameters/shovel/")) {
                    if (exchange.getRequestMethod().equals("PUT")) {
                        answer(exchange, 201, "");
                    } else {
                        int status = shovel.status(exchange);
                        answer(exchange, status, status == 200 ? "{\"name\":\"replay\"}" : "");
                    }
                } else if (path.endsWith("/get")) {
                    answer(exchange, 200, "[{\"message_count\":2,\"payload\":\"{}\",\"payload_encoding\":\"string\","
                            + "\"properties\":{}}]");
                } else {
                    answer(exchange, 200, "{\"name\":\"queue\",\"messages\":3}");
                }
            }
        });
        api.start();
        return api;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
