package io.stagecoach.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Arguments a user gets wrong, and a broker that is not there: what the command says and how it exits. */
class UsageTests {

    static final String IMAGE = "--image=ghcr.io/acme/knative-lambda-builder@" + Events.digest("1.0.0");
    static final String REQUEST = "1f0c6a4e-3b5d-5e7f-9a1b-2c3d4e5f6a7b";
    /** Nothing listens on port 1: connecting is refused at once. */
    static final Map<String, String> NO_BROKER = Map.of("STAGECOACH_AMQP_URI", "amqp://127.0.0.1:1",
            "STAGECOACH_MANAGEMENT_URL", "http://127.0.0.1:1");

    @TempDir
    Path workingDirectory;

    Cli.Result run(String... args) {
        return new Cli(NO_BROKER, workingDirectory).run(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"build", "approve", "reject", "status", "rollback", "audit", "watch", "provision", "lint",
            "up", "down", "demo", "bench"})
    void everyCommandHasHelpWithExamplesAndExitCodes(String command) {
        Cli.Result result = run(command, "--help");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).contains("Usage: stagecoach " + command, "Examples:", "Exit status:",
                "2  usage error", "3  RabbitMQ unreachable");
    }

    @Test
    void benchReplayHasHelpWithExamplesAndExitCodes() {
        Cli.Result result = run("bench", "replay", "--help");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).contains("Usage: stagecoach bench replay", "--records", "--tail", "Examples:",
                "Exit status:", "3  RabbitMQ unreachable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--records=0", "--services=0", "--tail=-1"})
    void benchReplayRefusesCountsItCannotUse(String option) {
        Cli.Result result = run("bench", "replay", option);

        assertThat(result.status()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains(option.substring(0, option.indexOf('=')) + " must be");
    }

    @Test
    void theDemoWithNoBrokerAndNoDockerEngineSaysHowToGetOne() {
        Map<String, String> env = new java.util.HashMap<>(NO_BROKER);
        env.put("STAGECOACH_REPOSITORY", Path.of("../..").toAbsolutePath().normalize().toString());
        Cli.Result result = new Cli(env, workingDirectory).run("demo", "--no-build");

        assertThat(result.status()).as(result.toString()).isEqualTo(3);
        assertThat(result.err()).contains("Cannot reach the RabbitMQ management API at http://127.0.0.1:1",
                "rabbitmq-server -detached", "no Docker engine either");
    }

    @Test
    void noCommandIsAUsageErrorListingTheCommands() {
        Cli.Result result = run();

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("Missing command", "build", "approve", "status", "demo");
    }

    @Test
    void aMistypedCommandSuggestsTheRightOne() {
        Cli.Result result = run("staus");

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("Unmatched argument", "staus", "status");
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of(new String[] {"build", "--service", "s"}, "Missing required options"),
                Arguments.of(new String[] {"build", "--service", "knative-lambda-builder", "--version", "1.0.0",
                        "--image", "ghcr.io/acme/knative-lambda-builder:1.0.0", "--commit", Events.COMMIT, "--author",
                        "jane"}, "names no digest"),
                Arguments.of(new String[] {"build", "--service", "knative-lambda-builder", "--version", "v1.0",
                        IMAGE, "--commit", Events.COMMIT, "--author", "jane"}, "--version (data.release.version)"),
                Arguments.of(new String[] {"build", "--service", "knative-lambda-builder", "--version", "1.0.0",
                        "--image=ghcr.io/acme/knative-lambda-builder@sha256:abc", "--commit", Events.COMMIT,
                        "--author", "jane"}, "--image (data.release.digest)"),
                Arguments.of(new String[] {"build", "--service", "knative-lambda-builder", "--version", "1.0.0", IMAGE,
                        "--commit", Events.COMMIT, "--author", "jane", "--wait", "--timeout", "soon"},
                        "'soon' is not a duration"),
                Arguments.of(new String[] {"build", "--service", "knative-lambda-builder", "--version", "1.0.0", IMAGE,
                        "--commit", Events.COMMIT, "--author", "jane", "--timeout", "5m"},
                        "--timeout only applies with --wait"),
                Arguments.of(new String[] {"build", "--service", "knative-lambda-builder", "--version", "1.0.0", IMAGE,
                        "--commit", Events.COMMIT, "--author", "jane", "--amqp-uri", "http://localhost"},
                        "the scheme must be amqp or amqps"),
                Arguments.of(new String[] {"approve", REQUEST}, "Missing required option: '--as=PERSON'"),
                Arguments.of(new String[] {"approve", "--as", "alice"}, "Missing required parameter: 'REQUEST-ID'"),
                Arguments.of(new String[] {"approve", "not-a-request", "--as", "alice"}, "is not a request id"),
                Arguments.of(new String[] {"approve", REQUEST, "--as", "alice", "--override"}, "--override needs --reason"),
                Arguments.of(new String[] {"approve", REQUEST, "--as", "alice", "--env", "qa"}, "unknown environment 'qa'"),
                Arguments.of(new String[] {"approve", REQUEST, "--as", "alice", "--env", "staging"},
                        "has an automatic gate"),
                Arguments.of(new String[] {"reject", REQUEST, "--as", "alice"}, "Missing required option: '--reason=TEXT'"),
                Arguments.of(new String[] {"rollback", "--service", "knative-lambda-builder"},
                        "Missing required option: '--env=ENV'"),
                Arguments.of(new String[] {"rollback", "--env", "prd", "--service", "knative-lambda-builder"},
                        "unknown environment 'prd'; classpath:/io/stagecoach/platform/environments.yaml defines dev, staging, prod"),
                Arguments.of(new String[] {"audit"}, "Missing required option: '--env=ENV'"),
                Arguments.of(new String[] {"audit", "--env", "dev", "--since", "yesterday"},
                        "neither a duration (90s, 10m, 1h, 2d) nor a time"),
                Arguments.of(new String[] {"watch", "--count", "0"}, "--count must be 1 or more"),
                Arguments.of(new String[] {"status", "--environments", "missing.yaml"}, "the file does not exist"),
                Arguments.of(new String[] {"status", "--vhost-prefix", "Bad_Prefix"}, "--vhost-prefix"),
                Arguments.of(new String[] {"lint", "no-such-directory"}, "is not a directory"),
                Arguments.of(new String[] {"lint", ".", "--render", "helm"}, "--render"),
                Arguments.of(new String[] {"provision", "--management-url", "::"}, "Invalid management URL"),
                Arguments.of(new String[] {"status", "--no-such-option"}, "Unknown option: '--no-such-option'"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void badArgumentsExitTwoSayingWhatIsWrong(String[] args, String message) {
        Cli.Result result = run(args);

        assertThat(result.status()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains(message).contains("Try 'stagecoach " + args[0] + " --help'");
        assertThat(result.out()).doesNotContain("Published");
    }

    static Stream<Arguments> brokerCommands() {
        return Stream.of(
                Arguments.of((Object) new String[] {"build", "--service", "knative-lambda-builder", "--version", "1.0.0",
                        IMAGE, "--commit", Events.COMMIT, "--author", "jane"}),
                Arguments.of((Object) new String[] {"approve", REQUEST, "--as", "alice"}),
                Arguments.of((Object) new String[] {"reject", REQUEST, "--as", "alice", "--reason", "no"}),
                Arguments.of((Object) new String[] {"status"}),
                Arguments.of((Object) new String[] {"rollback", "--env", "prod", "--service", "knative-lambda-builder"}),
                Arguments.of((Object) new String[] {"audit", "--env", "prod"}),
                Arguments.of((Object) new String[] {"watch"}));
    }

    @ParameterizedTest
    @MethodSource("brokerCommands")
    void anUnreachableBrokerExitsThreeSayingWhatToTry(String[] args) {
        Cli.Result result = run(args);

        assertThat(result.status()).as(result.toString()).isEqualTo(3);
        assertThat(result.err()).contains("cannot reach RabbitMQ at amqp://127.0.0.1:1", "is it running?",
                "rabbitmq-server -detached", "STAGECOACH_AMQP_URI");
    }

    @Test
    void provisionAgainstAnUnreachableManagementApiExitsThree() {
        Cli.Result result = run("provision");

        assertThat(result.status()).as(result.toString()).isEqualTo(3);
        assertThat(result.err()).contains("Cannot reach the RabbitMQ management API at http://127.0.0.1:1");
    }
}
