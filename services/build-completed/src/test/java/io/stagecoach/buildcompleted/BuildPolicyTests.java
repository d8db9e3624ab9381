package io.stagecoach.buildcompleted;

import static io.stagecoach.buildcompleted.TestBuilds.DIGEST_A;
import static io.stagecoach.buildcompleted.TestBuilds.DIGEST_B;
import static io.stagecoach.buildcompleted.TestBuilds.build;
import static io.stagecoach.buildcompleted.TestBuilds.release;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import io.stagecoach.buildcompleted.BuildDecision.AlreadyRegistered;
import io.stagecoach.buildcompleted.BuildDecision.Refuse;
import io.stagecoach.buildcompleted.BuildDecision.Register;
import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.Flags;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BuildPolicyTests {

    private static final String SOURCE = "/stagecoach/dev/build-completed";

    /** What the environment knows: registered releases (and so their promotion requests) and the services. */
    record Known(List<Release> registered, List<String> services, Map<Release, String> lifts)
            implements BuildPolicy.Knowledge {

        Known(List<Release> registered, List<String> services) {
            this(registered, services, Map.of());
        }

        @Override
        public Optional<String> lastLift(Release release) {
            return Optional.ofNullable(lifts.get(release));
        }

        @Override
        public boolean seen(String eventId) {
            Set<String> ids = new HashSet<>();
            registered.forEach(r -> ids.add(BuildPolicy.promotionId(BuildPolicy.runId(r), "dev")));
            return ids.contains(eventId);
        }

        @Override
        public Optional<Release> registered(String service, String version) {
            return registered.stream().filter(r -> r.service().equals(service) && r.version().equals(version))
                    .findFirst();
        }
    }

    private static final Flags OFF = Flags.of("""
            {"flags": {"checkout": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"}}}
            """);
    private static final Flags ON = Flags.of(OFF.content().replace("\"defaultVariant\": \"off\"",
            "\"defaultVariant\": \"on\""));

    static Stream<Arguments> decisions() {
        Release a = release("1.4.2", DIGEST_A);
        Release b = release("1.4.2", DIGEST_B);
        List<String> ours = List.of(TestBuilds.SERVICE);
        return Stream.of(
                Arguments.of("a first build", List.of(), ours, a, "register", null),
                Arguments.of("the same build again", List.of(a), ours, a, "already-registered", null),
                Arguments.of("another version", List.of(a), ours, release("1.4.3", DIGEST_B), "register", null),
                Arguments.of("the same version with another digest", List.of(a), ours, b, "refuse",
                        "version 1.4.2 of knative-lambda-builder was already built as digest " + DIGEST_A),
                Arguments.of("a service nobody promotes", List.of(), List.of("payments"), a, "refuse",
                        "service knative-lambda-builder is not one Stagecoach promotes (the environments file lists "
                                + "payments)"),
                Arguments.of("no list of services", List.of(), List.of(), a, "register", null),
                Arguments.of("a build with flags", List.of(), ours, a.withFlags(OFF), "register", null),
                Arguments.of("the same build with its flags again", List.of(a.withFlags(OFF)), ours,
                        a.withFlags(OFF), "already-registered", null),
                Arguments.of("a new version changing the flags alone", List.of(a.withFlags(OFF)), ours,
                        release("1.4.3", DIGEST_A).withFlags(ON), "register", null),
                Arguments.of("the same version with other flags", List.of(a.withFlags(OFF)), ours, a.withFlags(ON),
                        "refuse", "version 1.4.2 of knative-lambda-builder was already built with flags "
                                + OFF.digest() + "; a flag change is a new version"),
                Arguments.of("the same version with flags it was built without", List.of(a), ours, a.withFlags(ON),
                        "refuse", "version 1.4.2 of knative-lambda-builder was already built without flags; a flag "
                                + "change is a new version"),
                Arguments.of("flags whose digest is not their content's", List.of(), ours,
                        a.withFlags(new Flags(ON.digest(), OFF.content())), "refuse",
                        "its flags cannot be deployed: the flags' digest " + ON.digest() + " is not their content's ("
                                + OFF.digest() + ")"),
                Arguments.of("flags flagd would not read", List.of(), ours,
                        a.withFlags(Flags.of("{\"flags\": {\"f\": {\"state\": \"ENABLED\"}}}")), "refuse",
                        "its flags cannot be deployed: not a valid flagd flag file: "),
                Arguments.of("flags that are not JSON", List.of(), ours, a.withFlags(Flags.of("flags: on")), "refuse",
                        "its flags cannot be deployed: the flags are not JSON: "));
    }

    @ParameterizedTest(name = "{0} -> {4}")
    @MethodSource("decisions")
    void decidesOnABuild(String description, List<Release> registered, List<String> services, Release built,
            String expected, String reason) {
        BuildDecision decision = BuildPolicy.decide(build(built, "dev", "1"), new Known(registered, services), "dev",
                SOURCE);

        String kind = decision instanceof Register ? "register"
                : decision instanceof AlreadyRegistered ? "already-registered" : "refuse";
        assertThat(kind).isEqualTo(expected);
        if (decision instanceof Refuse refuse && reason.endsWith(": ")) {
            // what follows is the parser's or the schema's own words
            assertThat(refuse.reason()).startsWith(reason).hasSizeGreaterThan(reason.length());
        } else if (decision instanceof Refuse refuse) {
            assertThat(refuse.reason()).isEqualTo(reason);
        }
        assertThat(decision.events()).extracting(CloudEvent::routingKey).containsExactly(switch (expected) {
            case "register" -> new String[] {"promotion.requested.dev"};
            case "refuse" -> new String[] {"promotion.blocked.dev"};
            default -> new String[0];
        });
    }

    @Test
    void requestsThePromotionOfANewReleaseIntoTheFirstEnvironmentForTheBuild() {
        Release release = release("1.4.2", DIGEST_A);
        CloudEvent<BuildCompleted> build = build(release, "dev", "812");

        Register register = (Register) BuildPolicy.decide(build, new Known(List.of(), List.of()), "dev", SOURCE);

        CloudEvent<PromotionRequested> promotion = register.promotion();
        String runId = EventIds.derive(release.service(), release.version(), release.digest());
        assertThat(promotion.data()).isEqualTo(PromotionRequested.build(release, "dev"));
        assertThat(promotion.routingKey()).isEqualTo("promotion.requested.dev");
        assertThat(promotion.correlationid()).isEqualTo(runId);
        assertThat(promotion.causationid()).isEqualTo(build.id());
        assertThat(promotion.id()).isEqualTo(EventIds.derive(runId, "io.stagecoach.promotion.requested.v1", "dev"));
        assertThat(promotion.source()).isEqualTo(SOURCE);
        assertThat(new EventCodec().encode(promotion)).isNotEmpty();
    }

    @Test
    void aRetryOfTheSameBuildAfterItsHoldWasLiftedIsANewRequestInTheSameRun() {
        Release release = release("1.4.2", DIGEST_A);
        CloudEvent<BuildCompleted> build = build(release, "dev", "812");
        Known held = new Known(List.of(release), List.of());
        assertThat(BuildPolicy.decide(build, held, "dev", SOURCE)).isInstanceOf(AlreadyRegistered.class);

        Known lifted = new Known(List.of(release), List.of(), Map.of(release, "lift-1"));
        Register retry = (Register) BuildPolicy.decide(build, lifted, "dev", SOURCE);
        Register again = (Register) BuildPolicy.decide(build, new Known(List.of(release), List.of(),
                Map.of(release, "lift-2")), "dev", SOURCE);

        String runId = BuildPolicy.runId(release);
        assertThat(retry.promotion().id()).isNotEqualTo(BuildPolicy.promotionId(runId, "dev"))
                .isEqualTo(BuildPolicy.promotionId(runId, "dev", Optional.of("lift-1")))
                .isNotEqualTo(again.promotion().id());
        assertThat(retry.promotion().correlationid()).isEqualTo(runId);
        // once the new request was published, the same retry is a duplicate again
        BuildPolicy.Knowledge published = new BuildPolicy.Knowledge() {
            @Override
            public boolean seen(String eventId) {
                return eventId.equals(retry.promotion().id()) || held.seen(eventId);
            }

            @Override
            public Optional<Release> registered(String service, String version) {
                return lifted.registered(service, version);
            }

            @Override
            public List<String> services() {
                return List.of();
            }

            @Override
            public Optional<String> lastLift(Release built) {
                return lifted.lastLift(built);
            }
        };
        assertThat(BuildPolicy.decide(build, published, "dev", SOURCE)).isInstanceOf(AlreadyRegistered.class);
    }

    @Test
    void twoBuildEventsOfOneReleaseRequestTheSamePromotion() {
        Release release = release("1.4.2", DIGEST_A);
        Known nothing = new Known(List.of(), List.of());

        Register first = (Register) BuildPolicy.decide(build(release, "dev", "812"), nothing, "dev", SOURCE);
        Register second = (Register) BuildPolicy.decide(build(release, "dev", "813"), nothing, "dev", SOURCE);

        assertThat(first.promotion().id()).isEqualTo(second.promotion().id());
        assertThat(first.promotion().causationid()).isNotEqualTo(second.promotion().causationid());
    }
}
