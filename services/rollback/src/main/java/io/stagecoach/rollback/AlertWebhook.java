package io.stagecoach.rollback;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.support.publish.EventPublisher;
import io.stagecoach.support.publish.PublishFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Alertmanager's webhook receiver: every firing alert of this environment becomes an {@code alert.firing} event,
 * published by this service into its own inbox. A malformed body is a 4xx (Alertmanager does not retry it); only a
 * broker that does not take the events is a 5xx (Alertmanager retries, and the repeats are duplicates).
 */
@RestController
class AlertWebhook {

    private static final Logger log = LoggerFactory.getLogger(AlertWebhook.class);

    private final Environment environment;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final EnvironmentLedger ledger;
    private final RollbackMetrics metrics;
    private final String source;

    AlertWebhook(Environment environment, EventCodec codec, EventPublisher publisher, EnvironmentLedger ledger,
                 RollbackMetrics metrics) {
        this.environment = environment;
        this.codec = codec;
        this.publisher = publisher;
        this.ledger = ledger;
        this.metrics = metrics;
        this.source = "/stagecoach/" + environment.name() + "/rollback";
    }

    @PostMapping("/alerts")
    ResponseEntity<Map<String, Object>> receive(@RequestBody byte[] body) {
        AlertBatch batch;
        List<String> problems = new ArrayList<>();
        try {
            batch = AlertBatch.read(body, environment.name(), source);
            for (CloudEvent<AlertFiring> event : batch.firing()) {
                try {
                    codec.encode(event);
                } catch (InvalidEventException e) {
                    e.problems().forEach(p -> problems.add("alert " + event.data().fingerprint() + ": " + p));
                }
            }
        } catch (AlertBatch.MalformedAlertsException e) {
            problems.addAll(e.problems());
            batch = null;
        }
        if (batch == null || !problems.isEmpty()) {
            log.warn("refused an Alertmanager payload: {}", problems);
            metrics.alerts("malformed", 1);
            return ResponseEntity.badRequest().body(Map.of("error", "malformed Alertmanager payload",
                    "problems", problems));
        }
        List<String> published = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();
        try {
            for (CloudEvent<AlertFiring> event : batch.firing()) {
                if (ledger.seen(event.id())) {
                    duplicates.add(event.id());
                    continue;
                }
                publisher.publish(event);
                published.add(event.id());
                log.info("alert {} ({}) firing for {}: published as {}", event.data().alertname(),
                        event.data().fingerprint(), event.data().service(), event.id());
            }
        } catch (PublishFailedException e) {
            log.warn("could not publish alerts: {}", e.getMessage());
            metrics.alerts("published", published.size());
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .body(Map.of("error", "the broker did not take the alerts; send them again", "published",
                            published));
        }
        metrics.alerts("published", published.size());
        metrics.alerts("duplicate", duplicates.size());
        metrics.alerts("ignored", batch.ignored());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("published", published);
        answer.put("duplicates", duplicates);
        answer.put("ignored", batch.ignored());
        return ResponseEntity.ok(answer);
    }
}
