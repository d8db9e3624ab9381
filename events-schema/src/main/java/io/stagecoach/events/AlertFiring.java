package io.stagecoach.events;

import java.time.Instant;

/**
 * Alertmanager reported a firing alert for a service. {@code fingerprint} and {@code startsAt} identify the
 * alert: Alertmanager re-sends it on every repeat.
 *
 * @param environment  the environment the alert fired in
 * @param service      the service it is about
 * @param alertname    the alert's name, e.g. {@code HighErrorRate}
 * @param fingerprint  Alertmanager's fingerprint of the alert's labels (16 hex digits)
 * @param startsAt     when the alert started firing
 * @param severity     the alert's {@code severity} label, e.g. {@code critical}
 * @param summary      the alert's {@code summary} annotation
 * @param generatorUrl where the alert's expression can be seen, or null
 */
public record AlertFiring(String environment, String service, String alertname, String fingerprint,
                          Instant startsAt, String severity, String summary, String generatorUrl)
        implements EventData {

    @Override
    public EventType eventType() {
        return EventType.ALERT_FIRING;
    }

    @Override
    public String subject() {
        return service;
    }
}
