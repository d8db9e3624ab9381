package io.stagecoach.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The RabbitMQ management HTTP API as the broker's administrator, for test set-up and checks.
 *
 * <p>Production code talks to the API through the platform's {@code ManagementClient}, whose errors tell an
 * operator what to do. This harness sits below the platform (the platform's own tests use it), so it cannot
 * depend on it and keeps this minimal client: plain JSON calls that fail a test loudly, nothing more.
 */
public final class ManagementApi {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String baseUrl;
    private final String authorization;
    // HTTP/1.1: the management server drops requests with a body that ask to upgrade to HTTP/2 (h2c)
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    ManagementApi(String baseUrl, String user, String password) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Percent-encodes one path segment (a vhost {@code /} becomes {@code %2F}). */
    public static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code GET path}; empty when the object does not exist (404). */
    public Optional<JsonNode> get(String path) {
        HttpResponse<String> response = send(request(path).GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        check(response, "GET", path);
        return Optional.of(JSON.readTree(response.body()));
    }

    /** {@code PUT path} with {@code body} as JSON. */
    public void put(String path, Object body) {
        check(send(request(path).header("content-type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))), "PUT", path);
    }

    /** {@code POST path} with {@code body} as JSON; returns the answer (e.g. {@code {"routed": true}}). */
    public JsonNode post(String path, Object body) {
        HttpResponse<String> response = send(request(path).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        check(response, "POST", path);
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    /** {@code DELETE path}; an object already gone is fine. */
    public void delete(String path) {
        HttpResponse<String> response = send(request(path).DELETE());
        if (response.statusCode() != 404) {
            check(response, "DELETE", path);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .header("authorization", authorization);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("The management API at " + baseUrl + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while calling " + baseUrl, e);
        }
    }

    private void check(HttpResponse<String> response, String method, String path) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + baseUrl + path + " answered " + response.statusCode()
                    + ": " + response.body());
        }
    }
}
