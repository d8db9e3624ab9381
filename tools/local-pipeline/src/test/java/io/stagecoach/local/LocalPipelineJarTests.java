package io.stagecoach.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The executable jar as {@code stagecoach up} runs it: in the background, ready when the marker appears. */
@RealBroker
class LocalPipelineJarTests {

    @Test
    void startsFromTheJarAnnouncesItsPortsWhenReadyRefusesASecondOneAndCleansUpWhenStopped(TestBroker broker, @TempDir Path workdir)
            throws Exception {
        try (TestPipeline provisioned = TestPipeline.provision(broker)) {
            Path jar = Path.of(System.getProperty("local.pipeline.jar", "target/stagecoach-local-pipeline-exec.jar"));
            String java = ProcessHandle.current().info().command().orElse("java");
            Path output = workdir.resolve("output.txt");
            Process process = new ProcessBuilder(java, "-jar", jar.toString(), "--workdir", workdir.toString(),
                    "--amqp-host", broker.host(), "--amqp-port", String.valueOf(broker.amqpPort()),
                    "--vhost-prefix", broker.prefix())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try {
                Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                        .until(() -> Files.exists(workdir.resolve("ready")) || !process.isAlive());
                assertThat(process.isAlive()).as("still running; output:\n" + read(output)).isTrue();

                JsonNode pipeline = JsonMapper.builder().build().readTree(
                        Files.readString(workdir.resolve("pipeline.json")));
                assertThat(pipeline.path("status").asString()).isEqualTo("ready");
                assertThat(pipeline.path("pid").asLong()).isEqualTo(process.pid());
                assertThat(pipeline.path("gitops").asString()).isEqualTo(workdir.resolve("gitops.git").toString());
                List<JsonNode> services = pipeline.path("services").valueStream().toList();
                assertThat(services).hasSize(11).allSatisfy(s -> assertThat(s.path("port").asInt()).isPositive());
                assertThat(pipeline.path("workloads").valueStream().toList()).hasSize(3);
                JsonNode approval = services.stream().filter(s -> s.path("service").asString().equals("approval"))
                        .findFirst().orElseThrow();
                HttpResponse<String> readiness = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create(approval.path("url").asString() + "/actuator/health/readiness")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(readiness.statusCode()).isEqualTo(200);
                assertThat(read(output)).contains("prod approval", "ready in");
                assertThat(pipeline.path("environments").valueStream().toList()).extracting(e -> e.path("name")
                        .asString()).containsExactly("dev", "staging", "prod");
                assertThat(pipeline.path("environments").valueStream().toList())
                        .allSatisfy(e -> assertThat(e.path("readyMillis").asLong()).isPositive());
                assertThat(read(output)).as("a line per environment once all its services are ready")
                        .containsPattern("(?m)^dev +ready in [0-9.]+s  4 services, 1 workload$")
                        .containsPattern("(?m)^prod +ready in [0-9.]+s  4 services, 1 workload$");

                Process second = new ProcessBuilder(java, "-jar", jar.toString(), "--workdir", workdir.toString(),
                        "--vhost-prefix", broker.prefix()).redirectErrorStream(true).start();
                assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("a second pipeline gives up").isTrue();
                assertThat(second.exitValue()).isEqualTo(1);
                assertThat(new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                        .contains("a local pipeline already runs in " + workdir);
                assertThat(workdir.resolve("ready")).as("the running one's marker is left alone").exists();
                System.out.println("[local pipeline jar] ready in " + pipeline.path("startupMillis").asLong()
                        + " ms\n" + read(output));
            } finally {
                process.destroy();
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60s").isTrue();
            }
            assertThat(workdir.resolve("ready")).doesNotExist();
            assertThat(workdir.resolve("pipeline.json")).doesNotExist();
            assertThat(read(output)).contains("pipeline stopped");
        }
    }

    private static String read(Path file) throws Exception {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
