package io.stagecoach.promotion;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

import io.stagecoach.events.DriftDetected.Side;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks a workload which version it runs: a GET of its configured URL, the version read from a field of the JSON
 * answer. A workload that does not answer, or answers without the field, says nothing (empty), which is no drift.
 */
final class WorkloadProbe {

    private static final Logger log = LoggerFactory.getLogger(WorkloadProbe.class);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(2)).build();
    private final JsonMapper json = JsonMapper.builder().build();

    /** What {@code workload} says it runs. */
    Optional<Side> ask(DriftProperties.Workload workload, String environment, String namespace, String service) {
        String url = workload.url().replace("{environment}", environment).replace("{namespace}", namespace)
                .replace("{service}", service);
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(workload.timeout()).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = json.readTree(response.body());
            for (String part : workload.versionField().split("\\.")) {
                node = node == null ? null : node.get(part);
            }
            if (node == null || !node.isValueNode() || node.asString().isBlank()) {
                return Optional.empty();
            }
            return Optional.of(new Side(node.asString(), null, "workload " + url));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            log.debug("could not ask {} what it runs: {}", url, e.toString());
            return Optional.empty();
        }
    }
}
