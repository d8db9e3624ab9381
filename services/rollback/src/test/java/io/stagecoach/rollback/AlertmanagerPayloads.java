package io.stagecoach.rollback;

import java.time.Instant;

/** What Alertmanager's webhook posts (payload version 4): a group of alerts about the pipeline's services. */
final class AlertmanagerPayloads {

    static final String SERVICE = "knative-lambda-builder";

    private AlertmanagerPayloads() {
    }

    static String payload(String... alerts) {
        return """
                {"version": "4", "groupKey": "{}:{alertname=\\"HighErrorRate\\"}", "truncatedAlerts": 0,
                 "status": "firing", "receiver": "stagecoach", "groupLabels": {}, "commonLabels": {},
                 "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
                 "alerts": [%s]}
                """.formatted(String.join(",", alerts));
    }

    static String alert(String status, String environment, String service, String fingerprint, String startsAt) {
        return """
                {"status": "%s",
                 "labels": {"alertname": "HighErrorRate", "environment": "%s", "service": "%s",
                            "severity": "critical"},
                 "annotations": {"summary": "5xx above 5%% for 5 minutes"},
                 "startsAt": "%s", "endsAt": "0001-01-01T00:00:00Z",
                 "generatorURL": "http://prometheus:9090/graph?g0.expr=rate", "fingerprint": "%s"}
                """.formatted(status, environment, service, startsAt, fingerprint);
    }

    static String alert(String status, String environment, String service, String fingerprint, Instant startsAt) {
        return alert(status, environment, service, fingerprint, startsAt.toString());
    }

    /** An alert about {@link #SERVICE}. */
    static String alert(String status, String environment, String fingerprint, String startsAt) {
        return alert(status, environment, SERVICE, fingerprint, startsAt);
    }
}
