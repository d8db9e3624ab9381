package io.stagecoach.demoworkload;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class DemoWorkloadTests {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String OVERLAY_PATH = "deploy/k8s/workloads/overlays/dev/kustomization.yaml";

    @TempDir
    Path directory;

    private DemoWorkload workload;

    @AfterEach
    void stop() {
        if (workload != null) {
            workload.close();
        }
    }

    @Test
    void reportsTheVersionTheOverlayDeclaresAtRequestTime() throws Exception {
        Path overlay = directory.resolve("kustomization.yaml");
        Files.writeString(overlay, overlay("1.4.2"));
        workload = DemoWorkload.start("--port", "0", "--environment", "dev", "--service", "knative-lambda-builder",
                "--overlay", overlay.toString());

        HttpResponse<String> first = get("/health");
        Files.writeString(overlay, overlay("1.5.0"));
        HttpResponse<String> second = get("/health");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(JSON.readTree(first.body())).isEqualTo(JSON.readTree("""
                {"service":"knative-lambda-builder","environment":"dev","version":"1.4.2","status":"UP"}"""));
        assertThat(JSON.readTree(second.body()).path("version").asString()).isEqualTo("1.5.0");
    }

    @Test
    void isDownWithA503WhenTheVersionIsABadBuild() throws Exception {
        Path overlay = directory.resolve("kustomization.yaml");
        Files.writeString(overlay, overlay("1.5.0-bad.1"));
        workload = DemoWorkload.start("--port", "0", "--environment", "staging", "--service",
                "knative-lambda-builder", "--overlay", overlay.toString());

        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asString()).isEqualTo("DOWN");
        assertThat(body.path("version").asString()).isEqualTo("1.5.0-bad.1");
        assertThat(body.path("environment").asString()).isEqualTo("staging");
    }

    @Test
    void isDownWhenTheOverlayCannotBeRead() throws Exception {
        workload = DemoWorkload.start("--port", "0", "--environment", "dev", "--service", "knative-lambda-builder",
                "--overlay", directory.resolve("missing.yaml").toString());

        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(response.body()).path("detail").asString()).contains("missing.yaml");
    }

    @Test
    void readsTheOverlayFromHeadOfAGitRepository() throws Exception {
        Path repository = directory.resolve("gitops");
        Path file = repository.resolve(OVERLAY_PATH);
        Files.createDirectories(file.getParent());
        try (Git git = Git.init().setDirectory(repository.toFile()).setInitialBranch("main").call()) {
            Files.writeString(file, overlay("1.4.2"));
            commit(git, "dev: knative-lambda-builder 1.4.2");
            workload = DemoWorkload.start("--port", "0", "--environment", "dev", "--service",
                    "knative-lambda-builder", "--overlay", repository.toString(), "--overlay-path", OVERLAY_PATH);
            String before = JSON.readTree(get("/health").body()).path("version").asString();

            // an edit that is not committed is not deployed
            Files.writeString(file, overlay("9.9.9"));
            String uncommitted = JSON.readTree(get("/health").body()).path("version").asString();
            Files.writeString(file, overlay("1.5.0"));
            commit(git, "dev: knative-lambda-builder 1.5.0");
            String after = JSON.readTree(get("/health").body()).path("version").asString();

            assertThat(before).isEqualTo("1.4.2");
            assertThat(uncommitted).isEqualTo("1.4.2");
            assertThat(after).isEqualTo("1.5.0");
        }
    }

    @Test
    void servesOnlyHealth() throws Exception {
        Path overlay = directory.resolve("kustomization.yaml");
        Files.writeString(overlay, overlay("1.4.2"));
        workload = DemoWorkload.start("--port", "0", "--environment", "dev", "--service", "knative-lambda-builder",
                "--overlay", overlay.toString());

        assertThat(get("/").statusCode()).isEqualTo(404);
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(uri("/health"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    private static void commit(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        git.commit().setMessage(message).setAuthor("Stagecoach", "stagecoach@example.com")
                .setCommitter("Stagecoach", "stagecoach@example.com").setSign(false).call();
    }

    static String overlay(String version) {
        return """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ../../base
                images:
                  - name: ghcr.io/example/knative-lambda-builder
                    newTag: %s
                    digest: sha256:26dca24a8c21f87a59dca1e79a59e89d4261172cacee9eeb8ccbdc9333ef3bfd
                """.formatted(version);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + workload.port() + path);
    }
}
