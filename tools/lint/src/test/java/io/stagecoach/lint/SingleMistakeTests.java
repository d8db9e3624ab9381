package io.stagecoach.lint;

import static io.stagecoach.lint.DeployFiles.append;
import static io.stagecoach.lint.DeployFiles.edit;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The shipped deploy files with one mistake each: the linter names the file and the problem, as an error. */
class SingleMistakeTests {

	private static final String ENVIRONMENTS = "deploy/environments.yaml";

	@TempDir
	Path repository;

	record Mistake(String name, Consumer<Path> change, String file, String problem) {

		@Override
		public String toString() {
			return name;
		}
	}

	static List<Mistake> mistakes() {
		return List.of(
				new Mistake("staging overlay in dev's namespace",
						deploy -> edit(overlay(deploy, "staging"), "namespace: knative-lambda-staging", "namespace: knative-lambda-dev"),
						"deploy/k8s/overlays/staging/kustomization.yaml",
						"staging shares the namespace \"knative-lambda-dev\" with dev"),
				new Mistake("staging workload in dev's namespace",
						deploy -> edit(deploy.resolve("k8s/workloads/overlays/staging/kustomization.yaml"),
								"namespace: knative-lambda-staging", "namespace: knative-lambda-dev"),
						"deploy/k8s/workloads/overlays/staging/kustomization.yaml",
						"staging shares the namespace \"knative-lambda-dev\" with dev"),
				new Mistake("prod's Helm values in dev's namespace",
						deploy -> edit(deploy.resolve("helm/stagecoach/values-prod.yaml"), "namespace: knative-lambda-prod",
								"namespace: knative-lambda-dev"),
						"deploy/helm/stagecoach/values-prod.yaml", "prod shares the namespace \"knative-lambda-dev\" with dev"),
				new Mistake("two environments in one namespace in environments.yaml",
						deploy -> edit(deploy.resolve("environments.yaml"), "namespace: knative-lambda-prod",
								"namespace: knative-lambda-staging"),
						ENVIRONMENTS, "environment 'prod', field 'namespace': namespace 'knative-lambda-staging' is already used"
								+ " by environment 'staging'"),
				new Mistake("prod overlay connects to staging's vhost",
						deploy -> edit(overlay(deploy, "prod"), "SPRING_RABBITMQ_VIRTUAL_HOST\n                    value: prod",
								"SPRING_RABBITMQ_VIRTUAL_HOST\n                    value: staging"),
						"deploy/k8s/overlays/prod/kustomization.yaml", "prod shares the RabbitMQ vhost \"staging\" with staging"),
				new Mistake("environments.yaml gives staging dev's vhost",
						deploy -> edit(deploy.resolve("environments.yaml"), "vhost: staging", "vhost: dev"),
						ENVIRONMENTS, "environment 'staging', field 'vhost': vhost 'dev' is already used by environment 'dev'"),
				new Mistake("staging's Helm values use dev's vhost",
						deploy -> edit(deploy.resolve("helm/stagecoach/values-staging.yaml"), "vhost: staging", "vhost: dev"),
						"deploy/helm/stagecoach/values-staging.yaml", "staging shares the RabbitMQ vhost \"dev\" with dev"),
				new Mistake("one bucket in environments.yaml",
						deploy -> {
							edit(deploy.resolve("environments.yaml"), "    bucket: knative-lambda-artifacts-dev\n", "    bucket: artifacts\n");
							edit(deploy.resolve("environments.yaml"), "    bucket: knative-lambda-artifacts-prod\n", "    bucket: artifacts\n");
						},
						ENVIRONMENTS, "prod shares the bucket \"artifacts\" with dev"),
				new Mistake("one bucket for every overlay, from the base",
						deploy -> edit(deploy.resolve("k8s/base/kustomization.yaml"), "configMapGenerator:\n",
								"configMapGenerator:\n  - name: stagecoach-artifacts\n    literals:\n      - artifact-bucket=s3://stagecoach-artifacts/builds\n"),
						"deploy/k8s/overlays/staging/kustomization.yaml",
						"staging shares the bucket \"stagecoach-artifacts\" with dev"),
				new Mistake("one IAM role in environments.yaml",
						deploy -> {
							edit(deploy.resolve("environments.yaml"), "role/knative-lambda-staging\n", "role/stagecoach\n");
							edit(deploy.resolve("environments.yaml"), "role/knative-lambda-prod\n", "role/stagecoach\n");
						},
						ENVIRONMENTS, "prod shares the IAM role \"arn:aws:iam::123456789012:role/stagecoach\" with staging"),
				new Mistake("one IAM role on the promotion service account, from the base",
						deploy -> edit(deploy.resolve("k8s/base/services/promotion.yaml"),
								"kind: ServiceAccount\nmetadata:\n  name: promotion\n",
								"kind: ServiceAccount\nmetadata:\n  name: promotion\n  annotations:\n"
										+ "    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/stagecoach-promotion\n"),
						"deploy/k8s/overlays/prod/kustomization.yaml",
						"prod shares the IAM role \"arn:aws:iam::123456789012:role/stagecoach-promotion\" with dev"),
				new Mistake("one image repository in environments.yaml",
						deploy -> {
							edit(deploy.resolve("environments.yaml"),
									"    image-repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/knative-lambda-builder-dev\n",
									"    image-repository: ghcr.io/example/builds\n");
							edit(deploy.resolve("environments.yaml"),
									"    image-repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/knative-lambda-builder-prod\n",
									"    image-repository: ghcr.io/example/builds\n");
						},
						ENVIRONMENTS, "prod shares the image repository \"ghcr.io/example/builds\" with dev"),
				// the chart derives each service's RabbitMQ user (<vhost>-<service>) and Secret (stagecoach-<service>-rabbitmq
				// in the release's namespace): a values file names neither, only the vhost (above)
				new Mistake("prod without a ResourceQuota",
						deploy -> append(overlay(deploy, "prod"), deletePatch("v1", "ResourceQuota", "stagecoach-quota")),
						"deploy/k8s/overlays/prod/kustomization.yaml", "prod has no ResourceQuota"),
				new Mistake("staging without a default-deny NetworkPolicy",
						deploy -> append(overlay(deploy, "staging"),
								deletePatch("networking.k8s.io/v1", "NetworkPolicy", "default-deny-all")),
						"deploy/k8s/overlays/staging/kustomization.yaml", "staging has no default-deny NetworkPolicy"),
				new Mistake("dev's default deny that denies ingress only",
						deploy -> edit(deploy.resolve("k8s/base/network-policies.yaml"),
								"  name: default-deny-all\nspec:\n  podSelector: {}\n  policyTypes:\n    - Ingress\n    - Egress\n",
								"  name: default-deny-all\nspec:\n  podSelector: {}\n  policyTypes:\n    - Ingress\n"),
						"deploy/k8s/overlays/dev/kustomization.yaml", "dev has no default-deny NetworkPolicy"),
				new Mistake("a default deny that selects some pods only",
						deploy -> edit(deploy.resolve("k8s/base/network-policies.yaml"),
								"  name: default-deny-all\nspec:\n  podSelector: {}\n",
								"  name: default-deny-all\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/part-of: stagecoach\n"),
						"deploy/k8s/overlays/prod/kustomization.yaml", "prod has no default-deny NetworkPolicy"),
				new Mistake("a default deny with an allowance in it",
						deploy -> edit(deploy.resolve("k8s/base/network-policies.yaml"),
								"    - Ingress\n    - Egress\n---\n",
								"    - Ingress\n    - Egress\n  egress:\n    - {}\n---\n"),
						"deploy/k8s/overlays/staging/kustomization.yaml", "staging has no default-deny NetworkPolicy"),
				new Mistake("developers may edit prod",
						deploy -> edit(deploy.resolve("k8s/overlays/prod/people-rbac.yaml"), "  name: view\n", "  name: edit\n"),
						"deploy/k8s/overlays/prod/kustomization.yaml",
						"developers may change prod: RoleBinding/developers-view grants ClusterRole edit"),
				new Mistake("developers are admins of prod",
						deploy -> edit(deploy.resolve("k8s/overlays/prod/people-rbac.yaml"), "  name: view\n", "  name: admin\n"),
						"deploy/k8s/overlays/prod/kustomization.yaml",
						"developers may change prod: RoleBinding/developers-view grants ClusterRole admin"),
				new Mistake("developers get a Role in prod that patches Deployments",
						deploy -> append(deploy.resolve("k8s/overlays/prod/people-rbac.yaml"), """
								---
								apiVersion: rbac.authorization.k8s.io/v1
								kind: Role
								metadata:
								  name: hotfix
								rules:
								  - apiGroups: [apps]
								    resources: [deployments]
								    verbs: [get, list, patch]
								---
								apiVersion: rbac.authorization.k8s.io/v1
								kind: RoleBinding
								metadata:
								  name: developers-hotfix
								roleRef:
								  apiGroup: rbac.authorization.k8s.io
								  kind: Role
								  name: hotfix
								subjects:
								  - apiGroup: rbac.authorization.k8s.io
								    kind: Group
								    name: developers
								"""),
						"deploy/k8s/overlays/prod/kustomization.yaml",
						"developers may change prod: RoleBinding/developers-hotfix grants Role hotfix (patch)"),
				new Mistake("a ClusterRoleBinding in dev lets developers edit every namespace",
						deploy -> append(deploy.resolve("k8s/overlays/dev/people-rbac.yaml"), """
								---
								apiVersion: rbac.authorization.k8s.io/v1
								kind: ClusterRoleBinding
								metadata:
								  name: developers-edit-everywhere
								roleRef:
								  apiGroup: rbac.authorization.k8s.io
								  kind: ClusterRole
								  name: edit
								subjects:
								  - apiGroup: rbac.authorization.k8s.io
								    kind: Group
								    name: developers
								"""),
						"deploy/k8s/overlays/dev/kustomization.yaml",
						"developers may change every namespace of the cluster: ClusterRoleBinding/developers-edit-everywhere grants ClusterRole edit"),
				new Mistake("a manual gate without approvers",
						deploy -> edit(deploy.resolve("environments.yaml"), "    approvers: [sre-team]\n", ""),
						ENVIRONMENTS, "environment 'prod', field 'gate': gate manual needs approvers, and none are listed"),
				new Mistake("a manual gate with an empty approver list",
						deploy -> edit(deploy.resolve("environments.yaml"), "approvers: [sre-team]", "approvers: []"),
						ENVIRONMENTS, "environment 'prod', field 'approvers': gate manual needs approvers, and none are listed"),
				new Mistake("secret values committed in dev",
						deploy -> append(overlay(deploy, "dev"), """
								secretGenerator:
								  - name: stagecoach-promotion-rabbitmq
								    literals:
								      - username=dev-promotion
								      - password=not-a-real-password
								"""),
						"deploy/k8s/overlays/dev/kustomization.yaml", "dev commits the values of Secret/stagecoach-promotion-rabbitmq"),
				new Mistake("staging's overlay says it is dev",
						deploy -> edit(overlay(deploy, "staging"), "STAGECOACH_ENVIRONMENT\n                    value: staging",
								"STAGECOACH_ENVIRONMENT\n                    value: dev"),
						"deploy/k8s/overlays/staging/kustomization.yaml", "STAGECOACH_ENVIRONMENT is not staging in staging's overlay"),
				new Mistake("the ConfigMap's copy of environments.yaml is stale",
						deploy -> edit(deploy.resolve("environments.yaml"), "approval-ttl: 24h", "approval-ttl: 4h"),
						"deploy/k8s/overlays/prod/kustomization.yaml",
						"holds an environments.yaml that differs from deploy/environments.yaml"),
				new Mistake("dev's overlay sets no namespace",
						deploy -> edit(overlay(deploy, "dev"), "namespace: knative-lambda-dev\n", ""),
						"deploy/k8s/overlays/dev/kustomization.yaml", "object(s) without a namespace"),
				new Mistake("environments.yaml names another namespace than the overlay",
						deploy -> {
							edit(deploy.resolve("environments.yaml"), "namespace: knative-lambda-staging", "namespace: stagecoach-staging");
							edit(deploy.resolve("k8s/base/config/environments.yaml"), "namespace: knative-lambda-staging",
									"namespace: stagecoach-staging");
						},
						"deploy/k8s/overlays/staging/kustomization.yaml",
						"staging renders into namespace knative-lambda-staging but deploy/environments.yaml gives it stagecoach-staging"),
				new Mistake("dev's promotion user is permitted on prod's vhost",
						deploy -> DeployFiles.editJson(deploy.resolve("rabbitmq/definitions.json"), definitions -> {
							ObjectNode permission = ((ArrayNode) definitions.get("permissions")).addObject();
							permission.put("user", "dev-promotion");
							permission.put("vhost", "prod");
							permission.put("configure", "^$");
							permission.put("write", "^$");
							permission.put("read", "^stagecoach\\.audit$");
						}),
						"deploy/rabbitmq/definitions.json", "prod shares the RabbitMQ user \"dev-promotion\" with dev"),
				new Mistake("a password hash in the broker definitions",
						deploy -> DeployFiles.editJson(deploy.resolve("rabbitmq/definitions.json"),
								definitions -> ((ObjectNode) definitions.get("users").get(0)).put("password_hash",
										"kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR")),
						"deploy/rabbitmq/definitions.json", "commits a password for RabbitMQ user dev-build-completed"),
				new Mistake("a pipeline credential with the administrator tag",
						deploy -> DeployFiles.editJson(deploy.resolve("rabbitmq/definitions.json"),
								definitions -> ((ObjectNode) definitions.get("users").get(0)).put("tags",
										"administrator")),
						"deploy/rabbitmq/definitions.json",
						"RabbitMQ user dev-build-completed has the tag(s) [administrator]"),
				new Mistake("the management UI for a user that may act",
						deploy -> DeployFiles.editJson(deploy.resolve("rabbitmq/definitions.json"),
								definitions -> ((ObjectNode) definitions.get("users").get(0)).put("tags",
										"management")),
						"deploy/rabbitmq/definitions.json",
						"RabbitMQ user dev-build-completed may log in to the management UI (tag management) and act"),
				new Mistake("a shovel URI with a password",
						deploy -> DeployFiles.editJson(deploy.resolve("rabbitmq/definitions.json"),
								definitions -> ((ObjectNode) definitions.get("parameters").get(0).get("value")).put("dest-uri",
										"amqp://admin:admin@rabbitmq.example/staging")),
						"deploy/rabbitmq/definitions.json", "carries a password in its dest-uri"),
				new Mistake("an overlay that does not render",
						deploy -> append(overlay(deploy, "staging"), "  - path: missing-patch.yaml\n"),
						"deploy/k8s/overlays/staging/kustomization.yaml", "staging does not render"));
	}

	static Stream<Arguments> mistakesPerRenderer() {
		return Stream.of("kubectl", "files").flatMap(render -> mistakes().stream().map(m -> Arguments.of(render, m)));
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("mistakesPerRenderer")
	void detectsTheMistake(String render, Mistake mistake) {
		Path deploy = DeployFiles.copyShipped(repository);
		mistake.change().accept(deploy);

		Report report = new Linter(render, "developers").lint(repository);

		assertThat(report.findings())
			.as(report.findings().stream().map(Finding::line).reduce("findings:", (a, b) -> a + "\n" + b))
			.anySatisfy(finding -> {
				assertThat(finding.severity()).isEqualTo(Severity.ERROR);
				assertThat(finding.file()).isEqualTo(mistake.file());
				assertThat(finding.problem()).contains(mistake.problem());
				assertThat(finding.fix()).isNotBlank();
			});
		assertThat(report.hasErrors()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "kubectl", "files" })
	void theUnchangedCopyHasNoFindings(String render) {
		DeployFiles.copyShipped(repository);

		Report report = new Linter(render, "developers").lint(repository);

		assertThat(report.findings()).extracting(Finding::line).isEmpty();
		assertThat(report.checked()).contains(ENVIRONMENTS);
	}

	private static Path overlay(Path deploy, String env) {
		return deploy.resolve("k8s/overlays/" + env + "/kustomization.yaml");
	}

	/** A patch appended to the overlay's patches list (the last list in each shipped overlay). */
	private static String deletePatch(String apiVersion, String kind, String name) {
		return """
				  - patch: |-
				      $patch: delete
				      apiVersion: %s
				      kind: %s
				      metadata:
				        name: %s
				""".formatted(apiVersion, kind, name);
	}
}
