package io.stagecoach.lint;

import static io.stagecoach.lint.DeployFiles.edit;
import static io.stagecoach.lint.DeployFiles.move;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The seed's repository rearranged the ways teams arrange theirs: the linter still finds every kustomization
 * and values file, ties each to its environment and says how.
 */
class LayoutTests {

	@TempDir
	Path repository;

	private Report lint() {
		return new Linter("files", "developers").lint(repository);
	}

	private Report lintSeedWith(String prodFolder) {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT_MISTAKES, repository);
		if (!prodFolder.equals("prd")) {
			move(repository.resolve("overlays/prd"), repository.resolve("overlays/" + prodFolder));
		}
		return lint();
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			production   | folder "production", an alias of prod
			PRD          | folder "PRD", an alias of prod
			prod         | folder "prod"
			shop-prd     | folder "shop-prd", prod's namespace
			""")
	void prodsOverlayIsProdWhateverTheTeamCallsItsFolder(String folder, String how) {
		Report report = lintSeedWith(folder);

		assertThat(report.placements()).extracting(Placement::line)
			.contains("checked overlays/" + folder + "/kustomization.yaml as prod: " + how,
					"checked overlays/" + folder + "/values.yaml as prod: " + how);
		assertThat(report.findings()).extracting(Finding::line)
			.contains("overlays/" + folder + "/kustomization.yaml: error: developers may change prod: RoleBinding/developers"
					+ " grants ClusterRole edit — fix: bind developers to ClusterRole view in prod; changes reach it through"
					+ " the approval gate");
	}

	@ParameterizedTest(name = "{0} and {1}")
	@CsvSource({ "development, stg", "develop, stage" })
	void devAndStagingGoByTheirAliasesToo(String devFolder, String stagingFolder) {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT, repository);
		move(repository.resolve("overlays/dev"), repository.resolve("overlays/" + devFolder));
		move(repository.resolve("overlays/staging"), repository.resolve("overlays/" + stagingFolder));

		Report report = lint();

		assertThat(report.findings()).isEmpty();
		assertThat(report.placements()).extracting(Placement::line).contains(
				"checked overlays/" + devFolder + "/kustomization.yaml as dev: folder \"" + devFolder + "\", an alias of dev",
				"checked overlays/" + stagingFolder + "/values.yaml as staging: folder \"" + stagingFolder
						+ "\", an alias of staging");
	}

	@Test
	void aliasesWorkBothWaysWhenTheEnvironmentItselfIsCalledPrd() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT, repository);
		edit(repository.resolve("environments.yaml"), "  - name: prod\n    vhost: prod\n", "  - name: prd\n    vhost: prod\n");
		move(repository.resolve("overlays/prd"), repository.resolve("overlays/prod"));

		Report report = lint();

		assertThat(report.findings()).isEmpty();
		assertThat(report.environments()).isEqualTo("dev, staging, prd (from environments.yaml)");
		assertThat(report.placements()).extracting(Placement::line)
			.contains("checked overlays/prod/kustomization.yaml as prd: folder \"prod\", an alias of prd");
	}

	@Test
	void anOverlayFolderNamedOtherwiseIsTiedByItsNamespace() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT_MISTAKES, repository);
		move(repository.resolve("overlays/prd"), repository.resolve("overlays/eu-west-1"));

		Report report = lint();

		assertThat(report.placements()).extracting(Placement::line).contains(
				"checked overlays/eu-west-1/kustomization.yaml as prod: namespace: shop-prd in it, prod's namespace",
				"checked overlays/eu-west-1/values.yaml as prod: namespace: shop-prd in it, prod's namespace");
		assertThat(report.findings()).extracting(Finding::problem)
			.contains("developers may change prod: RoleBinding/developers grants ClusterRole edit");
	}

	@Test
	void valuesFilesOutsideTheOverlaysGoByTheirNames() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT_MISTAKES, repository);
		move(repository.resolve("overlays/dev/values.yaml"), repository.resolve("helm/values-development.yaml"));
		move(repository.resolve("overlays/staging/values.yaml"), repository.resolve("helm/values.stg.yaml"));
		move(repository.resolve("overlays/prd/values.yaml"), repository.resolve("helm/values_prd.yml"));
		DeployFiles.write(repository.resolve("helm/values-common.yaml"), "replicas: 2\n");

		Report report = lint();

		assertThat(report.placements()).extracting(Placement::line).contains(
				"checked helm/values-development.yaml as dev: \"development\" in its name, an alias of dev",
				"checked helm/values.stg.yaml as staging: \"stg\" in its name, an alias of staging",
				"checked helm/values_prd.yml as prod: \"prd\" in its name, an alias of prod",
				"skipped helm/values-common.yaml: values shared by every environment, not one environment's");
		assertThat(report.findings()).extracting(Finding::line).contains(
				"helm/values.stg.yaml: error: staging shares the bucket \"shop-artifacts-dev\" with dev — fix: use staging's"
						+ " own bucket, shop-artifacts-staging, as environments.yaml gives it",
				"helm/values_prd.yml: error: prod shares the credential Secret \"shop-staging-rabbitmq\" with staging — fix:"
						+ " reference a Secret of prod's own, in prod's own namespace (see deploy/k8s/README.md)");
	}

	@Test
	void anOverlayOfAnEnvironmentEnvironmentsYamlDoesNotListIsAnError() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT, repository);
		DeployFiles.copy(repository.resolve("overlays/dev"), repository.resolve("overlays/qa"));
		edit(repository.resolve("overlays/qa/kustomization.yaml"), "namespace: shop-dev", "namespace: shop-qa");
		edit(repository.resolve("overlays/qa/namespace.yaml"), "name: shop-dev", "name: shop-qa");

		Report report = lint();

		assertThat(report.findings()).extracting(Finding::line).contains(
				"overlays/qa/kustomization.yaml: error: qa is not an environment of environments.yaml — fix: name the folder"
						+ " after an environment of environments.yaml: dev, staging, prod (or prd, production, stage, stg,"
						+ " develop, development), or add qa there");
	}

	@Test
	void withoutEnvironmentsYamlAnOverlayBesideTheOthersIsAnEnvironmentOfItsOwn() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT, repository);
		DeployFiles.delete(repository.resolve("environments.yaml"));
		DeployFiles.copy(repository.resolve("overlays/dev"), repository.resolve("overlays/qa"));
		edit(repository.resolve("overlays/qa/kustomization.yaml"), "namespace: shop-dev", "namespace: shop-qa");
		edit(repository.resolve("overlays/qa/namespace.yaml"), "name: shop-dev", "name: shop-qa");

		Report report = lint();

		assertThat(report.environments()).isEqualTo("dev, staging, prod, qa (the default names: no environments.yaml found)");
		assertThat(report.placements()).extracting(Placement::line).contains(
				"checked overlays/qa/kustomization.yaml as qa: folder \"qa\", an environment of its own (the default names:"
						+ " no environments.yaml found)");
		assertThat(report.findings()).extracting(Finding::problem).contains(
				"qa shares the bucket \"shop-artifacts-dev\" with dev", "qa shares the RabbitMQ user \"dev-shop\" with dev");
	}

	@Test
	void componentsNestedBasesAndAnAggregateAreCheckedThroughTheOverlaysThatUseThem() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT, repository);
		DeployFiles.write(repository.resolve("overlays/prd/hardening/kustomization.yaml"), """
				apiVersion: kustomize.config.k8s.io/v1alpha1
				kind: Component
				labels:
				  - pairs:
				      hardened: "true"
				""");
		DeployFiles.append(repository.resolve("overlays/prd/kustomization.yaml"), "components:\n  - hardening\n");
		DeployFiles.write(repository.resolve("kustomization.yaml"), """
				resources:
				  - overlays/dev
				  - overlays/staging
				  - overlays/prd
				""");

		Report report = lint();

		assertThat(report.findings()).isEmpty();
		assertThat(report.placements()).extracting(Placement::line).contains(
				"skipped kustomization.yaml: renders overlays/dev, overlays/prd, overlays/staging together; each is checked"
						+ " on its own",
				"skipped overlays/prd/hardening/kustomization.yaml: a kustomize Component used by overlays/prd, checked"
						+ " through it",
				"checked overlays/prd/kustomization.yaml as prod: folder \"prd\", an alias of prod");
	}

	@Test
	void oneFolderPerEnvironmentWithItsOwnBaseAndOverlayIsCheckedOncePerEnvironment() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT, repository.resolve("source"));
		for (String env : new String[] { "dev", "staging", "prd" }) {
			DeployFiles.copy(repository.resolve("source/base"), repository.resolve("clusters/" + env + "/base"));
			DeployFiles.copy(repository.resolve("source/overlays/" + env), repository.resolve("clusters/" + env + "/app"));
			edit(repository.resolve("clusters/" + env + "/app/kustomization.yaml"), "../../base", "../base");
		}
		move(repository.resolve("source/environments.yaml"), repository.resolve("environments.yaml"));
		DeployFiles.copy(repository.resolve("source/charts"), repository.resolve("charts"));
		deleteTree(repository.resolve("source"));

		Report report = lint();

		assertThat(report.findings()).isEmpty();
		assertThat(report.placements()).extracting(Placement::line).contains(
				"skipped clusters/prd/base/kustomization.yaml: part of clusters/prd/app, checked through it",
				"checked clusters/prd/app/kustomization.yaml as prod: folder \"prd\", an alias of prod",
				"checked clusters/prd/app/values.yaml as prod: folder \"prd\", an alias of prod");
		assertThat(report.checked()).containsExactly("environments.yaml", "3 overlay(s)", "3 Helm values file(s)");
	}

	@Test
	void theEnvironmentsFileNearestTheTopIsThePathAndCopiesBelowAreNot() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT, repository);
		DeployFiles.write(repository.resolve("base/config/environments.yaml"), "not: the path\n");

		assertThat(LintInputs.discover(repository).environmentsFile()).isEqualTo(repository.resolve("environments.yaml"));
		assertThat(lint().findings()).isEmpty();
	}

	private static void deleteTree(Path dir) {
		try (Stream<Path> files = Files.walk(dir)) {
			files.sorted(Comparator.reverseOrder()).forEach(DeployFiles::delete);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}
}
