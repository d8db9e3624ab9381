package io.stagecoach.buildcompleted.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;

import io.stagecoach.buildcompleted.BuildPolicy;
import io.stagecoach.buildcompleted.TestBuilds;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.InvalidEventException;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BuildRequestsTests {

    private static final String SOURCE = "/stagecoach/dev/build-completed/webhook";
    private static final String EVENT_ID = EventIds.derive("delivery", "d-1");

    private final EventCodec codec = new EventCodec();
    private final BuildRequests requests = new BuildRequests(codec);

    @Test
    void readsThePlainForm() {
        CloudEvent<BuildCompleted> build = requests.read(bytes("""
                {"service":"knative-lambda-builder","version":"1.4.2","image":"ghcr.io/acme/knative-lambda-builder",
                 "digest":"%s","commit":"%s","author":"jane","buildUrl":"https://ci.example.com/builds/812"}
                """.formatted(TestBuilds.DIGEST_A, TestBuilds.COMMIT)), "dev", SOURCE, EVENT_ID);

        Release release = TestBuilds.release("1.4.2", TestBuilds.DIGEST_A);
        assertThat(build.data()).isEqualTo(new BuildCompleted(release, "https://ci.example.com/builds/812"));
        assertThat(build.id()).isEqualTo(EVENT_ID);
        assertThat(build.environment()).isEqualTo("dev");
        assertThat(build.source()).isEqualTo(SOURCE);
        assertThat(build.correlationid()).isEqualTo(BuildPolicy.runId(release));
        assertThat(codec.encode(build)).isNotEmpty();
    }

    @Test
    void takesTheFlagsFileAsTextAndComputesItsDigestOrSaysWhatIsWrongWithIt() {
        String flags = "{\"flags\": {\"f\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, "
                + "\"defaultVariant\": \"on\"}}}\n";
        String body = """
                {"service":"knative-lambda-builder","version":"1.4.2","image":"ghcr.io/acme/knative-lambda-builder",
                 "digest":"%s","commit":"%s","author":"jane","flags":%s}
                """;
        String quoted = tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(flags);

        CloudEvent<BuildCompleted> build = requests.read(bytes(body.formatted(TestBuilds.DIGEST_A, TestBuilds.COMMIT,
                quoted)), "dev", SOURCE, EVENT_ID);
        InvalidEventException invalid = catchThrowableOfType(InvalidEventException.class, () -> requests.read(bytes(
                body.formatted(TestBuilds.DIGEST_A, TestBuilds.COMMIT, quoted.replace("\\\"on\\\"}}}",
                        "\\\"off\\\"}}}"))), "dev", SOURCE, EVENT_ID));

        assertThat(build.data().release().flags()).isEqualTo(io.stagecoach.events.Flags.of(flags));
        assertThat(invalid.problems()).containsExactly("flags: flag 'f' defaults to variant 'off', which it does not "
                + "have (its variants: on)");
    }

    @Test
    void takesACdEventsBuildFinishedAsAStructuredCloudEventAndSaysWhatACdEventLacks() {
        String cdevent = ("{\"context\":{\"specversion\":\"0.5.1\",\"id\":\"b1\",\"source\":\"https://ci.example.com/acme\","
                + "\"type\":\"dev.cdevents.build.finished.0.3.0\",\"timestamp\":\"2026-12-05T05:00:00Z\"},"
                + "\"subject\":{\"id\":\"build-812\",\"content\":{\"artifactId\":\"pkg:oci/knative-lambda-builder@%s"
                + "?repository_url=ghcr.io/acme/knative-lambda-builder&tag=1.4.2\"}},"
                + "\"customData\":{\"commit\":\"%s\",\"author\":\"jane\"}}")
                .formatted(TestBuilds.DIGEST_A.replace(":", "%3A"), TestBuilds.COMMIT);
        String structured = "{\"specversion\":\"1.0\",\"id\":\"b1\",\"source\":\"https://ci.example.com/acme\","
                + "\"type\":\"dev.cdevents.build.finished.0.3.0\",\"datacontenttype\":\"application/json\","
                + "\"data\":" + cdevent + "}";

        assertThat(io.stagecoach.testing.cdevents.CdEventSchemas.problems(
                tools.jackson.databind.json.JsonMapper.builder().build().readTree(cdevent))).isEmpty();
        CloudEvent<BuildCompleted> bare = requests.read(bytes(cdevent), "dev", SOURCE, EVENT_ID);
        CloudEvent<BuildCompleted> wrapped = requests.read(bytes(structured), "dev", SOURCE, EVENT_ID);
        InvalidEventException lacking = catchThrowableOfType(InvalidEventException.class, () -> requests.read(
                bytes(cdevent.replace(",\"customData\":{\"commit\":\"" + TestBuilds.COMMIT + "\",\"author\":\"jane\"}",
                        "").replace("&tag=1.4.2", "")), "dev", SOURCE, EVENT_ID));

        Release release = TestBuilds.release("1.4.2", TestBuilds.DIGEST_A);
        assertThat(bare.data().release()).isEqualTo(release);
        assertThat(wrapped.data().release()).isEqualTo(release);
        assertThat(bare.source()).isEqualTo("https://ci.example.com/acme");
        assertThat(bare.correlationid()).isEqualTo(BuildPolicy.runId(release));
        assertThat(lacking.problems()).containsExactly(
                "subject.content.artifactId: the package URL has no tag=<version> (or give customData.version)",
                "customData.commit: required, the Git commit the image was built from (a CDEvent has no field for it)",
                "customData.author: required (or subject.content.user of artifact.published): who authored the "
                        + "change, as approvers are known");
    }

    @Test
    void readsAWholeCloudEventAndGivesItTheDeliverysId() {
        CloudEvent<BuildCompleted> sent = TestBuilds.build(TestBuilds.release("1.4.2", TestBuilds.DIGEST_A), "dev",
                "812");

        CloudEvent<BuildCompleted> build = requests.read(codec.encode(sent), "dev", SOURCE, EVENT_ID);

        assertThat(build.data()).isEqualTo(sent.data());
        assertThat(build.id()).isEqualTo(EVENT_ID);
        assertThat(build.causationid()).isEqualTo(sent.id());
        assertThat(build.source()).isEqualTo(sent.source());
        assertThat(build.correlationid()).isEqualTo(BuildPolicy.runId(sent.data().release()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "not JSON                   | {\"service\": | body is not JSON",
            "an array                   | [1,2]        | body must be a JSON object",
            "missing fields             | {\"service\":\"knative-lambda-builder\",\"version\":\"1.4.2\"} | image: required but missing",
            "a null field               | {\"service\":\"a\",\"version\":\"1.0.0\",\"image\":\"a\",\"digest\":null,\"commit\":\"a\",\"author\":\"a\"} | digest: required but null",
            "an unknown field           | {\"service\":\"a\",\"colour\":\"red\"} | colour: unknown field",
            "a number for a string      | {\"service\":\"a\",\"version\":1} | version: must be a string",
            "a digest that is no digest | {\"service\":\"a\",\"version\":\"1.0.0\",\"image\":\"ghcr.io/a/a\",\"digest\":\"md5:abc\",\"commit\":\"096a8cbc4bf9cc786c545235c3b4d54204b8c1c3\",\"author\":\"jane\"} | digest:",
            "a version that is no semver| {\"service\":\"a\",\"version\":\"v1\",\"image\":\"ghcr.io/a/a\",\"digest\":\"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"commit\":\"096a8cbc4bf9cc786c545235c3b4d54204b8c1c3\",\"author\":\"jane\"} | version:",
    })
    void namesTheProblemsOfAnInvalidBody(String description, String body, String problem) {
        assertThatThrownBy(() -> requests.read(bytes(body), "dev", SOURCE, EVENT_ID))
                .isInstanceOfSatisfying(InvalidEventException.class,
                        e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith(problem)));
    }

    @Test
    void refusesACloudEventForAnotherEnvironment() {
        CloudEvent<BuildCompleted> sent = TestBuilds.build(TestBuilds.release("1.4.2", TestBuilds.DIGEST_A),
                "staging", "812");

        assertThatThrownBy(() -> requests.read(codec.encode(sent), "dev", SOURCE, EVENT_ID))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("environment: 'staging'");
    }

    @Test
    void refusesACloudEventOfAnotherType() {
        String id = EventIds.derive("other");
        byte[] promotion = codec.encode(CloudEvent.of(PromotionRequested.build(
                TestBuilds.release("1.4.2", TestBuilds.DIGEST_A), "dev"), SOURCE, "dev", id, id, id));

        assertThatThrownBy(() -> requests.read(promotion, "dev", SOURCE, EVENT_ID))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("promotion.requested");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
