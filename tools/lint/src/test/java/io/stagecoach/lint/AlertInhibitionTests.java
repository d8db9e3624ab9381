package io.stagecoach.lint;

import static io.stagecoach.lint.CommandLineTool.ALERTMANAGER;
import static io.stagecoach.lint.MonitoringFiles.PROMETHEUS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What amtool cannot show: which alerts the inhibition rules of alertmanager/alertmanager.yaml hold back. A real
 * Alertmanager, started on a free loopback port with that configuration and its own storage (no cluster), is sent
 * alerts and asked which of them are inhibited. Its receivers are never called within the test (they wait at least
 * group_wait before sending).
 */
class AlertInhibitionTests {

	static final JsonMapper JSON = JsonMapper.builder().build();

	static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@TempDir
	static Path storage;

	static Process alertmanager;

	static URI api;

	@BeforeAll
	static void start() throws IOException {
		ALERTMANAGER.requireInstalled();
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		alertmanager = new ProcessBuilder(ALERTMANAGER.program(),
				"--config.file=" + PROMETHEUS.resolve("alertmanager/alertmanager.yaml"),
				"--storage.path=" + storage.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
				"--cluster.listen-address=", "--log.level=warn")
			.redirectErrorStream(true)
			.redirectOutput(storage.resolve("alertmanager.log").toFile())
			.start();
		api = URI.create("http://127.0.0.1:" + port + "/");
		await("Alertmanager ready on " + api).atMost(Duration.ofSeconds(30))
			.ignoreException(ConnectException.class)
			.until(() -> {
				assertThat(alertmanager.isAlive()).as("Alertmanager exited:%n%s",
						DeployFiles.read(storage.resolve("alertmanager.log"))).isTrue();
				return get("-/ready").statusCode() == 200;
			});
	}

	@AfterAll
	static void stop() throws InterruptedException {
		if (alertmanager != null) {
			alertmanager.destroy();
			if (!alertmanager.waitFor(10, TimeUnit.SECONDS)) {
				alertmanager.destroyForcibly();
			}
		}
	}

	@Test
	void aProdIncidentHoldsBackTheSameAlertElsewhereButNeverARollback() {
		Map<String, String> inbox = Map.of("queue", "promotion.promotion-requested");
		Map<String, String> rollback = Map.of("stagecoach_rollback", "true", "service", "knative-lambda-builder");
		post(alert("StagecoachInboxWithoutConsumer", "prod", "critical", inbox),
				alert("StagecoachInboxWithoutConsumer", "staging", "critical", inbox),
				alert("StagecoachInboxWithoutConsumer", "dev", "critical", inbox),
				// another alert in staging is another problem
				alert("StagecoachDeadLetterQueueNotEmpty", "staging", "warning", Map.of("queue", "x.dlq")),
				// a warning in prod is no incident
				alert("StagecoachMessagesDeadLettered", "prod", "warning", inbox),
				alert("StagecoachMessagesDeadLettered", "staging", "warning", inbox),
				// a rollback reaches its environment whatever happens in prod
				alert("KnativeLambdaBuilderErrorRateHigh", "prod", "critical", rollback),
				alert("KnativeLambdaBuilderErrorRateHigh", "staging", "critical", rollback));

		Map<String, Boolean> expected = new TreeMap<>(Map.of(
				"StagecoachInboxWithoutConsumer/prod", false,
				"StagecoachInboxWithoutConsumer/staging", true,
				"StagecoachInboxWithoutConsumer/dev", true,
				"StagecoachDeadLetterQueueNotEmpty/staging", false,
				"StagecoachMessagesDeadLettered/prod", false,
				"StagecoachMessagesDeadLettered/staging", false,
				"KnativeLambdaBuilderErrorRateHigh/prod", false,
				"KnativeLambdaBuilderErrorRateHigh/staging", false));
		await("inhibited alerts").atMost(Duration.ofSeconds(20)).untilAsserted(() ->
				assertThat(inhibited()).isEqualTo(expected));
	}

	/** alertname/environment of every alert Alertmanager holds, and whether it is inhibited. */
	static Map<String, Boolean> inhibited() throws IOException, InterruptedException {
		HttpResponse<String> response = get("api/v2/alerts");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Map<String, Boolean> inhibited = new TreeMap<>();
		for (JsonNode alert : JSON.readTree(response.body())) {
			JsonNode labels = alert.path("labels");
			inhibited.put(labels.path("alertname").asString() + "/" + labels.path("environment").asString(),
					!alert.path("status").path("inhibitedBy").isEmpty());
		}
		return inhibited;
	}

	static Map<String, Object> alert(String name, String environment, String severity, Map<String, String> more) {
		Map<String, String> labels = new TreeMap<>(more);
		labels.put("alertname", name);
		labels.put("environment", environment);
		labels.put("severity", severity);
		return Map.of("labels", labels, "annotations", Map.of("summary", name + " in " + environment));
	}

	@SafeVarargs
	static void post(Map<String, Object>... alerts) {
		try {
			HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(api.resolve("api/v2/alerts"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(alerts)))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	static HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return HTTP.send(HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(5)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
