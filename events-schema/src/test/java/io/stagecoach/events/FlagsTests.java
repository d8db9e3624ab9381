package io.stagecoach.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The flags a release carries: content-addressed, checked as flagd reads them, carried by every event unchanged. */
class FlagsTests {

    private static final String OFF = """
            {"flags": {"new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false},
              "defaultVariant": "off", "targeting": {"fractional": [["on", 10], ["off", 90]]}}}}
            """;

    private final EventCodec codec = new EventCodec();

    @Test
    void theDigestIsTheSha256OfTheContentsUtf8Bytes() throws Exception {
        String content = "{\"flags\": {}}\n// é";
        String expected = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(content.getBytes(StandardCharsets.UTF_8)));

        assertThat(Flags.of(content).digest()).isEqualTo(expected);
        assertThat(Flags.of(content).shortDigest()).isEqualTo(expected.substring(7, 19));
    }

    @Test
    void validFlagsHaveNoProblems() {
        assertThat(Flags.of(OFF).problems()).isEmpty();
    }

    @Test
    void flagsAreRefusedForWhatFlagdWouldRefuseAndForADigestThatIsNotTheirContents() {
        Flags other = Flags.of(OFF.replace("[\"on\", 10], [\"off\", 90]", "[\"on\", 50], [\"off\", 50]"));

        assertThat(new Flags(other.digest(), OFF).problems()).containsExactly("the flags' digest " + other.digest()
                + " is not their content's (" + Flags.of(OFF).digest() + ")");
        assertThat(Flags.of("flags: on").problems()).singleElement().asString().startsWith("the flags are not JSON: ");
        assertThat(Flags.of("{\"flags\": {\"f\": {\"state\": \"ENABLED\"}}}").problems()).isNotEmpty()
                .allSatisfy(problem -> assertThat(problem).startsWith("not a valid flagd flag file: "));
        assertThat(Flags.of(OFF.replace("[\"on\", 10]", "[\"all\", 10]")).problems()).containsExactly(
                "flag 'new-checkout' rolls out variant 'all' in a fractional rule, which it does not have (its "
                        + "variants: on, off)");
        assertThat(Flags.of(OFF.replace("\"defaultVariant\": \"off\"", "\"defaultVariant\": \"maybe\"")).problems())
                .containsExactly("flag 'new-checkout' defaults to variant 'maybe', which it does not have (its "
                        + "variants: on, off)");
        assertThat(Flags.of(" ").problems()).containsExactly("the flags have no content");
        assertThat(Flags.of("{\"flags\": {}, \"pad\": \"" + "x".repeat(Flags.MAX_CONTENT) + "\"}").problems())
                .singleElement().asString().contains("more than " + Flags.MAX_CONTENT);
    }

    @Test
    void aReleaseWithFlagsRoundTripsAndEveryEventCarriesThemByteForByte() {
        Release release = SampleEvents.RELEASE.withFlags(Flags.of(OFF));
        CloudEvent<PromotionRequested> event = event(release);

        byte[] json = codec.encode(event);

        CloudEvent<PromotionRequested> decoded = codec.decode(json, PromotionRequested.class);
        assertThat(decoded.data().release().flags()).isEqualTo(Flags.of(OFF));
        assertThat(decoded.data().release().flags().content()).isEqualTo(OFF);
        assertThat(decoded.data().release().sameBuildAs(release)).isTrue();
        assertThat(decoded.data().release().sameBuildAs(SampleEvents.RELEASE)).as("other flags, another build")
                .isFalse();
    }

    @Test
    void aReleaseWithoutFlagsIsWrittenWithoutTheField() {
        CloudEvent<PromotionRequested> event = event(SampleEvents.RELEASE);

        assertThat(new String(codec.encode(event), StandardCharsets.UTF_8)).doesNotContain("flags");
    }

    @Test
    void theSchemaRefusesFlagsWithoutContentOrWithADigestOfAnotherShape() {
        String valid = new String(codec.encode(event(SampleEvents.RELEASE.withFlags(Flags.of(OFF)))),
                StandardCharsets.UTF_8);
        String badDigest = valid.replace(Flags.of(OFF).digest(), "md5:abc");

        InvalidEventException invalid = catchThrowableOfType(InvalidEventException.class,
                () -> codec.decode(badDigest.getBytes(StandardCharsets.UTF_8), PromotionRequested.class));

        assertThat(invalid.problems()).anySatisfy(problem -> assertThat(problem).startsWith(
                "data.release.flags.digest: does not match pattern"));
    }

    private static CloudEvent<PromotionRequested> event(Release release) {
        String run = EventIds.derive(release.service(), release.version(), release.digest());
        return CloudEvent.of(PromotionRequested.build(release, "dev"), "/stagecoach/dev/build-completed", "dev", run,
                EventIds.derive("build", run), EventIds.derive(run, "promotion", "dev"));
    }
}
