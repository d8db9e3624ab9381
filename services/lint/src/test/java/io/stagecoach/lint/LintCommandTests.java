package io.stagecoach.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class LintCommandTests {

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	private int run(String... args) {
		return LintCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	@Test
	void passesTheShippedDeployDirectory() {
		assertThat(run(DeployFiles.SHIPPED.toString())).isZero();
		assertThat(out.toString(StandardCharsets.UTF_8))
			.startsWith("stagecoach-lint: 0 error(s), 0 warning(s) in deploy/environments.yaml, 3 overlay(s),"
					+ " 3 workload overlay(s), 3 Helm values file(s), deploy/rabbitmq/definitions.json");
	}

	@Test
	void lintsExplicitPaths() {
		String fixture = DeployFiles.SHARED_EVERYTHING + "/deploy/";

		int status = run("--render", "files", "--overlay", fixture + "k8s/overlays/dev", "--overlay",
				fixture + "k8s/overlays/prod");

		assertThat(status).isEqualTo(1);
		assertThat(out.toString(StandardCharsets.UTF_8))
			.contains("shared-everything/deploy/k8s/overlays/prod/kustomization.yaml: error: prod shares the namespace \"knative-lambda\" with dev")
			.doesNotContain("overlays/staging");
	}

	@Test
	void warningsAloneDoNotFail() {
		String fixture = DeployFiles.SHARED_EVERYTHING + "/deploy/";

		assertThat(run("--render", "files", "--overlay", fixture + "k8s/overlays/prod")).isZero();
	}

	@Test
	void refusesUnknownOptionsAndModes() {
		assertThat(run("--colour", ".")).isEqualTo(2);
		assertThat(run("--render", "helm", ".")).isEqualTo(2);
		assertThat(run("--render")).isEqualTo(2);
		assertThat(run()).isEqualTo(2);
		assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: stagecoach-lint");
	}
}
