package io.stagecoach.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** {@code stagecoach cdevents}: every environment's deployments, rollbacks, smoke tests and alerts as CDEvents. */
@Command(name = "cdevents", sortOptions = false,
        description = {"Send the pipeline's events to a CDEvents sink as they happen.", "",
                "Follow every environment's audit stream and POST each deployment, rollback, smoke test and alert",
                "to the sink as a CDEvent (spec 0.5.1) in a CloudEvent, binary mode: service.deployed,",
                "service.upgraded, service.rolledback, testsuiterun.finished, incident.detected. Only events their",
                "own producers published count. One line per event sent.", ""},
        footer = {"", "Examples:",
                "  stagecoach cdevents --sink http://cdviz-collector:8080/webhook/stagecoach",
                "  stagecoach cdevents --sink https://events.example.com/cdevents --since 1h --count 50",
                "",
                "The CDEvent's id is derived from the event's: sending an event again (--since over the same",
                "time) names the same CDEvent. A sink that does not answer 2xx after 3 tries ends the run with",
                "exit 1, saying which event to resume from.",
                ExitCodes.SECTION})
final class CdEventsCommand implements Callable<Integer> {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final int ATTEMPTS = 3;

    @Mixin
    HelpOption help;

    @ParentCommand
    Stagecoach root;

    @Option(names = "--sink", required = true, paramLabel = "URL",
            description = "where to POST the CDEvents (http or https)")
    String sink;

    @Option(names = "--since", paramLabel = "WHEN",
            description = "also send what happened since then (90s, 10m, 1h or a time); default: only new events")
    String since;

    @Option(names = "--count", paramLabel = "N", description = "stop after sending N CDEvents")
    Integer count;

    @Mixin
    AmqpOptions amqp;

    @Mixin
    EnvironmentOptions environmentOptions;

    @Override
    public Integer call() {
        CliContext context = root.context;
        URI target = sinkUri(sink);
        if (count != null && count < 1) {
            throw CliException.usage("--count must be 1 or more, not " + count);
        }
        Instant start = since == null ? null : AuditCommand.parseSince(since, Instant.now());
        Environments environments = environmentOptions.environments(context);
        Provenance provenance = Provenance.of(environments);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int sent = 0;
        try (AuditStreams streams = new AuditStreams(amqp.broker(context))) {
            streams.subscribeAll(environments, start);
            context.err().println("Sending CDEvents of " + EnvironmentOptions.names(environments) + " to " + target
                    + " (Ctrl-C to stop)...");
            context.err().flush();
            while (count == null || sent < count) {
                AuditStreams.Event next = streams.nextEvent(Duration.ofMillis(500), start);
                if (next == null) {
                    continue;
                }
                CloudEvent<?> event = next.event();
                // only what its own producers published
                boolean counts = provenance.judge(next.environment().name(), event.eventType(), event.environment(),
                        next.message().routingKey(), next.message().userId()).isEmpty();
                Optional<ObjectNode> cdevent = counts ? CdEvents.of(event) : Optional.empty();
                if (cdevent.isEmpty()) {
                    continue;
                }
                send(http, target, cdevent.get(), event);
                context.out().println("sent " + cdevent.get().path("context").path("type").asString() + " "
                        + cdevent.get().path("context").path("id").asString() + " for " + event.subject() + " in "
                        + event.environment() + " (" + event.eventType().eventName() + " " + event.id() + ")");
                context.out().flush();
                sent++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitCodes.OK;
    }

    /** POSTs {@code cdevent} in binary mode; a sink that does not take it after {@value #ATTEMPTS} tries ends the run. */
    private static void send(HttpClient http, URI target, ObjectNode cdevent, CloudEvent<?> event)
            throws InterruptedException {
        var context = cdevent.path("context");
        HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("ce-specversion", "1.0")
                .header("ce-id", context.path("id").asString())
                .header("ce-source", context.path("source").asString())
                .header("ce-type", context.path("type").asString())
                .header("ce-time", context.path("timestamp").asString())
                .header("ce-subject", cdevent.path("subject").path("id").asString())
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(cdevent))).build();
        String last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() / 100 == 2) {
                    return;
                }
                last = "answered " + answer.statusCode() + (answer.body().isBlank() ? "" : ": "
                        + answer.body().strip().lines().findFirst().orElse(""));
            } catch (IOException e) {
                last = "could not be reached (" + e.getClass().getSimpleName() + ")";
            }
            if (attempt < ATTEMPTS) {
                Thread.sleep(500L * attempt);
            }
        }
        throw CliException.pipeline("the sink " + target + " " + last + " for " + ATTEMPTS + " tries; "
                + event.eventType().eventName() + " " + event.id() + " of " + event.time()
                + " was not sent: start again with --since " + event.time());
    }

    private static URI sinkUri(String sink) {
        URI uri;
        try {
            uri = URI.create(sink.strip());
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--sink '" + sink + "' is not a URL: give http(s)://host[:port]/path");
        }
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw CliException.usage("--sink '" + sink + "' is not an http or https URL: give http(s)://host[:port]/path");
        }
        return uri;
    }
}
