package io.stagecoach.slackbot;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The few calls of Slack's Web API the bot makes, with its bot token; an answer that is not {@code ok} fails. */
class SlackApi {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;

    SlackApi(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** Posts {@code message} ({@code text} and {@code blocks}) to {@code channel}; its {@code ts}. */
    String postMessage(String channel, ObjectNode message) throws IOException, InterruptedException {
        ObjectNode body = message.deepCopy();
        body.put("channel", channel);
        return call("chat.postMessage", body).path("ts").asString();
    }

    /** Replaces message {@code ts} in {@code channel} with {@code message}. */
    void update(String channel, String ts, ObjectNode message) throws IOException, InterruptedException {
        ObjectNode body = message.deepCopy();
        body.put("channel", channel);
        body.put("ts", ts);
        call("chat.update", body);
    }

    /** Answers a click through its {@code response_url} (no token: the URL is the credential). */
    void respond(String responseUrl, ObjectNode message) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(responseUrl))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(message))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() / 100 != 2) {
            throw new IOException("response_url answered " + answer.statusCode() + ": " + answer.body());
        }
    }

    private JsonNode call(String method, ObjectNode body) throws IOException, InterruptedException {
        URI uri = URI.create(base.toString().replaceAll("/$", "") + "/" + method);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode tree = answer.statusCode() / 100 == 2 ? JSON.readTree(answer.body()) : null;
        if (tree == null || !tree.path("ok").asBoolean(false)) {
            throw new IOException("Slack's " + method + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return tree;
    }
}
