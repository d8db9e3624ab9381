package io.stagecoach.lint;

import static io.stagecoach.lint.DeployFiles.edit;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

import io.stagecoach.platform.environments.CloudResources;
import io.stagecoach.platform.environments.Environments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A repository laid out as many teams lay it out: {@code base/} and {@code overlays/dev|staging|prd/} at the
 * root, Helm values inside the overlays, environments.yaml with each environment's image repository, bucket
 * and role.
 */
class SeedLayoutTests {

	private static final String DEV = "overlays/dev/kustomization.yaml";

	private static final String STAGING = "overlays/staging/kustomization.yaml";

	private static final String STAGING_VALUES = "overlays/staging/values.yaml";

	private static final String PRD = "overlays/prd/kustomization.yaml";

	private static final String PRD_VALUES = "overlays/prd/values.yaml";

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	@TempDir
	Path repository;

	private int run(String... args) {
		return LintCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	private String output() {
		return out.toString(StandardCharsets.UTF_8);
	}

	@ParameterizedTest
	@ValueSource(strings = { "kubectl", "files" })
	void reportsEachMistakeWithItsFileAndFixAndExitsOne(String render) {
		int status = run("--render", render, DeployFiles.SEED_LAYOUT_MISTAKES.toString());

		assertThat(status).isEqualTo(1);
		assertThat(output().lines().filter(line -> line.contains(": error: ") || line.contains(": warning: ")))
			.containsExactly(
					DEV + ": error: dev has no ResourceQuota in namespace shop-dev — fix: add a ResourceQuota sized for dev to this overlay or the base it includes (Stagecoach's is deploy/k8s/base/quota.yaml)",
					PRD + ": error: developers may change prod: RoleBinding/developers grants ClusterRole edit — fix: bind developers to ClusterRole view in prod; changes reach it through the approval gate",
					PRD + ": error: prod shares the IAM role \"arn:aws:iam::123456789012:role/shop-staging\" with staging — fix: use prod's own IAM role, arn:aws:iam::210987654321:role/shop-prd, as environments.yaml gives it",
					PRD + ": error: prod shares the image repository \"123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-dev\" with dev — fix: use prod's own image repository, 210987654321.dkr.ecr.eu-west-1.amazonaws.com/shop-prd, as environments.yaml gives it",
					PRD_VALUES + ": error: prod shares the credential Secret \"shop-staging-rabbitmq\" with staging — fix: reference a Secret of prod's own, in prod's own namespace (see deploy/k8s/README.md)",
					STAGING + ": error: staging has no default-deny NetworkPolicy in namespace shop-staging (podSelector {}, policyTypes Ingress and Egress, no rules) — fix: add one to this overlay or the base it includes (Stagecoach's is default-deny-all in deploy/k8s/base/network-policies.yaml) and allow only what staging needs",
					STAGING_VALUES + ": error: staging shares the RabbitMQ user \"dev-shop\" with dev — fix: use staging's own user, <environment>-<service>",
					STAGING_VALUES + ": error: staging shares the bucket \"shop-artifacts-dev\" with dev — fix: use staging's own bucket, shop-artifacts-staging, as environments.yaml gives it");
		assertThat(output()).contains("\nstagecoach-lint: 8 error(s), 0 warning(s) in environments.yaml, 3 overlay(s),"
				+ " 3 Helm values file(s); environments dev, staging, prod (from environments.yaml); overlays ");
	}

	@ParameterizedTest
	@ValueSource(strings = { "kubectl", "files" })
	void theSameLayoutFixedPassesAndSaysWhatItChecked(String render) {
		int status = run("--render", render, DeployFiles.SEED_LAYOUT.toString());

		assertThat(status).as(output()).isZero();
		assertThat(output().lines()).containsExactly(
				"skipped base/kustomization.yaml: a base of overlays/dev, overlays/prd, overlays/staging, checked through them",
				"checked overlays/dev/kustomization.yaml as dev: folder \"dev\"",
				"checked overlays/prd/kustomization.yaml as prod: folder \"prd\", an alias of prod",
				"checked overlays/staging/kustomization.yaml as staging: folder \"staging\"",
				"skipped charts/shop/values.yaml: the chart's defaults (Chart.yaml beside it), not one environment's",
				"checked overlays/dev/values.yaml as dev: folder \"dev\"",
				"checked overlays/prd/values.yaml as prod: folder \"prd\", an alias of prod",
				"checked overlays/staging/values.yaml as staging: folder \"staging\"",
				"stagecoach-lint: 0 error(s), 0 warning(s) in environments.yaml, 3 overlay(s), 3 Helm values file(s);"
						+ " environments dev, staging, prod (from environments.yaml); overlays "
						+ new Linter(render, "developers").lint(DeployFiles.SEED_LAYOUT).renderedWith());
	}

	@Test
	void withoutEnvironmentsYamlTheAliasesStillMakePrdTheProtectedProd() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT_MISTAKES, repository);
		DeployFiles.delete(repository.resolve("environments.yaml"));

		Report report = new Linter("files", "developers").lint(repository);

		assertThat(report.environments()).isEqualTo("dev, staging, prod (the default names: no environments.yaml found)");
		assertThat(report.placements()).extracting(Placement::line)
			.contains("checked overlays/prd/kustomization.yaml as prod: folder \"prd\", an alias of prod");
		assertThat(report.findings()).extracting(Finding::line)
			.contains(PRD + ": error: developers may change prod: RoleBinding/developers grants ClusterRole edit — fix: bind developers to ClusterRole view in prod; changes reach it through the approval gate",
					STAGING_VALUES + ": error: staging shares the bucket \"shop-artifacts-dev\" with dev — fix: give staging a bucket of its own, such as shop-artifacts-dev-staging")
			.hasSize(7);
	}

	@Test
	void anEnvironmentsFileWithTheCloudFieldsIsReadThroughThePlatform() {
		Report report = new Linter("files", "developers").lint(DeployFiles.SEED_LAYOUT);

		assertThat(report.checked()).contains("environments.yaml");
		assertThat(report.environments()).isEqualTo("dev, staging, prod (from environments.yaml)");
		assertThat(report.findings()).isEmpty();
		assertThat(Environments.load(DeployFiles.SEED_LAYOUT.resolve("environments.yaml")).get("prod").cloud())
			.isEqualTo(new CloudResources(Optional.of("210987654321.dkr.ecr.eu-west-1.amazonaws.com/shop-prd"),
					Optional.of("shop-artifacts-prd"), Optional.of("arn:aws:iam::210987654321:role/shop-prd")));
	}

	@Test
	void twoEnvironmentsNamingOneBucketInEnvironmentsYamlIsReported() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT, repository);
		edit(repository.resolve("environments.yaml"), "bucket: shop-artifacts-prd", "bucket: s3://shop-artifacts-staging/prd");

		Report report = new Linter("files", "developers").lint(repository);

		assertThat(report.findings()).extracting(Finding::line).containsExactly(
				"environments.yaml: error: prod shares the bucket \"shop-artifacts-staging\" with staging — fix: give prod"
						+ " a bucket of its own, such as shop-artifacts-staging-prod");
	}

	@Test
	void aCloudFieldThePlatformRefusesIsReportedWithItsLine() {
		DeployFiles.copyFixture(DeployFiles.SEED_LAYOUT, repository);
		edit(repository.resolve("environments.yaml"), "iam-role: arn:aws:iam::210987654321:role/shop-prd",
				"iam-role: shop-prd");
		edit(repository.resolve("environments.yaml"), "    bucket: shop-artifacts-dev\n", "    registry: shop-dev\n");

		Report report = new Linter("files", "developers").lint(repository);

		assertThat(report.findings()).extracting(Finding::line).containsExactly(
				"environments.yaml:16: error: unknown field 'registry' in environment 'dev' — fix: remove it or correct"
						+ " it; known fields: name, vhost, gate, namespace, audit-retention, approvers, min-approvals,"
						+ " approval-ttl, image-repository, image-retention, bucket, iam-role, gitops-repository, gitops-branch, deploy-target, freeze, soak (did you mean"
						+ " 'image-repository'?)",
				"environments.yaml:36: error: environment 'prod', field 'iam-role': 'shop-prd' is not a role the linter"
						+ " can match against service accounts — fix: write an AWS role ARN"
						+ " (arn:aws:iam::123456789012:role/stagecoach-prod), a GCP service account"
						+ " (stagecoach-prod@my-project.iam.gserviceaccount.com) or an Azure client id (a lower-case UUID),"
						+ " as the service account annotation says it");
		assertThat(report.environments()).isEqualTo("dev, staging, prod (the default names: environments.yaml is invalid)");
	}

	@Test
	void namedInputsAreTiedToEnvironmentsTheSameWay() {
		Path seed = DeployFiles.SEED_LAYOUT;

		int status = run("--render", "files", "--environments", seed.resolve("environments.yaml").toString(), "--overlay",
				seed.resolve("overlays/prd").toString(), "--helm-values", seed.resolve("overlays/prd/values.yaml").toString());

		assertThat(status).as(output()).isZero();
		assertThat(output()).contains("checked " + seed + "/overlays/prd/kustomization.yaml as prod: folder \"prd\", an alias of prod",
				"checked " + seed + "/overlays/prd/values.yaml as prod: folder \"prd\", an alias of prod",
				"stagecoach-lint: 0 error(s), 0 warning(s) in " + seed + "/environments.yaml, 1 overlay(s), 1 Helm values file(s)");
	}
}
