package io.stagecoach.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import io.stagecoach.events.AlertFiring;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Release;
import io.stagecoach.events.RollbackCompleted;
import io.stagecoach.events.SmokeTestFailed;
import io.stagecoach.events.SmokeTestPassed;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stagecoach's events as CDEvents (spec 0.5.1), for CI/CD tools that speak them. Pure: one event in, at most one
 * CDEvent out.
 *
 * <table>
 * <tr><th>Stagecoach</th><th>CDEvent</th></tr>
 * <tr><td>{@code deployment.completed}, first release of the service there</td><td>{@code service.deployed}</td></tr>
 * <tr><td>{@code deployment.completed}, replacing a version</td><td>{@code service.upgraded}</td></tr>
 * <tr><td>{@code rollback.completed}</td><td>{@code service.rolledback}</td></tr>
 * <tr><td>{@code smoketest.passed} / {@code smoketest.failed}</td><td>{@code testsuiterun.finished}</td></tr>
 * <tr><td>{@code alert.firing}</td><td>{@code incident.detected}</td></tr>
 * </table>
 *
 * A rollback's own deployment is left to {@code rollback.completed}. The CDEvent's id is derived from the event's,
 * so sending one again names the same event; its {@code chainId} is the release's run.
 */
final class CdEvents {

    static final String SPEC_VERSION = "0.5.1";
    static final String SERVICE_DEPLOYED = "dev.cdevents.service.deployed.0.3.0";
    static final String SERVICE_UPGRADED = "dev.cdevents.service.upgraded.0.3.0";
    static final String SERVICE_ROLLEDBACK = "dev.cdevents.service.rolledback.0.3.0";
    static final String TESTSUITERUN_FINISHED = "dev.cdevents.testsuiterun.finished.0.3.0";
    static final String INCIDENT_DETECTED = "dev.cdevents.incident.detected.0.3.0";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CdEvents() {
    }

    /** The CDEvent {@code event} is, or empty for an event no CDEvent says. */
    static Optional<ObjectNode> of(CloudEvent<?> event) {
        if (event.data() instanceof DeploymentCompleted deployed && !deployed.rollback()) {
            ObjectNode cdevent = context(event, deployed.previousVersion() == null ? SERVICE_DEPLOYED
                    : SERVICE_UPGRADED);
            ObjectNode content = subject(cdevent, deployed.release().service(), event);
            environment(content, deployed.environment());
            content.put("artifactId", artifactId(deployed.release()));
            return Optional.of(cdevent);
        }
        if (event.data() instanceof RollbackCompleted rolledBack) {
            ObjectNode cdevent = context(event, SERVICE_ROLLEDBACK);
            ObjectNode content = subject(cdevent, rolledBack.service(), event);
            environment(content, rolledBack.environment());
            content.put("artifactId", artifactId(rolledBack.to()));
            return Optional.of(cdevent);
        }
        if (event.data() instanceof SmokeTestPassed passed) {
            return Optional.of(testSuiteRun(event, passed.release(), passed.environment(), "success", null));
        }
        if (event.data() instanceof SmokeTestFailed failed) {
            return Optional.of(testSuiteRun(event, failed.release(), failed.environment(),
                    failed.status() == SmokeTestFailed.Status.ERROR ? "error" : "failure", failed.summary()));
        }
        if (event.data() instanceof AlertFiring alert) {
            ObjectNode cdevent = context(event, INCIDENT_DETECTED);
            ObjectNode content = subject(cdevent, alert.alertname() + "/" + alert.fingerprint(), event);
            content.put("description", alert.summary() == null ? alert.alertname() : alert.summary());
            environment(content, alert.environment());
            content.putObject("service").put("id", alert.service());
            return Optional.of(cdevent);
        }
        return Optional.empty();
    }

    /**
     * The release's image as a package URL ({@code pkg:oci/<name>@sha256%3A…?repository_url=…&tag=<version>}), the
     * form CDEvents names artifacts in.
     */
    static String artifactId(Release release) {
        String name = release.image().substring(release.image().lastIndexOf('/') + 1);
        return "pkg:oci/" + name + "@" + URLEncoder.encode(release.digest(), StandardCharsets.UTF_8)
                + "?repository_url=" + URLEncoder.encode(release.image(), StandardCharsets.UTF_8).replace("%2F", "/")
                + "&tag=" + URLEncoder.encode(release.version(), StandardCharsets.UTF_8);
    }

    private static ObjectNode testSuiteRun(CloudEvent<?> event, Release release, String environment, String outcome,
            String reason) {
        ObjectNode cdevent = context(event, TESTSUITERUN_FINISHED);
        ObjectNode content = subject(cdevent, event.id(), event);
        environment(content, environment);
        content.putObject("testSuite").put("id", "stagecoach-smoke-" + release.service())
                .put("name", "smoke tests of " + release.service() + " " + release.version())
                .put("version", release.version());
        content.put("outcome", outcome);
        if (reason != null) {
            content.put("reason", reason);
        }
        return cdevent;
    }

    private static ObjectNode context(CloudEvent<?> event, String type) {
        ObjectNode cdevent = JSON.createObjectNode();
        ObjectNode context = cdevent.putObject("context");
        context.put("specversion", SPEC_VERSION);
        context.put("id", EventIds.derive("cdevents", event.id()));
        context.put("source", event.source());
        context.put("type", type);
        context.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(event.time()));
        if (event.correlationid() != null) {
            context.put("chainId", event.correlationid());
        }
        return cdevent;
    }

    private static ObjectNode subject(ObjectNode cdevent, String id, CloudEvent<?> event) {
        ObjectNode subject = cdevent.putObject("subject");
        subject.put("id", id);
        subject.put("source", event.source());
        return subject.putObject("content");
    }

    private static void environment(ObjectNode content, String environment) {
        content.putObject("environment").put("id", environment).put("source", "/stagecoach/" + environment);
    }
}
