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
public final class BuildRequests {

    static final List<String> FIELDS = List.of("service", "version", "image", "digest", "commit", "author",
            "buildUrl", "flags");

    private final EventCodec codec;

    public BuildRequests(EventCodec codec) {
        this.codec = codec;
    }

    /**
     * @param environment the environment builds enter (this service's)
     * @param source      the CloudEvents source for the plain form
     * @param eventId     the id derived from the delivery
     * @throws InvalidEventException naming every problem, by the field names of the form that was sent
     */
    public CloudEvent<BuildCompleted> read(byte[] body, String environment, String source, String eventId) {
        return read(body, environment, source, eventId, null);
    }

    /**
     * As {@link #read(byte[], String, String, String)}, for a request in CloudEvents' HTTP binary mode too:
     * {@code ceType} is its {@code ce-type} header (null for none), which must be the type of the CDEvent it carries.
     */
    CloudEvent<BuildCompleted> read(byte[] body, String environment, String source, String eventId, String ceType) {
        return parse(body, environment, source, eventId, ceType);
    }

    private CloudEvent<BuildCompleted> parse(byte[] body, String environment, String source, String eventId,
            String ceType) {
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
        // a CDEvent: bare (CloudEvents binary mode, the ce-* headers beside it) or as a structured CloudEvent's data
        if (ceType != null && !(CdEventBuilds.isCdEvent(tree)
                && ceType.equals(tree.path("context").path("type").asString()))) {
            throw new InvalidEventException("ce-type: '" + ceType + "' is not the type of the CDEvent in the body ("
                    + tree.path("context").path("type").asString("none") + "); in binary mode the body is the CDEvent");
        }
        if (CdEventBuilds.isCdEvent(tree)) {
            return fromCdEvent(tree, environment, source, eventId);
        }
        if (tree.has("specversion") && tree.path("type").asString("").startsWith("dev.cdevents.")) {
            if (!CdEventBuilds.isCdEvent(tree.path("data"))) {
                throw new InvalidEventException("data: a CloudEvent of type " + tree.path("type").asString()
                        + " carries its CDEvent (context, subject) as data");
            }
            return fromCdEvent(tree.path("data"), environment, source, eventId);
        }
        return tree.has("specversion") ? fromCloudEvent(body, environment, eventId)
                : fromPlain(tree, environment, source, eventId);
    }

    /**
     * Whether {@code body} is a CDEvent (bare, or a CloudEvent whose type is one), which {@link #read} turns into a
     * build: what a CI that speaks CDEvents publishes to the broker.
     */
    public static boolean isCdEvent(byte[] body) {
        // every build the inbox takes passes here: only a body that names a CDEvent type is parsed
        if (!contains(body, CDEVENT_TYPE)) {
            return false;
        }
        JsonNode tree;
        try {
            tree = EventCodec.mapper().readTree(body);
        } catch (JacksonException e) {
            return false;
        }
        return tree != null && tree.isObject() && (CdEventBuilds.isCdEvent(tree)
                || tree.path("type").asString("").startsWith("dev.cdevents."));
    }

    private static final byte[] CDEVENT_TYPE = "dev.cdevents.".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static boolean contains(byte[] body, byte[] part) {
        outer:
        for (int i = 0; i <= body.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (body[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The id a CDEvent in {@code body} has, its context's, or null. */
    public static String cdEventId(byte[] body) {
        JsonNode tree = EventCodec.mapper().readTree(body);
        JsonNode context = CdEventBuilds.isCdEvent(tree) ? tree.path("context") : tree.path("data").path("context");
        return context.path("id").asString(null);
    }

    /** A CDEvent announcing a build, as the plain form says it (see {@link CdEventBuilds}). */
    private CloudEvent<BuildCompleted> fromCdEvent(JsonNode cdevent, String environment, String source,
            String eventId) {
        tools.jackson.databind.node.ObjectNode form = EventCodec.mapper().createObjectNode();
        CdEventBuilds.form(cdevent).forEach(form::put);
        String cdSource = cdevent.path("context").path("source").asString("");
        return fromPlain(form, environment, cdSource.isBlank() ? source : cdSource, eventId);
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
