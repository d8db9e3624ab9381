package io.stagecoach.demoworkload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, started the way the demo starts it: {@code java -jar}. */
class DemoWorkloadJarTests {

    private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");

    @Test
    void startsFromTheJarAndAnswersHealthQuickly(@TempDir Path directory) throws Exception {
        Path jar = Path.of(System.getProperty("demo.workload.jar", "target/stagecoach-demo-workload.jar"));
        assertThat(jar).exists();
        Path overlay = directory.resolve("kustomization.yaml");
        Files.writeString(overlay, DemoWorkloadTests.overlay("2.0.0"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");

        long started = System.nanoTime();
        Process process = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "--port", "0", "--environment",
                "dev", "--service", "knative-lambda-builder", "--overlay", overlay.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> readPort(process));
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port.get(10, TimeUnit.SECONDS) + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Duration untilHealthy = Duration.ofNanos(System.nanoTime() - started);

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"version\":\"2.0.0\"");
            // well under a second on a quiet machine; the bound leaves room for a busy build agent
            assertThat(untilHealthy).isLessThan(Duration.ofSeconds(3));
        } finally {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static int readPort(Process process) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                Matcher matcher = LISTENING.matcher(line);
                if (matcher.find()) {
                    return Integer.parseInt(matcher.group(1));
                }
            }
            throw new IllegalStateException("the workload exited without listening");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
