package io.stagecoach.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The first draft's deploy files: one namespace, one bucket, one vhost for all three environments. */
class SharedEverythingFixtureTests {

	private static final String ENVIRONMENTS = "deploy/environments.yaml";

	private static final String STAGING = "deploy/k8s/overlays/staging/kustomization.yaml";

	private static final String PROD = "deploy/k8s/overlays/prod/kustomization.yaml";

	@ParameterizedTest
	@ValueSource(strings = { "kubectl", "files" })
	void reportsEachSharedNameOnItsOwnLineWithFileAndFix(String render) {
		Report report = new Linter(render, "developers").lint(DeployFiles.SHARED_EVERYTHING);

		assertThat(report.findings()).extracting(Finding::line).containsExactly(
				ENVIRONMENTS + ":7: error: environment 'dev', field 'vhost': '/' is not a valid vhost — fix: use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit), e.g. the environment's name",
				ENVIRONMENTS + ":13: error: environment 'staging', field 'vhost': '/' is not a valid vhost — fix: use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit), e.g. the environment's name",
				ENVIRONMENTS + ":15: error: environment 'staging', field 'namespace': namespace 'knative-lambda' is already used by environment 'dev' (line 9) — fix: give each environment its own namespace: a shared namespace lets one environment's deployments overwrite the other's",
				ENVIRONMENTS + ":19: error: environment 'prod', field 'vhost': '/' is not a valid vhost — fix: use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit), e.g. the environment's name",
				ENVIRONMENTS + ":22: error: environment 'prod', field 'namespace': namespace 'knative-lambda' is already used by environment 'dev' (line 9) — fix: give each environment its own namespace: a shared namespace lets one environment's deployments overwrite the other's",
				PROD + ": error: prod shares the RabbitMQ vhost \"/\" with dev — fix: give prod a vhost of its own, such as prod, with its own users",
				PROD + ": error: prod shares the bucket \"knative-lambda-artifacts\" with dev — fix: give prod a bucket of its own, such as knative-lambda-artifacts-prod",
				PROD + ": error: prod shares the credential Secret \"knative-lambda/stagecoach-rabbitmq\" with dev — fix: reference a Secret of prod's own, in prod's own namespace (see deploy/k8s/README.md)",
				PROD + ": error: prod shares the namespace \"knative-lambda\" with dev — fix: give prod a namespace of its own, such as knative-lambda-prod",
				STAGING + ": error: staging shares the RabbitMQ vhost \"/\" with dev — fix: give staging a vhost of its own, such as staging, with its own users",
				STAGING + ": error: staging shares the bucket \"knative-lambda-artifacts\" with dev — fix: give staging a bucket of its own, such as knative-lambda-artifacts-staging",
				STAGING + ": error: staging shares the credential Secret \"knative-lambda/stagecoach-rabbitmq\" with dev — fix: reference a Secret of staging's own, in staging's own namespace (see deploy/k8s/README.md)",
				STAGING + ": error: staging shares the namespace \"knative-lambda\" with dev — fix: give staging a namespace of its own, such as knative-lambda-staging");
		assertThat(report.environments()).isEqualTo("dev, staging, prod (the default names: deploy/environments.yaml is invalid)");
		assertThat(report.hasErrors()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "kubectl", "files" })
	void theCommandFailsAndPrintsOneLinePerFinding(String render) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();

		int status = LintCommand.run(new String[] { "--render", render, DeployFiles.SHARED_EVERYTHING.toString() },
				new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

		String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
		assertThat(status).isEqualTo(1);
		assertThat(lines).filteredOn(line -> line.startsWith("checked ") || line.startsWith("skipped ")).hasSize(4);
		assertThat(lines).filteredOn(line -> line.contains(": error: "))
			.hasSize(13)
			.allMatch(line -> line.matches("deploy/\\S+: error: .+ — fix: .+"));
		assertThat(lines[lines.length - 1]).startsWith("stagecoach-lint: 13 error(s), 0 warning(s)");
		assertThat(lines).hasSize(4 + 13 + 1);
	}
}
