package io.stagecoach.cli;

import io.stagecoach.events.BuildCompleted;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventCodec;
import io.stagecoach.platform.audit.AuditMessage;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@RealBroker
class BuildCommandTests {

    static Cli cli;
    static Streams streams;

    @BeforeAll
    static void provision(TestBroker broker, @TempDir Path workingDirectory) {
        cli = Cli.against(broker, workingDirectory);
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        streams = new Streams(broker, Environments.loadDefault().withVhostPrefix(broker.prefix()));
    }

    static String[] build(String version, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("build", "--service", Events.SERVICE, "--version", version,
                "--image", Events.IMAGE + "@" + Events.digest(version), "--commit", Events.COMMIT, "--author", "jane"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void publishesExactlyOneValidBuildIntoTheFirstEnvironmentAsItsCiUser() throws Exception {
        Cli.Result result = cli.run(build("1.0.0", "--build-url", "https://ci.example.com/acme/builds/812"));

        assertThat(result.status()).as(result.toString()).isZero();
        List<AuditMessage> builds = streams.audit("dev").stream()
                .filter(m -> m.routingKey().equals("build.completed.dev")).toList();
        assertThat(builds).hasSize(1);
        AuditMessage message = builds.get(0);
        assertThat(message.userId()).endsWith("-dev-ci");
        CloudEvent<?> event = new EventCodec().decode(message.body());
        assertThat(event.data()).isEqualTo(new BuildCompleted(Events.release("1.0.0"),
                "https://ci.example.com/acme/builds/812"));
        assertThat(event.correlationid()).isEqualTo(Events.run(Events.release("1.0.0")));
        assertThat(message.messageId()).isEqualTo(event.id());
        assertThat(result.out()).contains("Published build.completed.dev for knative-lambda-builder 1.0.0",
                "run " + event.correlationid());
    }

    @Test
    void publishingTheSameBuildAgainRepeatsTheSameEventId() throws Exception {
        cli.run(build("1.1.0"));
        cli.run(build("1.1.0"));

        List<String> ids = streams.audit("dev").stream()
                .filter(m -> m.routingKey().equals("build.completed.dev"))
                .map(m -> new EventCodec().decode(m.body()))
                .filter(e -> ((BuildCompleted) e.data()).release().version().equals("1.1.0"))
                .map(CloudEvent::id).distinct().toList();
        assertThat(ids).hasSize(1);
    }

    @Test
    void anInvalidBuildIsNeverSent() throws Exception {
        int before = streams.audit("dev").size();

        Cli.Result result = cli.run("build", "--service", Events.SERVICE, "--version", "2.0.0", "--image",
                Events.IMAGE + "@sha256:" + "A".repeat(64), "--commit", "abc", "--author", "jane");

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("nothing was sent", "--image (data.release.digest)",
                "--commit (data.release.commit)");
        assertThat(streams.audit("dev")).hasSize(before);
    }

    @Test
    void aBuildCarriesItsFlagsFileByteForByteAndFlagsFlagdWouldRefuseAreNeverSent(@TempDir Path dir)
            throws Exception {
        Path good = dir.resolve("checkout.flagd.json");
        String content = "{\"flags\": {\"new-checkout\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, "
                + "\"off\": false}, \"defaultVariant\": \"off\"}}}\n";
        java.nio.file.Files.writeString(good, content);
        Path bad = dir.resolve("bad.flagd.json");
        java.nio.file.Files.writeString(bad, content.replace("\"defaultVariant\": \"off\"",
                "\"defaultVariant\": \"maybe\""));
        int before = streams.audit("dev").size();

        Cli.Result refused = cli.run(build("1.5.0", "--flags", bad.toString()));
        Cli.Result missing = cli.run(build("1.5.0", "--flags", dir.resolve("none.json").toString()));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).contains("--flags " + bad + " cannot be deployed: flag 'new-checkout' defaults to "
                + "variant 'maybe', which it does not have", "flagd.dev");
        assertThat(missing.status()).as(missing.toString()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot be read", "NoSuchFileException");
        assertThat(streams.audit("dev")).hasSize(before);

        Cli.Result result = cli.run(build("1.5.0", "--flags", good.toString()));

        assertThat(result.status()).as(result.toString()).isZero();
        CloudEvent<?> event = streams.audit("dev").stream()
                .filter(m -> m.routingKey().equals("build.completed.dev"))
                .map(m -> new EventCodec().decode(m.body()))
                .filter(e -> ((BuildCompleted) e.data()).release().version().equals("1.5.0")).findFirst().orElseThrow();
        assertThat(((BuildCompleted) event.data()).release().flags())
                .isEqualTo(io.stagecoach.events.Flags.of(content));
    }

    @Test
    void aWrongPasswordIsRefusedWithExitThree() {
        Cli.Result result = cli.with("STAGECOACH_PASSWORD", "wrong").run(build("1.2.0"));

        assertThat(result.status()).as(result.toString()).isEqualTo(3);
        assertThat(result.err()).contains("refused user", "-dev-ci", "wrong user name or password");
    }

    @Test
    void aVhostThatDoesNotExistIsRefusedWithExitThree() {
        Cli.Result result = cli.with("STAGECOACH_VHOST_PREFIX", "nowhere").with("STAGECOACH_USER", "guest")
                .with("STAGECOACH_PASSWORD", "guest").run(build("1.2.0"));

        assertThat(result.status()).as(result.toString()).isEqualTo(3);
        assertThat(result.err()).contains("on vhost nowhere-dev", "run `stagecoach provision`");
    }

    @Test
    void anotherRolesUserMayNotPublishBuildsAndExitsThree() {
        Cli.Result result = cli.with("STAGECOACH_USER", cli.prefix() + "-dev-operator")
                .with("STAGECOACH_PASSWORD", cli.prefix() + "-dev-operator-local-only").run(build("1.3.0"));

        assertThat(result.status()).as(result.toString()).isEqualTo(3);
        assertThat(result.err()).contains("403", "ACCESS_REFUSED");
    }
}
