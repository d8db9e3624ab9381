package io.stagecoach.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ShippedDeployTests {

	@ParameterizedTest
	@ValueSource(strings = { "kubectl", "files" })
	void shippedDeployHasNoFindings(String render) {
		Report report = new Linter(render, "developers").lint(DeployFiles.SHIPPED);

		assertThat(report.findings()).extracting(Finding::line).isEmpty();
		assertThat(report.hasErrors()).isFalse();
		assertThat(report.checked()).containsExactly("deploy/environments.yaml", "15 overlay(s)", "3 Helm values file(s)",
				"deploy/rabbitmq/definitions.json");
		assertThat(report.environments()).isEqualTo("dev, staging, prod (from deploy/environments.yaml)");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			staging's Flux Kustomization applies dev's overlay | k8s/flux/staging/flux.yaml | path: ./overlays/staging | path: ./overlays/dev | deploy/k8s/flux/staging/kustomization.yaml: error: staging shares the path Flux applies "./overlays/dev of stagecoach-gitops" with dev — fix: point staging's Flux Kustomization at its own overlay of the GitOps repository, such as ./overlays/staging
			staging's cloud role may write dev's bucket | k8s/cloud/staging/role.yaml | arn:aws:s3:::knative-lambda-artifacts-staging/* | arn:aws:s3:::knative-lambda-artifacts-dev/* | deploy/k8s/cloud/staging/kustomization.yaml: error: IAM role knative-lambda-staging of staging names dev's bucket knative-lambda-artifacts-dev (arn:aws:s3:::knative-lambda-artifacts-dev/*): a role of one environment may reach that environment's resources only — fix: name staging's own, as `stagecoach cloud-resources` generates them from environments.yaml
			staging's cloud bucket is dev's | k8s/cloud/staging/bucket.yaml | name: knative-lambda-artifacts-staging | name: knative-lambda-artifacts-dev | deploy/k8s/cloud/staging/kustomization.yaml: error: staging shares the bucket "knative-lambda-artifacts-dev" with dev — fix: use staging's own bucket, knative-lambda-artifacts-staging, as deploy/environments.yaml gives it
			staging's ExternalSecret reads dev's store path | k8s/secrets/staging/external-secrets.yaml | key: stagecoach/staging/promotion/rabbitmq | key: stagecoach/dev/promotion/rabbitmq | deploy/k8s/secrets/staging/kustomization.yaml: error: staging shares the secret store path "stagecoach/dev/promotion/rabbitmq" with dev — fix: read staging's secrets from a path of its own in the store, such as staging/stagecoach/dev/promotion/rabbitmq
			""")
	void stagingPointedAtDevsIsAnIsolationError(String what, String file, String from, String to, String finding,
			@TempDir Path repository) {
		Path deploy = DeployFiles.copyShipped(repository);
		DeployFiles.edit(deploy.resolve(file), from, to);

		Report report = new Linter("files", "developers").lint(deploy);

		assertThat(report.findings()).extracting(Finding::line).containsExactly(finding);
	}

	@Test
	void theShippedEnvironmentsNameTheirCloudResourcesAndTheGeneratedOnesAreEachTheirOwn() {
		Environments shipped = Environments.load(DeployFiles.SHIPPED.resolve("environments.yaml"));
		LintInputs inputs = LintInputs.discover(DeployFiles.SHIPPED);
		List<Claim> claims = claims(new KubectlRenderer("kubectl"), inputs, "cloud");

		for (String env : List.of("dev", "staging", "prod")) {
			assertThat(shipped.get(env).cloud().bucket()).contains("knative-lambda-artifacts-" + env);
			assertThat(claims).contains(new Claim(ClaimKind.BUCKET, "knative-lambda-artifacts-" + env, env,
					"deploy/k8s/cloud/" + env + "/kustomization.yaml"));
			assertThat(claims).contains(new Claim(ClaimKind.IAM_ROLE, "IAM role knative-lambda-" + env, env,
					"deploy/k8s/cloud/" + env + "/kustomization.yaml"));
		}
	}

	@Test
	void kubectlIsWhatTheLinterUsesWhenItIsInstalled() {
		assertThat(Renderer.onPath("kubectl")).as("kubectl on the PATH (the machine image has it)").isTrue();

		assertThat(new Linter((String) null, "developers").lint(DeployFiles.SHIPPED).renderedWith())
			.isEqualTo("rendered with kubectl kustomize");
	}

	@Test
	void readingTheFilesDirectlySeesWhatKubectlRenders() {
		LintInputs inputs = LintInputs.discover(DeployFiles.SHIPPED);
		List<Claim> kubectl = claims(new KubectlRenderer("kubectl"), inputs);
		List<Claim> files = claims(new FileRenderer(), inputs);

		assertThat(files).containsExactlyInAnyOrderElementsOf(kubectl);
		assertThat(kubectl).extracting(Claim::kind).contains(ClaimKind.NAMESPACE, ClaimKind.VHOST, ClaimKind.SECRET);
	}

	@Test
	void everyEnvironmentHasItsOwnNamespaceVhostAndSecrets() {
		LintInputs inputs = LintInputs.discover(DeployFiles.SHIPPED);
		List<Claim> claims = claims(new KubectlRenderer("kubectl"), inputs);

		for (String env : List.of("dev", "staging", "prod")) {
			assertThat(claims).contains(new Claim(ClaimKind.NAMESPACE, "knative-lambda-" + env, env,
					"deploy/k8s/overlays/" + env + "/kustomization.yaml"));
			assertThat(claims).contains(new Claim(ClaimKind.VHOST, env, env,
					"deploy/k8s/overlays/" + env + "/kustomization.yaml"));
			assertThat(claims).contains(new Claim(ClaimKind.SECRET,
					"knative-lambda-" + env + "/stagecoach-promotion-rabbitmq", env,
					"deploy/k8s/overlays/" + env + "/kustomization.yaml"));
		}
	}

	@Test
	void everyOverlayAndValuesFileIsCheckedAsTheEnvironmentItsFolderOrFileNames() {
		Report report = new Linter("files", "developers").lint(DeployFiles.SHIPPED);

		assertThat(report.placements()).extracting(Placement::line).containsExactly(
				"skipped deploy/k8s/base/kustomization.yaml: a base of deploy/k8s/overlays/dev, deploy/k8s/overlays/prod,"
						+ " deploy/k8s/overlays/staging, checked through them",
				"checked deploy/k8s/cloud/dev/kustomization.yaml as dev: folder \"dev\"",
				"checked deploy/k8s/cloud/prod/kustomization.yaml as prod: folder \"prod\"",
				"checked deploy/k8s/cloud/staging/kustomization.yaml as staging: folder \"staging\"",
				"checked deploy/k8s/flux/dev/kustomization.yaml as dev: folder \"dev\"",
				"checked deploy/k8s/flux/prod/kustomization.yaml as prod: folder \"prod\"",
				"checked deploy/k8s/flux/staging/kustomization.yaml as staging: folder \"staging\"",
				"checked deploy/k8s/overlays/dev/kustomization.yaml as dev: folder \"dev\"",
				"checked deploy/k8s/overlays/prod/kustomization.yaml as prod: folder \"prod\"",
				"checked deploy/k8s/overlays/staging/kustomization.yaml as staging: folder \"staging\"",
				"checked deploy/k8s/secrets/dev/kustomization.yaml as dev: folder \"dev\"",
				"checked deploy/k8s/secrets/prod/kustomization.yaml as prod: folder \"prod\"",
				"checked deploy/k8s/secrets/staging/kustomization.yaml as staging: folder \"staging\"",
				"skipped deploy/k8s/workloads/base/kustomization.yaml: a base of deploy/k8s/workloads/overlays/dev,"
						+ " deploy/k8s/workloads/overlays/prod, deploy/k8s/workloads/overlays/staging, checked through them",
				"checked deploy/k8s/workloads/overlays/dev/kustomization.yaml as dev: folder \"dev\"",
				"checked deploy/k8s/workloads/overlays/prod/kustomization.yaml as prod: folder \"prod\"",
				"checked deploy/k8s/workloads/overlays/staging/kustomization.yaml as staging: folder \"staging\"",
				"checked deploy/helm/stagecoach/values-dev.yaml as dev: environment: dev in it",
				"checked deploy/helm/stagecoach/values-prod.yaml as prod: environment: prod in it",
				"checked deploy/helm/stagecoach/values-staging.yaml as staging: environment: staging in it",
				"skipped deploy/helm/stagecoach/values.yaml: the chart's defaults (Chart.yaml beside it), not one"
						+ " environment's");
	}

	private static List<Claim> claims(Renderer renderer, LintInputs inputs) {
		return claims(renderer, inputs, "overlays");
	}

	/** The claims of the kustomizations in folders named {@code parent} ({@code overlays}, {@code cloud}). */
	private static List<Claim> claims(Renderer renderer, LintInputs inputs, String parent) {
		return inputs.kustomizations()
			.stream()
			.filter(dir -> dir.getParent().getFileName().toString().equals(parent))
			.flatMap(dir -> Claims.fromOverlay(new Overlay(dir.getFileName().toString(), dir,
					inputs.display(FileRenderer.kustomizationFile(dir)), renderer.render(dir)), Set.of())
				.stream())
			.distinct()
			.toList();
	}
}
