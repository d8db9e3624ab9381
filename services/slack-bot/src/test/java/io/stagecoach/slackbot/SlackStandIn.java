package io.stagecoach.slackbot;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Slack's Web API and a click's response_url, stood in for on a local port: records each call the bot makes and
 * answers as Slack does ({@code ok}, a message {@code ts}). A call without the bot token is answered
 * {@code not_authed}, as Slack answers it.
 */
final class SlackStandIn implements AutoCloseable {

    /**
     * One call: its path (e.g. {@code /api/chat.postMessage}), its Authorization header, its JSON body, and the
     * {@code ts} the stand-in answered (null for none).
     */
    record Call(String path, String authorization, JsonNode body, String ts) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final String token;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger messages = new AtomicInteger();

    private SlackStandIn(String token) throws IOException {
        this.token = token;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    static SlackStandIn start(String token) throws IOException {
        return new SlackStandIn(token);
    }

    String apiUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api";
    }

    String responseUrl(String id) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/response/" + id;
    }

    List<Call> calls(String path) {
        return calls.stream().filter(call -> call.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            JsonNode body = JSON.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String answer;
            String ts = null;
            if (path.startsWith("/response/")) {
                answer = "ok";
            } else if (!("Bearer " + token).equals(authorization)) {
                answer = "{\"ok\":false,\"error\":\"not_authed\"}";
            } else {
                ts = body.has("ts") ? body.path("ts").asString()
                        : "1700000000." + String.format("%06d", messages.incrementAndGet());
                answer = "{\"ok\":true,\"channel\":\"" + body.path("channel").asString() + "\",\"ts\":\"" + ts + "\"}";
            }
            calls.add(new Call(path, authorization, body, ts));
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", path.startsWith("/response/") ? "text/plain"
                    : "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
