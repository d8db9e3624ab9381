package io.stagecoach.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShippedDeployTests {

	@ParameterizedTest
	@ValueSource(strings = { "kubectl", "files" })
	void shippedDeployHasNoFindings(String render) {
		Report report = new Linter(render, "developers").lint(DeployFiles.SHIPPED);

		assertThat(report.findings()).extracting(Finding::line).isEmpty();
		assertThat(report.hasErrors()).isFalse();
		assertThat(report.checked()).containsExactly("deploy/environments.yaml", "3 overlay(s)", "3 workload overlay(s)",
				"3 Helm values file(s)", "deploy/rabbitmq/definitions.json");
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

	private static List<Claim> claims(Renderer renderer, LintInputs inputs) {
		return inputs.overlays()
			.stream()
			.flatMap(dir -> Claims.fromOverlay(new Overlay(dir.getFileName().toString(), dir,
					inputs.display(FileRenderer.kustomizationFile(dir)), false, renderer.render(dir)))
				.stream())
			.distinct()
			.toList();
	}
}
