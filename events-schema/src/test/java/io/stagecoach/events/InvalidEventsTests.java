package io.stagecoach.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Bad payloads are refused, and the refusal names the field and the problem. */
class InvalidEventsTests {

    private static final String DIGEST_PATTERN = "^sha256:[0-9a-f]{64}$";

    private final EventCodec codec = new EventCodec();

    static Stream<Arguments> badPayloads() {
        return Stream.of(
                // what is wrong, payload, a problem must contain
                arguments("missing data field", mutate(EventType.BUILD_COMPLETED, e -> data(e, "release").remove("digest")),
                        "data.release.digest: required but missing"),
                arguments("missing envelope field", mutate(EventType.BUILD_COMPLETED, e -> e.remove("id")),
                        "id: required but missing"),
                arguments("missing environment extension", mutate(EventType.SMOKETEST_PASSED, e -> e.remove("environment")),
                        "environment: required but missing"),
                arguments("environment extension null", mutate(EventType.SMOKETEST_PASSED, e -> e.putNull("environment")),
                        "environment: is null, expected string"),
                arguments("missing causation on a caused event",
                        mutate(EventType.PROMOTION_REQUESTED, e -> e.remove("causationid")),
                        "causationid: required but missing"),
                arguments("missing data", mutate(EventType.ALERT_FIRING, e -> e.remove("data")),
                        "data: required but missing"),
                arguments("wrong type: string for integer",
                        mutate(EventType.DEPLOYMENT_FAILED, e -> data(e).put("attempts", "three")),
                        "data.attempts: is a string, expected integer"),
                arguments("wrong type: string for boolean",
                        mutate(EventType.DEPLOYMENT_COMPLETED, e -> data(e).put("rollback", "yes")),
                        "data.rollback: is a string, expected boolean"),
                arguments("wrong type: object for string",
                        mutate(EventType.APPROVAL_REJECTED, e -> data(e).putObject("reason")),
                        "data.reason: is an object, expected string"),
                arguments("integer beyond what the record holds",
                        mutate(EventType.DEPLOYMENT_FAILED, e -> data(e).put("attempts", 2_147_483_648L)),
                        "data.attempts: must have a maximum value of 2147483647"),
                arguments("control character, shown escaped",
                        mutate(EventType.DEPLOYMENT_FAILED, e -> data(e).put("target", "kube\u0000")),
                        "data.target: does not match pattern ^[a-z][-a-z0-9]{0,62}$ (was 'kube\\u0000')"),
                arguments("nesting deeper than any event",
                        ("{\"data\": " + "[".repeat(600) + "]".repeat(600) + "}").getBytes(StandardCharsets.UTF_8),
                        "payload is not JSON: Document nesting depth (501) exceeds the maximum allowed (500"),
                arguments("null for an optional field", mutate(EventType.BUILD_COMPLETED, e -> data(e).putNull("buildUrl")),
                        "data.buildUrl: is null, expected string"),
                arguments("unknown event type",
                        mutate(EventType.BUILD_COMPLETED, e -> e.put("type", "io.stagecoach.nope.v1")),
                        "type 'io.stagecoach.nope.v1' is not a known event type (known: io.stagecoach.build.completed.v1, "),
                arguments("missing event type", mutate(EventType.BUILD_COMPLETED, e -> e.remove("type")),
                        "type: required but missing"),
                arguments("event type not a string", mutate(EventType.BUILD_COMPLETED, e -> e.put("type", 7)),
                        "type: is an integer, expected string"),
                arguments("over the size limit", padded(EventType.BUILD_COMPLETED, 300_000),
                        "payload is 300000 bytes, over the 262144-byte limit"),
                arguments("text that is not JSON", "this is not JSON".getBytes(StandardCharsets.UTF_8),
                        "payload is not JSON: Unrecognized token 'this'"),
                arguments("truncated JSON", Arrays.copyOf(ExampleEventsTests.example(EventType.BUILD_COMPLETED), 100),
                        "payload is not JSON: Unexpected end-of-input"),
                arguments("trailing content after the event",
                        concat(ExampleEventsTests.example(EventType.BUILD_COMPLETED), " {}"),
                        "payload is not JSON: Trailing token"),
                arguments("duplicate key", "{\"type\": \"a\", \"type\": \"b\"}".getBytes(StandardCharsets.UTF_8),
                        "payload is not JSON: Duplicate Object property \"type\""),
                arguments("empty payload", new byte[0], "payload is empty"),
                arguments("JSON but not an object", "[{\"type\": \"x\"}]".getBytes(StandardCharsets.UTF_8),
                        "payload is a JSON array, not a JSON object"),
                arguments("bad digest", mutate(EventType.BUILD_COMPLETED,
                                e -> data(e, "release").put("digest", "sha256:abc")),
                        "data.release.digest: does not match pattern " + DIGEST_PATTERN + " (was 'sha256:abc')"),
                arguments("digest with upper-case hex", mutate(EventType.DEPLOYMENT_COMPLETED,
                                e -> data(e, "release").put("digest", "sha256:" + "A".repeat(64))),
                        "data.release.digest: does not match pattern " + DIGEST_PATTERN),
                arguments("image with a tag", mutate(EventType.BUILD_COMPLETED,
                                e -> data(e, "release").put("image", "ghcr.io/acme/knative-lambda-builder:1.4.2")),
                        "data.release.image: does not match pattern"),
                arguments("version with a leading v", mutate(EventType.BUILD_COMPLETED,
                                e -> data(e, "release").put("version", "v1.4.2")),
                        "data.release.version: does not match pattern"),
                arguments("event id not a UUID", mutate(EventType.BUILD_COMPLETED, e -> e.put("id", "build-812")),
                        "id: does not match pattern"),
                arguments("time not a date-time", mutate(EventType.BUILD_COMPLETED, e -> e.put("time", "yesterday")),
                        "time: 'yesterday' is not a valid date-time"),
                arguments("another CloudEvents version", mutate(EventType.BUILD_COMPLETED, e -> e.put("specversion", "0.3")),
                        "specversion: must be '1.0' (was '0.3')"),
                arguments("unknown envelope attribute", mutate(EventType.BUILD_COMPLETED, e -> e.put("colour", "red")),
                        "colour: is not a known field here"),
                arguments("unknown data field", mutate(EventType.BUILD_COMPLETED, e -> data(e).put("branch", "main")),
                        "data.branch: is not a known field here"),
                arguments("value outside an enum", mutate(EventType.PROMOTION_REQUESTED, e -> data(e).put("reason", "MAYBE")),
                        "data.reason: 'MAYBE' is not one of [BUILD, VERIFIED, APPROVED, ROLLBACK, OVERRIDE]"),
                arguments("approved promotion without its approval",
                        mutate(EventType.PROMOTION_REQUESTED, e -> data(e).remove("approval")),
                        "data.approval: required but missing"),
                arguments("verified promotion without its verification", mutate(EventType.PROMOTION_REQUESTED, e -> {
                    data(e).put("reason", "VERIFIED");
                    data(e).remove("verifiedIn");
                }), "data.verifiedIn: required but missing"),
                arguments("failed check in a passed smoke test", mutate(EventType.SMOKETEST_PASSED,
                                e -> ((ObjectNode) data(e).get("checks").get(1)).put("result", "FAILED")),
                        "data.checks[1].result: must be 'PASSED' (was 'FAILED')"),
                arguments("failed smoke test without a failed check", mutate(EventType.SMOKETEST_FAILED,
                                e -> ((ObjectNode) data(e).get("checks").get(1)).put("result", "PASSED")),
                        "data.checks: has no item with result 'FAILED'"),
                arguments("override without its reason", mutate(EventType.APPROVAL_GRANTED,
                                e -> data(e).put("override", true)),
                        "data.overrideReason: required but missing"),
                arguments("subject that is not the release's service", mutate(EventType.BUILD_COMPLETED,
                                e -> e.put("subject", "other-service")),
                        "data.release.service: 'knative-lambda-builder' is not the subject 'other-service'"),
                arguments("data for another environment than the envelope", mutate(EventType.SMOKETEST_FAILED,
                                e -> data(e).put("environment", "staging")),
                        "data.environment: 'staging' is not the event's environment 'prod'"),
                arguments("approval expiring before it was requested", mutate(EventType.APPROVAL_REQUESTED,
                                e -> data(e).put("expiresAt", "2026-11-26T09:00:00Z")),
                        "data.expiresAt: '2026-11-26T09:00:00Z' is not after data.requestedAt"),
                arguments("opening expiring before it was received", mutate(EventType.APPROVAL_OPENED,
                                e -> data(e).put("expiresAt", "2026-11-26T09:21:41.260Z")),
                        "data.expiresAt: '2026-11-26T09:21:41.260Z' is not after time"),
                arguments("superseded block without the newer release", mutate(EventType.PROMOTION_BLOCKED,
                                e -> data(e).put("reason", "SUPERSEDED")),
                        "data.supersededBy: required but missing"),
                arguments("withdrawn approval ending without the reason", mutate(EventType.APPROVAL_EXPIRED, e -> {
                    data(e).put("reason", "WITHDRAWN");
                    data(e).remove("supersededBy");
                }), "data.message: required but missing"),
                arguments("withdrawal addressed to another environment than the envelope",
                        mutate(EventType.RELEASE_WITHDRAWN, e -> data(e).put("environment", "staging")),
                        "data.environment: 'staging' is not the event's environment 'prod'"),
                arguments("withdrawal without the environment that withdrew it",
                        mutate(EventType.RELEASE_WITHDRAWN, e -> data(e).remove("withdrawnIn")),
                        "data.withdrawnIn: required but missing"),
                arguments("lifted hold without a reason", mutate(EventType.HOLD_RELEASED, e -> data(e).remove("reason")),
                        "data.reason: required but missing"),
                arguments("lifted hold with a blank reason", mutate(EventType.HOLD_RELEASED,
                                e -> data(e).put("reason", "   ")),
                        "data.reason: "),
                arguments("lifted hold without who lifted it",
                        mutate(EventType.HOLD_RELEASED, e -> data(e).remove("releasedBy")),
                        "data.releasedBy: required but missing"),
                arguments("failed deployment with an unknown cause", mutate(EventType.DEPLOYMENT_FAILED,
                                e -> data(e).put("cause", "BAD_LUCK")),
                        "data.cause: 'BAD_LUCK' is not one of"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPayloads")
    void decodeRefusesABadPayloadNamingTheProblem(String whatIsWrong, byte[] payload, String expectedProblem) {
        assertThatThrownBy(() -> codec.decode(payload))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> {
                    assertThat(e.problems()).anySatisfy(problem -> assertThat(problem).contains(expectedProblem));
                    assertThat(e.getMessage()).contains(expectedProblem);
                });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPayloads")
    void problemsListsTheSameProblemWithoutThrowing(String whatIsWrong, byte[] payload, String expectedProblem) {
        assertThat(codec.problems(payload)).anySatisfy(problem -> assertThat(problem).contains(expectedProblem));
    }

    @Test
    void anEventAtTheSizeLimitIsNotRefusedForItsSize() {
        byte[] payload = padded(EventType.BUILD_COMPLETED, EventCodec.MAX_EVENT_BYTES);

        assertThat(codec.problems(payload)).isEmpty();
    }

    @Test
    void aBuildMayOmitCausationButNothingElseMay() {
        byte[] build = mutate(EventType.BUILD_COMPLETED, e -> e.remove("causationid"));

        assertThat(codec.problems(build)).isEmpty();
        for (EventType type : EventType.values()) {
            if (type != EventType.BUILD_COMPLETED) {
                assertThat(codec.problems(mutate(type, e -> e.remove("causationid")))).as(type.eventName())
                        .containsExactly("causationid: required but missing");
            }
        }
    }

    @Test
    void everyProblemIsReportedNotOnlyTheFirst() {
        byte[] payload = mutate(EventType.DEPLOYMENT_FAILED, e -> {
            e.remove("environment");
            data(e, "release").put("digest", "md5:0");
            data(e).put("attempts", 0);
        });

        assertThat(codec.problems(payload)).containsExactlyInAnyOrder(
                "environment: required but missing",
                "data.release.digest: does not match pattern " + DIGEST_PATTERN + " (was 'md5:0')",
                "data.attempts: must have a minimum value of 1");
    }

    @Test
    void damagedPayloadsAreRefusedWithAnInvalidEventExceptionNeverAnotherFailure() {
        Random random = new Random(20261126);
        for (EventType type : EventType.values()) {
            byte[] example = ExampleEventsTests.example(type);
            for (int i = 0; i < 60; i++) {
                byte[] damaged = example.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    damaged[random.nextInt(damaged.length)] = (byte) (32 + random.nextInt(95));
                }

                Throwable thrown = catchThrowable(() -> codec.decode(damaged));

                assertThat(thrown == null || thrown instanceof InvalidEventException)
                        .as("%s damaged as %s threw %s", type, new String(damaged, StandardCharsets.UTF_8), thrown)
                        .isTrue();
            }
        }
    }

    private static byte[] mutate(EventType type, Consumer<ObjectNode> change) {
        ObjectNode event = (ObjectNode) EventCodec.mapper().readTree(ExampleEventsTests.example(type));
        change.accept(event);
        return EventCodec.mapper().writeValueAsBytes(event);
    }

    private static ObjectNode data(ObjectNode event, String... path) {
        JsonNode node = event.get("data");
        for (String field : path) {
            node = node.get(field);
        }
        return (ObjectNode) node;
    }

    /** A valid example followed by blanks, {@code size} bytes in all. */
    private static byte[] padded(EventType type, int size) {
        byte[] example = ExampleEventsTests.example(type);
        byte[] payload = Arrays.copyOf(example, size);
        Arrays.fill(payload, example.length, size, (byte) ' ');
        return payload;
    }

    private static byte[] concat(byte[] json, String more) {
        byte[] tail = more.getBytes(StandardCharsets.UTF_8);
        byte[] payload = Arrays.copyOf(json, json.length + tail.length);
        System.arraycopy(tail, 0, payload, json.length, tail.length);
        return payload;
    }
}
