package io.stagecoach.platform.topology;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

import tools.jackson.databind.JsonNode;

/** A small client of the RabbitMQ management HTTP API, whose errors say what to do. */
public final class ManagementClient {

    private final String baseUrl;
    private final String user;
    private final String authorization;
    // HTTP/1.1: the management server drops requests with a body that ask to upgrade to HTTP/2 (h2c)
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public ManagementClient(String baseUrl, String user, String password) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.user = user;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        if (!isHttpUrl(this.baseUrl)) {
            // a malformed URL fails here, not on the first call
            throw new IllegalArgumentException("expected http(s)://host:port, e.g. http://127.0.0.1:15672");
        }
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = new URI(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    public String baseUrl() {
        return baseUrl;
    }

    public String user() {
        return user;
    }

    /** Percent-encodes one path segment (a vhost {@code /} becomes {@code %2F}). */
    public static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Builds a path from segments, each encoded: {@code path("api", "queues", vhost, name)}. */
    public static String path(String... segments) {
        StringBuilder path = new StringBuilder();
        for (String segment : segments) {
            path.append('/').append(encode(segment));
        }
        return path.toString();
    }

    /** {@code GET}; empty when the object does not exist. */
    public Optional<JsonNode> get(String path) {
        HttpResponse<String> response = send("GET", path, null);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        check("GET", path, response);
        return Optional.of(Definitions.JSON.readTree(response.body()));
    }

    /** {@code GET} of a collection; empty when the parent (e.g. the vhost) does not exist. */
    public List<JsonNode> list(String path) {
        return get(path).map(node -> StreamSupport.stream(node.spliterator(), false).toList()).orElse(List.of());
    }

    public void put(String path, Object body) {
        check("PUT", path, send("PUT", path, body));
    }

    public void post(String path, Object body) {
        check("POST", path, send("POST", path, body));
    }

    /** {@code POST} that answers a JSON array (e.g. getting messages from a queue). */
    public List<JsonNode> postForList(String path, Object body) {
        HttpResponse<String> response = send("POST", path, body);
        check("POST", path, response);
        return StreamSupport.stream(Definitions.JSON.readTree(response.body()).spliterator(), false).toList();
    }

    /** {@code DELETE}; false when the object did not exist (any more). */
    public boolean delete(String path) {
        HttpResponse<String> response = send("DELETE", path, null);
        if (response.statusCode() == 404) {
            return false;
        }
        check("DELETE", path, response);
        return true;
    }

    private HttpResponse<String> send(String method, String path, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .header("authorization", authorization);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("content-type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(Definitions.JSON.writeValueAsString(body)));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw unreachable("nothing answers there (" + describe(e) + ")", e);
        } catch (HttpTimeoutException e) {
            throw unreachable("it accepted the connection but did not answer " + method + " " + path + " within 60 s", e);
        } catch (IOException e) {
            throw unreachable("the connection failed (" + describe(e) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while calling " + baseUrl + path, e);
        }
    }

    private BrokerUnreachableException unreachable(String what, Exception cause) {
        return new BrokerUnreachableException("Cannot reach the RabbitMQ management API at " + baseUrl + ": " + what
                + ". Is RabbitMQ running, with the management plugin? Locally: rabbitmq-server -detached, then "
                + "rabbitmq-plugins enable rabbitmq_management rabbitmq_stream rabbitmq_shovel "
                + "rabbitmq_shovel_management. Elsewhere: pass --management-url or set STAGECOACH_MANAGEMENT_URL.", cause);
    }

    private void check(String method, String path, HttpResponse<String> response) {
        int status = response.statusCode();
        if (status / 100 == 2) {
            return;
        }
        String body = response.body() == null ? "" : response.body();
        String hint;
        if (status == 401) {
            hint = "the broker refused user '" + user + "': check --user/--password or STAGECOACH_MANAGEMENT_USER/"
                    + "STAGECOACH_MANAGEMENT_PASSWORD (the guest user may only log in from localhost)";
        } else if (status == 403) {
            hint = "user '" + user + "' may not do this: provisioning needs a user tagged administrator";
        } else if (body.contains("component shovel not found")) {
            hint = "the shovel plugin is not enabled: rabbitmq-plugins enable rabbitmq_shovel rabbitmq_shovel_management";
        } else {
            hint = "the broker said: " + body.strip();
        }
        throw new ManagementApiException(method + " " + path + " answered " + status + ": " + hint, status, body);
    }

    private static String describe(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}
