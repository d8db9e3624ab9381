package io.stagecoach.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
		assertThat(out.toString(StandardCharsets.UTF_8)).contains(
				"checked deploy/k8s/overlays/prod/kustomization.yaml as prod: folder \"prod\"\n",
				"\nstagecoach-lint: 0 error(s), 0 warning(s) in deploy/environments.yaml, 15 overlay(s), 3 Helm values"
						+ " file(s), deploy/rabbitmq/definitions.json; environments dev, staging, prod (from"
						+ " deploy/environments.yaml); overlays ");
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
	void anEmptyFolderHasNothingToCheckAndExitsTwoSayingWhereItLooked(@TempDir Path empty) {
		assertThat(run(empty.toString())).isEqualTo(2);

		assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
		assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("stagecoach-lint: nothing to check in " + empty + ".\n")
			.contains("every folder below it (except hidden folders, target, build, node_modules, vendor, testdata and"
					+ " src/test)", "kustomization.yaml, kustomization.yml, Kustomization", "values*.yaml",
					"environments.yaml", "definitions.json", "and found none.",
					"name overlay folders after environments: dev, staging, prod (or prd, production, stage, stg,"
							+ " develop, development)",
					"--overlay DIR");
	}

	@Test
	void anUnrelatedFolderExitsTwoAndSaysWhatItFoundWasNoEnvironments(@TempDir Path project) {
		DeployFiles.write(project.resolve("README.md"), "# a library\n");
		DeployFiles.write(project.resolve("src/main/java/Library.java"), "class Library {}\n");
		DeployFiles.write(project.resolve("tools/kustomization.yaml"), "resources:\n  - job.yaml\n");

		assertThat(run(project.toString())).isEqualTo(2);

		assertThat(out.toString(StandardCharsets.UTF_8)).contains(
				"skipped tools/kustomization.yaml: no environment (see the warning)",
				"tools/kustomization.yaml: warning: cannot tell which environment this kustomization is for")
			.doesNotContain("0 error(s)");
		assertThat(err.toString(StandardCharsets.UTF_8))
			.contains("found 1 kustomization(s) and values file(s), none of them an environment's (see above)");
	}

	@Test
	void deployFilesUnderBuildOutputDependenciesAndTestsAreNotSearched(@TempDir Path project) {
		for (String ignored : List.of("target/classes", "node_modules/chart", ".git/x", "src/test/resources/fixture")) {
			DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT, project.resolve(ignored));
		}

		assertThat(run("--render", "files", project.toString())).isEqualTo(2);
		assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
	}

	@Test
	void aFolderThatIsNotThereIsAUsageMistake(@TempDir Path parent) {
		assertThat(run(parent.resolve("missing").toString())).isEqualTo(2);
		assertThat(run("--overlay", parent.resolve("missing").toString())).isEqualTo(2);
		assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing is not a folder", "no such file or folder");
	}

	@Test
	void refusesUnknownOptionsAndModes() {
		assertThat(run("--colour", ".")).isEqualTo(2);
		assertThat(run("--render", "helm", ".")).isEqualTo(2);
		assertThat(run("--render")).isEqualTo(2);
		assertThat(run()).isEqualTo(2);
		assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown option: '--colour'",
				"--render: unknown render mode helm (auto, kubectl, files)", "Missing required parameter for option '--render' (MODE)",
				"Name the folder to check, or the inputs", "Usage: stagecoach-lint");
	}

	@Test
	void helpListsTheOptions() {
		assertThat(run("--help")).isZero();
		assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: stagecoach-lint")
			.contains("--overlay", "--helm-values", "--rabbitmq-definitions", "Exit status:");
	}
}
