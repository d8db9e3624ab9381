package io.stagecoach.cli;

import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code stagecoach bench} against a pipeline {@code up} started: with two promoted services every build reaches
 * the prod gate and the report has every figure; with one, approved at the gate and with a failing build, every
 * limit is measured. Nothing here depends on how fast it is. Runs after {@code package} (failsafe).
 */
@RealBroker
class BenchEndToEndTests {

    static final Path REPOSITORY = ProvisionAndLintTests.REPOSITORY;

    @BeforeAll
    static void buildThePipeline(@TempDir Path build) throws Exception {
        LocalPipelineJar.current(build.resolve("build.log"));
    }

    @Test
    void twoBuildsOfTwoServicesEachReachTheProdGateAndEveryFigureIsReported(TestBroker broker, @TempDir Path home)
            throws Exception {
        Path file = home.resolve("two.yaml");
        Files.writeString(file, BenchCommand.withServices(
                Files.readString(REPOSITORY.resolve("deploy/environments.yaml")),
                List.of("knative-lambda-builder", "service-2")));
        Cli cli = UpEndToEndTests.cli(broker, broker.name("bench"))
                .with(EnvironmentOptions.FILE_VARIABLE, file.toString());
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        Path pipelineHome = home.resolve("home");
        Cli.Result up = cli.run("up", "--home", pipelineHome.toString(), "--no-build");
        assertThat(up.status()).as(up.toString()).isZero();
        long pid = UpEndToEndTests.pipelineJson(pipelineHome).path("pid").asLong();
        Cli.Result bench;
        try {
            // a build of a service every 10 s: each passes an environment before the next of its service comes
            bench = cli.run("bench", "--home", pipelineHome.toString(), "--builds", "2", "--rate", "0.2",
                    "--timeout", "4m", "--raw-messages", "300", "--json", home.resolve("bench.json").toString());
            System.out.println("[bench]\n" + bench.out() + bench.err());
        } finally {
            UpEndToEndTests.down(cli, pipelineHome, pid);
        }

        assertThat(bench.status()).as(bench.toString()).isZero();
        assertThat(bench.out())
                .contains("Sending 4 builds (2 services x 2) at 0.2 builds/s to the prod gate")
                .containsPattern("\\[\\d+:\\d\\d\\] published \\d/4, at the gate \\d, stopped 0, on the way \\d")
                .contains("4 builds: 4 at the end of the way, 0 stopped, 0 timed out")
                .containsSubsequence("hop", "n   p50 ms   p99 ms   max ms",
                        "build.completed (dev) -> promotion.requested (dev)",
                        "promotion.requested (dev) -> deployment.completed (dev)",
                        "deployment.completed (dev) -> smoketest.passed (dev)",
                        "smoketest.passed (dev) -> promotion.requested (staging)",
                        "promotion.requested (staging) -> deployment.completed (staging)",
                        "deployment.completed (staging) -> smoketest.passed (staging)",
                        "smoketest.passed (staging) -> approval.requested (prod)",
                        "whole way", "any one hop",
                        "sustained: ", "builds/s to the end of the way (4 in ",
                        "settled: ", "builds/s to the end of the way or stopped on it", "(4 in ",
                        "connections opened on the broker during the run: ",
                        "pipeline process: pid " + pid + ", ",
                        "raw broker (quorum queue, 1 KB persistent, one confirm outstanding, 300 messages): p50 ",
                        "pipeline hop p50 / raw broker p50: ")
                .containsPattern("(?m)^whole way +4 +\\d+ +\\d+ +\\d+$")
                .doesNotContain("stopped:", "timed out:");

        JsonNode json = JsonMapper.builder().build().readTree(Files.readString(home.resolve("bench.json")));
        assertThat(json.path("builds").asInt()).isEqualTo(4);
        assertThat(json.path("arrived").asInt()).isEqualTo(4);
        assertThat(json.path("settledPerSecond").asDouble()).isPositive();
        assertThat(json.path("hopsMillis")).hasSize(7)
                .allSatisfy(hop -> assertThat(hop.path("n").asInt()).isEqualTo(4));
        assertThat(json.path("wholeWayMillis").path("n").asInt()).isEqualTo(4);
        assertThat(json.path("rawBrokerMillis").path("p50").asDouble()).isPositive();
        assertThat(json.path("pipeline").path("pid").asLong()).isEqualTo(pid);
    }

    @Test
    void approvedAndWithAFailingBuildEveryLimitIsMeasured(TestBroker broker, @TempDir Path home) throws Exception {
        Cli cli = UpEndToEndTests.cli(broker, broker.name("limits"));
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        Path pipelineHome = home.resolve("home");
        // a short smoke deadline: the failing build's checks retry until it ends
        Cli.Result up = cli.run("up", "--home", pipelineHome.toString(), "--no-build", "--smoke-deadline", "5s");
        assertThat(up.status()).as(up.toString()).isZero();
        long pid = UpEndToEndTests.pipelineJson(pipelineHome).path("pid").asLong();
        Cli.Result bench;
        try {
            bench = cli.run("bench", "--home", pipelineHome.toString(), "--builds", "2", "--rate", "1",
                    "--approve", "--failing", "1", "--timeout", "4m", "--raw-messages", "0",
                    "--json", home.resolve("bench.json").toString());
            System.out.println("[bench --approve --failing 1]\n" + bench.out() + bench.err());
        } finally {
            UpEndToEndTests.down(cli, pipelineHome, pid);
        }

        assertThat(bench.status()).as(bench.toString()).isZero();
        assertThat(bench.out())
                .contains("Sending 2 builds (1 service x 2) at 1 builds/s to the prod gate, approving there as alice "
                        + "and following them through prod, 1 of them failing in dev")
                .containsPattern("failing: +knative-lambda-builder 0\\.\\d+\\.2-bad-in-dev -> 0\\.\\d+\\.1 "
                        + "ROLLED BACK in dev")
                .contains("2 builds: 1 at the end of the way, 1 stopped, 0 timed out")
                .containsSubsequence("limits, control plane only", "a real rollout would add:",
                        "dev -> staging: ", "staging -> prod: ", "rollback (dev): ")
                .containsPattern("(?m)^dev -> staging +build\\.completed \\(dev\\) -> smoketest\\.passed \\(staging\\)"
                        + " +< 3 min +1 +\\d+ +\\d+ +\\d+  yes$")
                .containsPattern("(?m)^staging -> prod +smoketest\\.passed \\(staging\\) -> smoketest\\.passed "
                        + "\\(prod\\), without the wait at the gate +< 5 min +1 +\\d+ +\\d+ +\\d+  yes$")
                .containsPattern("(?m)^rollback \\(dev\\) +smoketest\\.failed \\(dev\\) -> rollback\\.completed "
                        + "\\(dev\\) +< 2 min +1 +\\d+ +\\d+ +\\d+  yes$")
                .doesNotContain("stopped:", "timed out:", "behind the gate:");

        JsonNode limits = JsonMapper.builder().build().readTree(Files.readString(home.resolve("bench.json")))
                .path("limits");
        assertThat(limits).hasSize(3).allSatisfy(limit -> {
            assertThat(limit.path("n").asInt()).isEqualTo(1);
            assertThat(limit.path("p50").asDouble()).isPositive()
                    .isLessThan(limit.path("limitMillis").asDouble());
            assertThat(limit.path("complete").asBoolean()).isTrue();
            assertThat(limit.path("within").asBoolean()).isTrue();
        });
        assertThat(limits.get(1).path("note").asString()).contains("approval.requested (prod) -> approval.decided");
    }
}
