package io.stagecoach.buildcompleted;

import static io.stagecoach.buildcompleted.TestBuilds.DIGEST_A;
import static io.stagecoach.buildcompleted.TestBuilds.DIGEST_B;
import static io.stagecoach.buildcompleted.TestBuilds.build;
import static io.stagecoach.buildcompleted.TestBuilds.release;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.stagecoach.buildcompleted.BuildDecision.AlreadyRegistered;
import io.stagecoach.buildcompleted.BuildDecision.Refuse;
import io.stagecoach.buildcompleted.BuildDecision.Register;
import io.stagecoach.buildcompleted.BuildPolicyTests.Known;
import io.stagecoach.events.PromotionBlocked;
import io.stagecoach.events.Release;
import org.junit.jupiter.api.Test;

/** What each decision announces: the handler publishes exactly these events. */
class BuildDecisionTests {

    private static final String SOURCE = "/stagecoach/dev/build-completed";

    @Test
    void aNewReleaseAnnouncesItsPromotionRequest() {
        Register register = (Register) BuildPolicy.decide(build(release("1.4.2", DIGEST_A), "dev", "812"),
                new Known(List.of(), List.of()), "dev", SOURCE);

        assertThat(register.events()).containsExactly(register.promotion());
    }

    @Test
    void aBuildRegisteredBeforeAnnouncesNothing() {
        Release release = release("1.4.2", DIGEST_A);

        AlreadyRegistered registered = (AlreadyRegistered) BuildPolicy.decide(build(release, "dev", "813"),
                new Known(List.of(release), List.of()), "dev", SOURCE);

        assertThat(registered.events()).isEmpty();
    }

    @Test
    void aRefusedBuildAnnouncesTheBlockThatEndsItsRun() {
        Refuse refuse = (Refuse) BuildPolicy.decide(build(release("1.4.2", DIGEST_B), "dev", "814"),
                new Known(List.of(release("1.4.2", DIGEST_A)), List.of()), "dev", SOURCE);

        assertThat(refuse.events()).containsExactly(refuse.block());
        assertThat(refuse.block().data().reason()).isEqualTo(PromotionBlocked.Reason.BUILD_REFUSED);
        assertThat(refuse.block().correlationid()).isEqualTo(BuildPolicy.runId(release("1.4.2", DIGEST_B)));
    }
}
