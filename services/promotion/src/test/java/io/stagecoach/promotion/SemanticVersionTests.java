package io.stagecoach.promotion;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class SemanticVersionTests {

    @ParameterizedTest(name = "{0} older than {1}: {2}")
    @CsvSource({
            "1.0.0,       1.0.1,        true",
            "1.0.1,       1.0.0,        false",
            "1.9.0,       1.10.0,       true",
            "1.1.0-bad,   1.1.0,        true",
            "1.1.0,       1.1.0-bad,    false",
            "1.1.0-alpha, 1.1.0-alpha.1, true",
            "1.1.0-alpha.1, 1.1.0-alpha.beta, true",
            "1.1.0-beta.2, 1.1.0-beta.11, true",
            "1.1.0-rc.1,  1.1.0-beta.11, false",
            "1.1.0+build.2, 1.1.0+build.1, false",
            "1.1.0,       1.1.0,        false",
            "2.0.0,       10.0.0,       true",
            "1.0.0,       latest,       false",
            "latest,      1.0.0,        false",
            "v1.0.0,      1.0.1,        true",
    })
    void ordersVersionsBySemanticVersioningPrecedence(String candidate, String reference, boolean older) {
        assertThat(SemanticVersion.isOlder(candidate, reference)).isEqualTo(older);
    }

    @ParameterizedTest
    @CsvSource({"1.2.3, true", "1.2.3-rc.1+b5, true", "v1.2.3, false", "1.2, false", "01.2.3, false"})
    void knowsWhichVersionsEventsMayCarry(String text, boolean strict) {
        assertThat(SemanticVersion.isStrict(text)).isEqualTo(strict);
    }
}
