package io.stagecoach.images;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.stagecoach.testing.TestBroker;
import io.stagecoach.testing.pipeline.RealPipeline;
import io.stagecoach.testing.pipeline.TestPipeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The smoke-test service's image, built by this module's build with the services' Jib configuration on a base made
 * from this machine's JDK ({@code base-image.sh}): what it declares, and that it runs, as its own user on a read-only
 * root filesystem with only its own environment, against the real broker, where it consumes its inbox and reports
 * ready. There is no container engine here: the test unpacks the layers and runs the entrypoint in a mount namespace
 * of its own ({@code run-image.sh}), which needs root, as a container runtime does.
 */
@RealPipeline
class ServiceImageTests {

    static final Path IMAGE = Path.of("target", "image.tar");
    static final String NAME = "ghcr.io/stagecoach/smoke-test:0.1.0";
    static final JsonMapper JSON = JsonMapper.builder().build();

    static TestBroker broker;
    static TestPipeline pipeline;

    @TempDir
    static Path work;

    static JsonNode manifest;
    static JsonNode config;
    static Path archive;

    @BeforeAll
    static void unpackTheArchive() throws Exception {
        assertThat(IMAGE).as("the image the build wrote (jib:buildTar in process-test-classes)").isRegularFile();
        archive = Files.createDirectories(work.resolve("archive"));
        run(List.of("tar", "-xf", IMAGE.toAbsolutePath().toString(), "-C", archive.toString()));
        manifest = JSON.readTree(archive.resolve("manifest.json").toFile()).get(0);
        config = JSON.readTree(archive.resolve(manifest.get("Config").asString()).toFile());
    }

    @Test
    void theImageIsTheServiceNamedAsTheManifestsNameItAndRunsAsANonRootUser() {
        assertThat(manifest.get("RepoTags").get(0).asString()).isEqualTo(NAME);
        JsonNode container = config.get("config");
        assertThat(container.get("User").asString()).isEqualTo("10001:10001");
        List<String> entrypoint = strings(container.get("Entrypoint"));
        assertThat(entrypoint).startsWith("java").endsWith("io.stagecoach.smoketest.SmokeTestApplication")
                .contains("-cp", "@/app/jib-classpath-file", "-Djava.io.tmpdir=/tmp");
        assertThat(container.get("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(strings(container.get("Env"))).contains("JAVA_HOME=/opt/java");
        // the base's runtime, then the application: its dependencies, snapshot dependencies, resources and classes
        assertThat(manifest.get("Layers").size()).isGreaterThanOrEqualTo(3);
        assertThat(config.get("rootfs").get("diff_ids").size()).isEqualTo(manifest.get("Layers").size());
    }

    @Test
    void theServiceStartsFromItsImageOnAReadOnlyRootAsItsUserAndConsumesItsInbox() throws Exception {
        Path root = Files.createDirectories(work.resolve("rootfs"));
        for (JsonNode layer : manifest.get("Layers")) {
            run(List.of("tar", "-xf", archive.resolve(layer.asString()).toString(), "-C", root.toString()));
        }
        JsonNode container = config.get("config");
        Path environment = work.resolve("environment");
        Files.write(environment, strings(container.get("Env")));
        Path script = work.resolve("run-image.sh");
        Files.copy(ServiceImageTests.class.getResourceAsStream("/run-image.sh"), script);

        int port = freePort();
        List<String> inImage = List.of("unshare", "--mount", "bash", script.toString(), root.toString(),
                container.get("User").asString(), environment.toString(), "--");
        List<String> command = new ArrayList<>(inImage);
        command.addAll(strings(container.get("Entrypoint")));
        command.addAll(List.of(pipeline.serviceArguments("dev", "smoke-test",
                Map.of("server.port", port, "stagecoach.instance", "from-its-image"))));
        Path log = work.resolve("service.log");
        Process service = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI readiness = URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness");
            await("the service in its image ready (its output: " + log + ")").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .failFast("the service exited", () -> !service.isAlive())
                    .ignoreExceptions()
                    .until(() -> http.send(HttpRequest.newBuilder(readiness).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

            assertThat(Files.readAllLines(Path.of("/proc", String.valueOf(service.pid()), "status")))
                    .as("the process's user").anyMatch(line -> line.matches("Uid:\\s+10001\\s+10001\\s+10001.*"));
            assertThat(Files.readAllLines(Path.of("/proc", String.valueOf(service.pid()), "mountinfo")))
                    .as("its root filesystem, as it sees it")
                    .anyMatch(line -> line.split(" ")[4].equals("/") && line.split(" ")[5].startsWith("ro"));
            // the health check compose.yaml runs in the container, which has no shell: ready, and not where nothing is
            String probe = "http://127.0.0.1:%d/actuator/health/readiness";
            assertThat(runInImage(inImage, String.format(probe, port))).as("the check of the ready service")
                    .isZero();
            assertThat(runInImage(inImage, String.format(probe, freePort()))).as("the check of nothing")
                    .isEqualTo(1);
            // no other smoke-test service runs on this class's vhosts
            await("its inbox consumed by it").atMost(Duration.ofSeconds(30))
                    .until(() -> !pipeline.consumerConnections("dev")
                            .getOrDefault("smoke-test.deployment-completed", java.util.Set.of()).isEmpty());
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n--- dev's consumers ---\n"
                    + pipeline.consumerConnections("dev") + "\n--- the service's output ---\n"
                    + Files.readString(log, StandardCharsets.UTF_8), e);
        } finally {
            service.destroy();
            if (!service.waitFor(30, TimeUnit.SECONDS)) {
                service.destroyForcibly().waitFor();
            }
        }
        assertThat(Files.readString(log)).as("its output").doesNotContain("Read-only file system");
    }

    /** Exit code of the image's Java running {@code ReadinessCheck url}, from the image's classpath. */
    private static int runInImage(List<String> inImage, String url) throws Exception {
        List<String> command = new ArrayList<>(inImage);
        command.addAll(List.of("java", "-cp", "@/app/jib-classpath-file", "io.stagecoach.support.ReadinessCheck", url));
        Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).as("the check ended: " + output).isTrue();
        System.out.println("[image] ReadinessCheck " + url + " -> " + check.exitValue() + " " + output.strip());
        return check.exitValue();
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(node -> strings.add(node.asString()));
        return strings;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
