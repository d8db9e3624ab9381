package io.stagecoach.cli;

import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code stagecoach up} and {@code down} as a person runs them: the pipeline's jar as one background process
 * against the real broker, in a home of the test's own. Runs after {@code package} (failsafe).
 */
@RealBroker
class UpEndToEndTests {

    static final Path REPOSITORY = ProvisionAndLintTests.REPOSITORY;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void buildThePipeline(@TempDir Path build) throws Exception {
        LocalPipelineJar.current(build.resolve("build.log"));
    }

    static Cli cli(TestBroker broker, String prefix) {
        return Cli.against(broker, REPOSITORY).with(LocalOptions.REPOSITORY_VARIABLE, REPOSITORY.toString())
                .with("STAGECOACH_VHOST_PREFIX", prefix);
    }

    static JsonNode pipelineJson(Path home) throws Exception {
        return JsonMapper.builder().build().readTree(Files.readString(home.resolve("pipeline.json")));
    }

    static List<Integer> ports(JsonNode pipeline) {
        List<Integer> ports = new ArrayList<>();
        pipeline.path("services").forEach(s -> ports.add(s.path("port").asInt()));
        pipeline.path("workloads").forEach(w -> ports.add(w.path("port").asInt()));
        return ports;
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Stops what {@code up} started and checks nothing of it is left. */
    static void down(Cli cli, Path home, long pid) {
        Cli.Result down = cli.run("down", "--home", home.toString());
        assertThat(down.status()).as(down.toString()).isZero();
        assertThat(down.out()).contains("stopped pipeline (pid " + pid + ")", "Stopped 1 process.");
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(home.resolve("pipeline.json")).doesNotExist();
        assertThat(home.resolve("run/pipeline.pid")).doesNotExist();
    }

    @Test
    void upRunsTheDefaultPathInOneProcessAndABuildReachesTheProdGate(TestBroker broker, @TempDir Path home)
            throws Exception {
        Cli cli = cli(broker, broker.name("up"));
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();

        Cli.Result up = cli.run("up", "--home", home.toString(), "--no-build");
        System.out.println("[up, default path]\n" + up.out() + up.err());
        assertThat(up.status()).as(up.toString()).isZero();
        JsonNode pipeline = pipelineJson(home);
        long pid = pipeline.path("pid").asLong();
        try {
            assertThat(up.out()).containsSubsequence("Starting Stagecoach (dev, staging, prod)", "one process, pid " + pid)
                    .containsPattern("(?m)^  dev +ready in [0-9.]+s  4 services, 1 workload$")
                    .containsPattern("(?m)^  staging +ready in [0-9.]+s  3 services, 1 workload$")
                    .containsPattern("(?m)^  prod +ready in [0-9.]+s  4 services, 1 workload$")
                    .contains("Stagecoach is up in", "11 services and 3 workloads in one process (pid " + pid,
                            "Stop with: stagecoach down");
            assertThat(home.resolve("run/pipeline.pid")).hasContent(pid + "\n");
            assertThat(home.resolve("logs/pipeline.log")).isNotEmptyFile();
            assertThat(ports(pipeline)).hasSize(14).doesNotHaveDuplicates().allMatch(port -> port > 0);

            Cli.Result build = cli.run(BuildCommandTests.build("1.0.0", "--wait", "--timeout", "3m"));
            assertThat(build.status()).as(build.toString()).isZero();
            assertThat(build.out()).contains("verified in dev", "verified in staging", "waits for approval into prod");

            Cli.Result again = cli.run("up", "--home", home.toString(), "--no-build");
            assertThat(again.status()).as(again.toString()).isEqualTo(1);
            assertThat(again.err()).contains("Stagecoach already runs in " + home + " (pid " + pid
                    + ": dev, staging, prod");
        } finally {
            down(cli, home, pid);
        }
    }

    @Test
    void upWithTwelveServicesGivesEveryServiceAndWorkloadAPortOfItsOwn(TestBroker broker, @TempDir Path home)
            throws Exception {
        Path file = home.resolve("twelve.yaml");
        String services = IntStream.rangeClosed(1, 12).mapToObj(i -> "  - service-" + i)
                .collect(Collectors.joining("\n"));
        Files.writeString(file, Files.readString(REPOSITORY.resolve("deploy/environments.yaml"))
                .replace("services:\n  - knative-lambda-builder", "services:\n" + services));
        Cli cli = cli(broker, broker.name("twelve")).with(EnvironmentOptions.FILE_VARIABLE, file.toString());
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();

        Cli.Result up = cli.run("up", "--home", home.resolve("home").toString(), "--no-build");
        System.out.println("[up, twelve services]\n" + up.out() + up.err());
        assertThat(up.status()).as(up.toString()).isZero();
        JsonNode pipeline = pipelineJson(home.resolve("home"));
        long pid = pipeline.path("pid").asLong();
        try {
            assertThat(up.out()).containsPattern("(?m)^  dev +ready in [0-9.]+s  4 services, 12 workloads$")
                    .contains("11 services and 36 workloads in one process");
            assertThat(ports(pipeline)).as("a port each, none shared between environments").hasSize(47)
                    .doesNotHaveDuplicates().allMatch(port -> port > 0);
            // each port answers as what pipeline.json says listens there
            for (JsonNode workload : pipeline.path("workloads")) {
                assertThat(get(workload.path("url").asString()).body()).as(workload.toString())
                        .contains("\"service\":\"" + workload.path("service").asString() + "\"",
                                "\"environment\":\"" + workload.path("environment").asString() + "\"");
            }
            for (JsonNode service : pipeline.path("services")) {
                assertThat(get(service.path("url").asString() + "/actuator/health/readiness").statusCode())
                        .as(service.toString()).isEqualTo(200);
            }
        } finally {
            down(cli, home.resolve("home"), pid);
        }
    }

    @Test
    void upRunsOnlyTheEnvironmentsItIsGiven(TestBroker broker, @TempDir Path home) throws Exception {
        Cli cli = cli(broker, broker.name("some"));
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();

        Cli.Result up = cli.run("up", "--home", home.toString(), "--no-build", "--env", "prod,staging");
        System.out.println("[up --env prod,staging]\n" + up.out() + up.err());
        assertThat(up.status()).as(up.toString()).isZero();
        JsonNode pipeline = pipelineJson(home);
        long pid = pipeline.path("pid").asLong();
        try {
            assertThat(up.out()).contains("Starting Stagecoach (staging, prod)", "7 services and 2 workloads")
                    .doesNotContainPattern("(?m)^  dev +ready");
            assertThat(pipeline.path("environments").valueStream().map(e -> e.path("name").asString()))
                    .containsExactly("staging", "prod");
            assertThat(pipeline.path("services").valueStream().map(s -> s.path("environment").asString()))
                    .doesNotContain("dev");
        } finally {
            down(cli, home, pid);
        }
    }
}
