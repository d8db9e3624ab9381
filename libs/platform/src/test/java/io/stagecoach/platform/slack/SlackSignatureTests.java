package io.stagecoach.platform.slack;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Slack's request signing, checked against Slack's own published example. */
class SlackSignatureTests {

    // https://api.slack.com/authentication/verifying-requests-from-slack, "a walk-through"
    static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String TIMESTAMP = "1531420618";
    static final String BODY = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
            + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
            + "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J"
            + "%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121"
            + ".803a0bc887a14d10d2c447fce8b6703c";
    static final String SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    static final Instant SENT = Instant.ofEpochSecond(1531420618);

    @Test
    void signsSlacksPublishedExampleAsSlackDoes() {
        assertThat(SlackSignature.sign(SECRET, TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
        assertThat(SlackSignature.problem(SECRET, TIMESTAMP, BODY, SIGNATURE, SENT.plusSeconds(299),
                SlackSignature.WINDOW)).isEmpty();
    }

    @Test
    void refusesAnotherBodyAnotherSecretAndATimeOutsideTheWindow() {
        assertThat(SlackSignature.problem(SECRET, TIMESTAMP, BODY.replace("U2CERLKJA", "U2CERLKJB"), SIGNATURE, SENT,
                SlackSignature.WINDOW)).contains("the signature is not the app's signature of this body");
        assertThat(SlackSignature.problem("another-secret", TIMESTAMP, BODY, SIGNATURE, SENT, SlackSignature.WINDOW))
                .isPresent();
        assertThat(SlackSignature.problem(SECRET, "1531420619", BODY, SIGNATURE, SENT, SlackSignature.WINDOW))
                .as("the timestamp is signed too").isPresent();
        assertThat(SlackSignature.problem(SECRET, TIMESTAMP, BODY, SIGNATURE, SENT.plus(Duration.ofSeconds(301)),
                SlackSignature.WINDOW)).get().asString().contains("more than the 300 s a signature holds");
        assertThat(SlackSignature.problem(SECRET, TIMESTAMP, BODY, SIGNATURE, SENT.minus(Duration.ofSeconds(301)),
                SlackSignature.WINDOW)).as("from the future").isPresent();
        assertThat(SlackSignature.problem(SECRET, TIMESTAMP, BODY, SIGNATURE.toUpperCase(), SENT,
                SlackSignature.WINDOW)).contains("no Slack v0 signature (v0= and 64 hex digits)");
        assertThat(SlackSignature.problem(SECRET, "yesterday", BODY, SIGNATURE, SENT, SlackSignature.WINDOW))
                .contains("no Slack request timestamp (Unix seconds)");
    }
}
