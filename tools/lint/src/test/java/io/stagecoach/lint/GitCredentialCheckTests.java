package io.stagecoach.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Git push credential that developers can read must not write a manually gated environment. */
class GitCredentialCheckTests {

	private static final String STAGING = "deploy/k8s/overlays/staging/kustomization.yaml";

	@TempDir
	Path repository;

	@Test
	void theShippedLayoutGivesDevelopersNoGitCredential() {
		Report report = new Linter("files", "developers").lint(DeployFiles.SHIPPED);

		assertThat(report.findings()).extracting(Finding::problem).noneMatch(p -> p.contains("Git push credential"));
	}

	@Test
	void developersWithEditInStagingCanReadTheCredentialThatWritesProd() {
		Path deploy = DeployFiles.copyShipped(repository);
		developersGetEdit(deploy, "staging");

		Report report = new Linter("files", "developers").lint(repository);

		assertThat(report.findings()).filteredOn(f -> f.problem().contains("Git push credential")).singleElement()
			.satisfies(finding -> {
				assertThat(finding.severity()).isEqualTo(Severity.ERROR);
				assertThat(finding.file()).isEqualTo(STAGING);
				assertThat(finding.problem()).contains("developers can read the Git push credential "
						+ "stagecoach-git-credentials in staging", "grants ClusterRole edit",
						"can write the desired state of prod",
						"staging names no gitops-repository of its own in environments.yaml");
				assertThat(finding.fix()).contains("a role that does not read secrets", "gitops-repository");
			});
		assertThat(report.hasErrors()).isTrue();
	}

	@Test
	void aRoleOfTheOverlaysOwnThatReadsSecretsCountsToo() {
		Path deploy = DeployFiles.copyShipped(repository);
		DeployFiles.edit(deploy.resolve("k8s/overlays/staging/people-rbac.yaml"),
				"    resources: [pods/log, events, endpoints]\n", "    resources: [pods/log, events, endpoints, secrets]\n");

		Report report = new Linter("files", "developers").lint(repository);

		assertThat(report.findings()).extracting(Finding::problem)
			.anyMatch(p -> p.contains("Git push credential stagecoach-git-credentials in staging")
					&& p.contains("RoleBinding/developers-change grants Role developer"));
	}

	@Test
	void aRepositoryOfEachEnvironmentsOwnKeepsTheCredentialFromProd() {
		Path deploy = DeployFiles.copyShipped(repository);
		developersGetEdit(deploy, "staging");
		ownRepositories(deploy, "https://git.example.com/acme/deploy-{env}.git", null);

		Report report = new Linter("files", "developers").lint(repository);

		assertThat(report.findings()).extracting(Finding::line).isEmpty();
	}

	@Test
	void aProtectedBranchOfEachEnvironmentsOwnKeepsTheCredentialFromProdButOneSharedBranchDoesNot() {
		Path deploy = DeployFiles.copyShipped(repository);
		developersGetEdit(deploy, "staging");
		ownRepositories(deploy, "https://git.example.com/acme/deploy.git", "{env}");

		assertThat(new Linter("files", "developers").lint(repository).findings()).extracting(Finding::line).isEmpty();

		DeployFiles.edit(deploy.resolve("environments.yaml"), "    gitops-branch: prod\n", "    gitops-branch: staging\n");
		DeployFiles.write(deploy.resolve("k8s/base/config/environments.yaml"), DeployFiles.read(deploy.resolve("environments.yaml")));

		assertThat(new Linter("files", "developers").lint(repository).findings()).extracting(Finding::problem)
			.anyMatch(p -> p.contains("Git push credential") && p.contains("staging and prod name the same"
					+ " gitops-repository and branch"));
	}

	private static void developersGetEdit(Path deploy, String environment) {
		DeployFiles.edit(deploy.resolve("k8s/overlays/" + environment + "/people-rbac.yaml"),
				"  name: developers-change\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: developer\n",
				"  name: developers-edit\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: edit\n");
	}

	private static void ownRepositories(Path deploy, String repository, String branch) {
		for (String env : List.of("dev", "staging", "prod")) {
			DeployFiles.edit(deploy.resolve("environments.yaml"), "    namespace: knative-lambda-" + env + "\n",
					"    namespace: knative-lambda-" + env + "\n"
							+ "    gitops-repository: " + repository.replace("{env}", env) + "\n"
							+ (branch == null ? "" : "    gitops-branch: " + branch.replace("{env}", env) + "\n"));
		}
		DeployFiles.write(deploy.resolve("k8s/base/config/environments.yaml"), DeployFiles.read(deploy.resolve("environments.yaml")));
	}
}
