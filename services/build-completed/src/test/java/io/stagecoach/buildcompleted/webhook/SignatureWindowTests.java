package io.stagecoach.buildcompleted.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SignatureWindowTests {

    private static final long NOW = 1_800_000_000L;
    private static final SignatureWindow WINDOW = new SignatureWindow(Duration.ofMinutes(5),
            Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

    @ParameterizedTest(name = "sent {0} s from now -> inside: {1}")
    @CsvSource({"0, true", "-300, true", "300, true", "-301, false", "301, false", "-86400, false",
            "-1800000000, false"})
    void acceptsTimestampsWithinFiveMinutesEitherWay(long offset, boolean inside) {
        assertThat(WINDOW.outside(Long.toString(NOW + offset)).isEmpty()).isEqualTo(inside);
    }

    @Test
    void sayHowFarOffATimestampIs() {
        assertThat(WINDOW.outside(Long.toString(NOW - 400))).hasValueSatisfying(
                why -> assertThat(why).contains("is 400 s old").contains("300 s either side"));
        assertThat(WINDOW.outside(Long.toString(NOW + 400))).hasValueSatisfying(
                why -> assertThat(why).contains("is 400 s ahead").contains("check the sender's clock"));
    }

    @Test
    void aDeliveryMustBeRememberedForTwiceTheWindowSoTheAuditStreamMustKeepItLonger() {
        assertThat(WINDOW.memory()).isEqualTo(Duration.ofMinutes(10));
        WINDOW.requireRetention("dev", Duration.ofDays(7));
        assertThatThrownBy(() -> WINDOW.requireRetention("dev", Duration.ofMinutes(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("audit retention of dev (PT10M)")
                .hasMessageContaining("stagecoach.webhook.signature-window (PT5M)");
        assertThatThrownBy(() -> new SignatureWindow(Duration.ZERO, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
