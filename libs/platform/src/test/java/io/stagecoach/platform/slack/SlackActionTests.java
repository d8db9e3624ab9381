package io.stagecoach.platform.slack;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A click as Slack posts it to an app's interactivity URL: who clicked comes from the signed payload. */
class SlackActionTests {

    @Test
    void readsTheClickOfARecordedBlockActionsBody() throws Exception {
        String body;
        try (var in = SlackActionTests.class.getResourceAsStream("/slack/block_actions.form")) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        SlackAction click = SlackAction.parse(body);

        assertThat(click).isEqualTo(new SlackAction("T1DC2JH3J", "U2CERLKJA", "roadrunner", SlackAction.APPROVE,
                "6f1c1f0e-2d7e-4b59-9a0e-0c6b2f7f8a11", "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
                "https://hooks.slack.com/actions/T1DC2JH3J/548254312130/BAdxqXdKGdiFpAmGRwGfLgMd", "C0LAN2Q65",
                "1548261231.000200"));
        assertThat(click.person()).isEqualTo("T1DC2JH3J/U2CERLKJA");
    }

    @Test
    void saysWhatIsMissingFromABodyThatIsNotAClick() {
        assertThatThrownBy(() -> SlackAction.parse("token=x&team_id=T1")).hasMessage("no payload field in the form body");
        assertThatThrownBy(() -> SlackAction.parse("payload=%7Bnot")).hasMessageStartingWith("the payload is not JSON");
        assertThatThrownBy(() -> SlackAction.parse("payload=%7B%22type%22%3A%22view_submission%22%7D"))
                .hasMessage("the payload is not a block_actions interaction (type view_submission)");
        assertThatThrownBy(() -> SlackAction.parse("payload=%7B%22type%22%3A%22block_actions%22%7D"))
                .hasMessageStartingWith("the payload has no ");
    }
}
