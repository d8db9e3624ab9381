package io.stagecoach.buildcompleted.webhook;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.stagecoach.buildcompleted.BuildPolicy;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.events.Flags;
import io.stagecoach.events.Release;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads the body of {@code POST /builds} into the {@code build.completed} event this service publishes for it.
 * Two forms are accepted: the plain JSON {@code {service, version, image, digest, commit, author, buildUrl}}, or a
 * whole {@code build.completed} CloudEvent. Either way the published event's id is the one derived from the
 * delivery, and its correlation id is the release's run.
 */
final class BuildRequests {

    static final List<String> FIELDS = List.of("service", "version", "image", "digest", "commit", "author",
            "buildUrl", "flags");

    private final EventCodec codec;

    BuildRequests(EventCodec codec) {
        this.codec = codec;
    }

    /**
     * @param environment the environment builds enter (this service's)
     * @param source      the CloudEvents source for the plain form
     * @param eventId     the id derived from the delivery
     * @throws InvalidEventException naming every problem, by the field names of the form that was sent
     */
    CloudEvent<BuildCompleted> read(byte[] body, String environment, String source, String eventId) {
        JsonNode tree;
        try {
            tree = EventCodec.mapper().readTree(body);
        } catch (JacksonException e) {
            throw new InvalidEventException("body is not JSON: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidEventException("body must be a JSON object: {" + String.join(", ", FIELDS)
                    + "} or a build.completed CloudEvent");
        }
        return tree.has("specversion") ? fromCloudEvent(body, environment, eventId)
                : fromPlain(tree, environment, source, eventId);
    }

    private CloudEvent<BuildCompleted> fromCloudEvent(byte[] body, String environment, String eventId) {
        CloudEvent<BuildCompleted> sent = codec.decode(body, BuildCompleted.class);
        if (!environment.equals(sent.environment())) {
            throw new InvalidEventException("environment: '" + sent.environment() + "' is not '" + environment
                    + "', the environment builds enter");
        }
        // the sender's id stays as the cause; the delivery decides the id, so a replay is recognised
        return new CloudEvent<>(sent.specversion(), eventId, sent.source(), sent.type(), sent.subject(), sent.time(),
                environment, BuildPolicy.runId(sent.data().release()), sent.id(), sent.data());
    }

    private CloudEvent<BuildCompleted> fromPlain(JsonNode tree, String environment, String source, String eventId) {
        List<String> problems = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = tree.properties().iterator(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!FIELDS.contains(field.getKey())) {
                problems.add(field.getKey() + ": unknown field (expected " + String.join(", ", FIELDS) + ")");
            } else if (field.getValue().isNull()) {
                continue;
            } else if (!field.getValue().isString()) {
                problems.add(field.getKey() + ": must be a string");
            } else {
                values.put(field.getKey(), field.getValue().asString());
            }
        }
        for (String field : FIELDS.subList(0, 6)) {
            if (!values.containsKey(field) && !tree.has(field)) {
                problems.add(field + ": required but missing");
            } else if (!values.containsKey(field) && tree.path(field).isNull()) {
                problems.add(field + ": required but null");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidEventException(problems);
        }
        // the flags file as text, byte for byte what each environment gets; its digest is computed here
        Flags flags = values.containsKey("flags") ? Flags.of(values.get("flags")) : null;
        if (flags != null && !flags.problems().isEmpty()) {
            throw new InvalidEventException(flags.problems().stream().map(problem -> "flags: " + problem).toList());
        }
        Release release = new Release(values.get("service"), values.get("version"), values.get("image"),
                values.get("digest"), values.get("commit"), values.get("author"), flags);
        CloudEvent<BuildCompleted> draft = CloudEvent.of(new BuildCompleted(release, values.get("buildUrl")), source,
                environment, eventId, null, eventId);
        try {
            codec.encode(draft);
        } catch (InvalidEventException e) {
            // the subject is the service: its problem is already named once
            List<String> plain = e.problems().stream().map(BuildRequests::plainField)
                    .filter(problem -> !problem.startsWith("subject:")).distinct().toList();
            throw new InvalidEventException(plain.isEmpty() ? e.problems() : plain);
        }
        return CloudEvent.of(draft.data(), source, environment, BuildPolicy.runId(release), null, eventId);
    }

    /** {@code version: ...} for the schema's {@code data.release.version: ...}. */
    private static String plainField(String problem) {
        if (problem.startsWith("data.release.")) {
            return problem.substring("data.release.".length());
        }
        if (problem.startsWith("data.")) {
            return problem.substring("data.".length());
        }
        return problem;
    }
}
