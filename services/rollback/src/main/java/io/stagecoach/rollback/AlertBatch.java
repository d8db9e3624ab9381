package io.stagecoach.rollback;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The firing alerts of one environment in an Alertmanager webhook body (payload version 4), as
 * {@code alert.firing} events. Pure. An event's id is derived from the environment, the alert's fingerprint and
 * when it started, so Alertmanager's repeats of the same alert become duplicates of one event.
 *
 * @param firing  the events to publish
 * @param ignored how many alerts were resolved or belong to another environment
 */
record AlertBatch(List<CloudEvent<AlertFiring>> firing, int ignored) {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern SERVICE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /** The body is not an Alertmanager payload, or an alert of this environment cannot become an event. */
    static final class MalformedAlertsException extends RuntimeException {

        private final List<String> problems;

        MalformedAlertsException(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        List<String> problems() {
            return problems;
        }
    }

    /** @throws MalformedAlertsException naming every problem found */
    static AlertBatch read(byte[] body, String environment, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw new MalformedAlertsException(List.of("the body is not JSON: " + e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new MalformedAlertsException(List.of("the body is not a JSON object"));
        }
        JsonNode alerts = root.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            throw new MalformedAlertsException(List.of("alerts: required, a list of alerts"));
        }
        List<String> problems = new ArrayList<>();
        List<CloudEvent<AlertFiring>> firing = new ArrayList<>();
        int ignored = 0;
        int index = 0;
        for (JsonNode alert : alerts) {
            String at = "alerts[" + index++ + "]";
            if (!alert.isObject()) {
                problems.add(at + ": not an object");
                continue;
            }
            String status = text(alert, "status");
            JsonNode labels = alert.get("labels");
            if (status == null) {
                problems.add(at + ".status: required");
            }
            if (labels == null || !labels.isObject()) {
                problems.add(at + ".labels: required, an object");
            }
            if (status == null || labels == null || !labels.isObject()) {
                continue;
            }
            if (!status.equals("firing") || !environment.equals(text(labels, "environment"))) {
                ignored++;
                continue;
            }
            int before = problems.size();
            String service = text(labels, "service");
            String alertname = text(labels, "alertname");
            String fingerprint = text(alert, "fingerprint");
            Instant startsAt = instant(text(alert, "startsAt"));
            if (service == null || !SERVICE.matcher(service).matches()) {
                problems.add(at + ".labels.service: " + (service == null ? "required" : "not a service name: "
                        + service) + " (it names the service to roll back)");
            }
            if (alertname == null || alertname.isBlank()) {
                problems.add(at + ".labels.alertname: required");
            }
            if (fingerprint == null || !FINGERPRINT.matcher(fingerprint).matches()) {
                problems.add(at + ".fingerprint: required, 16 lower-case hex digits");
            }
            if (startsAt == null) {
                problems.add(at + ".startsAt: required, an RFC 3339 time");
            }
            if (problems.size() > before) {
                continue;
            }
            String severity = text(labels, "severity");
            JsonNode annotations = alert.get("annotations");
            String summary = annotations == null ? null : text(annotations, "summary");
            var data = new AlertFiring(environment, service, alertname.strip(), fingerprint, startsAt,
                    severity == null || severity.isBlank() ? "none" : severity.strip(),
                    summary == null || summary.isBlank() ? alertname.strip() + " is firing for " + service
                            : RollbackPolicy.shorten(summary),
                    url(text(alert, "generatorURL")));
            String id = EventIds.derive("alert.firing", environment, fingerprint, startsAt.toString());
            // an alert starts its own chain: it is its own run and cause
            firing.add(CloudEvent.of(data, source, environment, id, id, id));
        }
        if (!problems.isEmpty()) {
            throw new MalformedAlertsException(problems);
        }
        return new AlertBatch(List.copyOf(firing), ignored);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String url(String text) {
        if (text == null || text.isBlank() || text.length() > 2048) {
            return null;
        }
        try {
            URI uri = new URI(text);
            return uri.isAbsolute() ? text : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
