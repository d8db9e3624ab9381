package io.stagecoach.buildcompleted.webhook;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.stagecoach.events.InvalidEventException;
import tools.jackson.databind.JsonNode;

/**
 * A CDEvent (spec 0.5.x) that announces a build: {@code artifact.published} (the artifact is the subject) or
 * {@code build.finished} (its {@code artifactId}). The artifact is an OCI package URL,
 * {@code pkg:oci/<name>@sha256%3A<hex>?repository_url=<registry>/<repository>&tag=<version>}; what a CDEvent has no
 * field for comes from its {@code customData}: {@code commit} (required), {@code author} ({@code artifact.published}'s
 * {@code user} otherwise), and optionally {@code service} (the package's name otherwise), {@code version} (the
 * {@code tag} otherwise), {@code buildUrl} and {@code flags}. Pure: it gives the fields of the plain build form, which
 * is validated as any other build.
 */
final class CdEventBuilds {

    static final String ARTIFACT_PUBLISHED = "dev.cdevents.artifact.published.";
    static final String BUILD_FINISHED = "dev.cdevents.build.finished.";

    private CdEventBuilds() {
    }

    /** Whether {@code type} is a CDEvent this service takes as a build. */
    static boolean isBuild(String type) {
        return type != null && (type.startsWith(ARTIFACT_PUBLISHED) || type.startsWith(BUILD_FINISHED));
    }

    /** Whether {@code tree} is a CDEvent: a {@code context} whose type is one. */
    static boolean isCdEvent(JsonNode tree) {
        return tree.path("context").path("type").asString("").startsWith("dev.cdevents.");
    }

    /**
     * The plain build form of {@code cdevent}.
     *
     * @throws InvalidEventException naming every problem, by the CDEvent's own fields
     */
    static Map<String, String> form(JsonNode cdevent) {
        String type = cdevent.path("context").path("type").asString("");
        if (!isBuild(type)) {
            throw new InvalidEventException("context.type: '" + type + "' is not a build; send "
                    + ARTIFACT_PUBLISHED + "0.3.0 or " + BUILD_FINISHED + "0.3.0");
        }
        List<String> problems = new ArrayList<>();
        JsonNode subject = cdevent.path("subject");
        JsonNode custom = cdevent.path("customData");
        String purl = type.startsWith(ARTIFACT_PUBLISHED) ? subject.path("id").asString(null)
                : subject.path("content").path("artifactId").asString(null);
        String where = type.startsWith(ARTIFACT_PUBLISHED) ? "subject.id" : "subject.content.artifactId";
        Map<String, String> form = new LinkedHashMap<>();
        if (purl == null || !purl.startsWith("pkg:oci/")) {
            problems.add(where + ": must be the image as an OCI package URL, pkg:oci/<name>@sha256%3A<hex>"
                    + "?repository_url=<registry>/<repository>&tag=<version>");
        } else {
            Purl parsed = Purl.parse(purl.substring("pkg:oci/".length()));
            form.put("service", text(custom, "service", parsed.name()));
            form.put("image", parsed.qualifiers().get("repository_url"));
            form.put("digest", parsed.version());
            form.put("version", text(custom, "version", parsed.qualifiers().get("tag")));
            if (form.get("image") == null) {
                problems.add(where + ": the package URL has no repository_url=<registry>/<repository>");
            }
            if (form.get("version") == null) {
                problems.add(where + ": the package URL has no tag=<version> (or give customData.version)");
            }
        }
        form.put("commit", text(custom, "commit", null));
        if (form.get("commit") == null) {
            problems.add("customData.commit: required, the Git commit the image was built from (a CDEvent has no "
                    + "field for it)");
        }
        form.put("author", text(custom, "author", subject.path("content").path("user").asString(null)));
        if (form.get("author") == null) {
            problems.add("customData.author: required (or subject.content.user of artifact.published): who "
                    + "authored the change, as approvers are known");
        }
        form.put("buildUrl", text(custom, "buildUrl", null));
        form.put("flags", text(custom, "flags", null));
        if (!problems.isEmpty()) {
            throw new InvalidEventException(problems);
        }
        form.values().removeIf(java.util.Objects::isNull);
        return form;
    }

    private static String text(JsonNode node, String field, String otherwise) {
        JsonNode value = node.path(field);
        return value.isString() && !value.asString().isBlank() ? value.asString() : otherwise;
    }

    /** The parts of an OCI package URL after {@code pkg:oci/}: {@code <name>@<version>?<qualifiers>}. */
    record Purl(String name, String version, Map<String, String> qualifiers) {

        static Purl parse(String rest) {
            String withoutSubpath = rest.contains("#") ? rest.substring(0, rest.indexOf('#')) : rest;
            String qualifierPart = withoutSubpath.contains("?")
                    ? withoutSubpath.substring(withoutSubpath.indexOf('?') + 1) : "";
            String nameVersion = withoutSubpath.contains("?")
                    ? withoutSubpath.substring(0, withoutSubpath.indexOf('?')) : withoutSubpath;
            int at = nameVersion.indexOf('@');
            String name = decode(at < 0 ? nameVersion : nameVersion.substring(0, at));
            String version = at < 0 ? null : decode(nameVersion.substring(at + 1));
            Map<String, String> qualifiers = new LinkedHashMap<>();
            for (String pair : qualifierPart.split("&")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    qualifiers.put(pair.substring(0, equals).toLowerCase(java.util.Locale.ROOT),
                            decode(pair.substring(equals + 1)));
                }
            }
            return new Purl(name, version, qualifiers);
        }

        private static String decode(String text) {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
    }
}
