package io.stagecoach.platform.environments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentsTests {

    private final Environments defaults = Environments.loadDefault();

    @Test
    void theDefaultPathIsDevThenStagingThenProd() {
        assertThat(defaults.all()).extracting(Environment::name).containsExactly("dev", "staging", "prod");
        assertThat(defaults.all()).extracting(Environment::vhost).containsExactly("dev", "staging", "prod");
        assertThat(defaults.all()).extracting(Environment::namespace)
                .containsExactly("knative-lambda-dev", "knative-lambda-staging", "knative-lambda-prod");
        assertThat(defaults.all()).extracting(Environment::auditRetention)
                .containsExactly(Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(90));
        assertThat(defaults.services()).containsExactly("knative-lambda-builder");
        assertThat(defaults.decisionPublishers()).containsExactly("chatops");
    }

    @Test
    void onlyProdNeedsAnApprovalFromTheSreTeam() {
        assertThat(defaults.all()).extracting(Environment::gate).containsExactly(Gate.AUTO, Gate.AUTO, Gate.MANUAL);
        Environment prod = defaults.get("prod");
        assertThat(prod.approvers()).containsExactly("sre-team");
        assertThat(prod.minApprovals()).isEqualTo(1);
        assertThat(prod.approvalTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(defaults.approvingPeople("prod")).containsExactly("alice", "bob");

        Environment staging = defaults.get("staging");
        assertThat(staging.approvers()).isEmpty();
        assertThat(staging.minApprovals()).isZero();
        assertThat(staging.approvalTtl()).isZero();
        assertThat(defaults.approvingPeople("staging")).isEmpty();
    }

    @Test
    void walksThePathForwardAndBack() {
        assertThat(defaults.first().name()).isEqualTo("dev");
        assertThat(defaults.next("dev")).map(Environment::name).contains("staging");
        assertThat(defaults.next("prod")).isEmpty();
        assertThat(defaults.previous("staging")).map(Environment::name).contains("dev");
        assertThat(defaults.previous("dev")).isEmpty();
        assertThat(defaults.isFirst("dev")).isTrue();
        assertThat(defaults.find("qa")).isEmpty();
    }

    @Test
    void anUnknownEnvironmentNameListsTheKnownOnes() {
        assertThatThrownBy(() -> defaults.get("prd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown environment 'prd'")
                .hasMessageContaining("dev, staging, prod");
        assertThatThrownBy(() -> defaults.next("prd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cloudResourcesAreOptionalAndEachEnvironmentsOwn() {
        Environments environments = Environments.parse(EnvironmentsValidationTests.VALID
                .replace("    namespace: knative-lambda-dev\n", """
                            namespace: knative-lambda-dev
                            image-repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/knative-lambda-builder-dev
                            bucket: s3://knative-lambda-artifacts-dev/builds
                            iam-role: arn:aws:iam::123456789012:role/stagecoach-dev
                        """)
                .replace("    namespace: knative-lambda-staging\n", """
                            namespace: knative-lambda-staging
                            image-repository: europe-docker.pkg.dev/acme/stagecoach/knative-lambda-builder-staging
                            bucket: knative-lambda-artifacts-staging
                            iam-role: stagecoach-staging@acme-staging.iam.gserviceaccount.com
                        """)
                .replace("    namespace: knative-lambda-prod\n", """
                            namespace: knative-lambda-prod
                            iam-role: 0b5c7d3e-1f2a-4b6c-8d9e-0a1b2c3d4e5f
                        """), "test");

        CloudResources dev = environments.get("dev").cloud();
        assertThat(dev.imageRepository()).contains("123456789012.dkr.ecr.eu-west-1.amazonaws.com/knative-lambda-builder-dev");
        assertThat(dev.bucket()).contains("s3://knative-lambda-artifacts-dev/builds");
        assertThat(dev.bucketName()).contains("knative-lambda-artifacts-dev");
        assertThat(dev.iamRole()).contains("arn:aws:iam::123456789012:role/stagecoach-dev");
        assertThat(environments.get("staging").cloud().iamRole())
                .contains("stagecoach-staging@acme-staging.iam.gserviceaccount.com");
        CloudResources prod = environments.get("prod").cloud();
        assertThat(prod.iamRole()).contains("0b5c7d3e-1f2a-4b6c-8d9e-0a1b2c3d4e5f");
        assertThat(prod.imageRepository()).isEmpty();
        assertThat(prod.bucket()).isEmpty();
        // the shipped path names each environment's own, which deploy/k8s/cloud is generated from
        assertThat(defaults.all()).extracting(e -> e.cloud().imageRetention().orElseThrow().toDays())
                .containsExactly(7L, 30L, 90L);
        assertThat(defaults.all()).extracting(e -> e.cloud().bucketName().orElseThrow())
                .containsExactly("knative-lambda-artifacts-dev", "knative-lambda-artifacts-staging",
                        "knative-lambda-artifacts-prod");
    }

    @Test
    void anImageRetentionIsWholeDays() {
        Environments environments = Environments.parse(EnvironmentsValidationTests.VALID.replace(
                "    namespace: knative-lambda-dev\n", "    namespace: knative-lambda-dev\n    image-retention: 14d\n"),
                "test");

        assertThat(environments.get("dev").cloud().imageRetention()).contains(java.time.Duration.ofDays(14));
        assertThat(environments.get("staging").cloud().imageRetention()).isEmpty();
        assertThatThrownBy(() -> Environments.parse(EnvironmentsValidationTests.VALID.replace(
                "    namespace: knative-lambda-dev\n", "    namespace: knative-lambda-dev\n    image-retention: 36h\n"),
                "test")).hasMessageContaining("'36h' is not whole days");
    }

    @Test
    void anEnvironmentNamesTheGitOpsRepositoryAndBranchItsDesiredStateIsWrittenTo() {
        Environments environments = Environments.parse(EnvironmentsValidationTests.VALID
                .replace("    namespace: knative-lambda-staging\n", """
                            namespace: knative-lambda-staging
                            gitops-repository: https://git.example.com/acme/deploy.git
                            gitops-branch: staging
                        """)
                .replace("    namespace: knative-lambda-prod\n", """
                            namespace: knative-lambda-prod
                            gitops-repository: git@git.example.com:acme/deploy-prod.git
                        """), "test");

        assertThat(environments.get("staging").cloud().gitopsTarget())
                .contains("https://git.example.com/acme/deploy.git#staging");
        assertThat(environments.get("prod").cloud().gitopsTarget()).contains("git@git.example.com:acme/deploy-prod.git#main");
        assertThat(environments.get("dev").cloud().gitopsTarget()).isEmpty();
        assertThatThrownBy(() -> Environments.parse(EnvironmentsValidationTests.VALID.replace(
                "    namespace: knative-lambda-prod\n", "    namespace: knative-lambda-prod\n"
                        + "    gitops-repository: https://bot:s3cret@git.example.com/acme/deploy.git\n"
                        + "    gitops-branch: ../prod\n"), "test"))
                .isInstanceOf(InvalidEnvironmentsException.class)
                .hasMessageContaining("the repository carries a password").hasMessageNotContaining("s3cret")
                .hasMessageContaining("'../prod' is not a branch name");
    }

    @Test
    void sharingACloudResourceIsForTheLinterToReport() {
        Environments environments = Environments.parse(EnvironmentsValidationTests.VALID
                .replace("    namespace: knative-lambda-dev\n", "    namespace: knative-lambda-dev\n    bucket: artifacts\n")
                .replace("    namespace: knative-lambda-prod\n", "    namespace: knative-lambda-prod\n    bucket: artifacts\n"),
                "test");

        assertThat(environments.all()).extracting(e -> e.cloud().bucketName().orElse(""))
                .containsExactly("artifacts", "", "artifacts");
    }

    @Test
    void manualGateDefaultsToOneApprovalWithinADay() {
        Environments environments = Environments.parse(EnvironmentsValidationTests.VALID
                .replace("    min-approvals: 1\n", "").replace("    approval-ttl: 24h\n", ""), "test");

        assertThat(environments.get("prod").minApprovals()).isEqualTo(1);
        assertThat(environments.get("prod").approvalTtl()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void aPathCanGrowWithoutJava() {
        Environments environments = Environments.parse(EnvironmentsValidationTests.VALID
                .replace("  - name: staging", "  - name: qa\n    vhost: qa\n    gate: auto\n"
                        + "    namespace: knative-lambda-qa\n    audit-retention: 12h\n  - name: staging")
                .replace("name: prod", "name: prd"), "test");

        assertThat(environments.all()).extracting(Environment::name).containsExactly("dev", "qa", "staging", "prd");
        assertThat(environments.next("qa")).map(Environment::name).contains("staging");
        assertThat(environments.get("qa").auditRetention()).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void aVhostPrefixIsolatesVhostsAndNamespacesButKeepsNames() {
        Environments prefixed = defaults.withVhostPrefix("t1a2b3c");

        assertThat(prefixed.all()).extracting(Environment::name).containsExactly("dev", "staging", "prod");
        assertThat(prefixed.all()).extracting(Environment::vhost)
                .containsExactly("t1a2b3c-dev", "t1a2b3c-staging", "t1a2b3c-prod");
        assertThat(prefixed.get("prod").namespace()).isEqualTo("t1a2b3c-knative-lambda-prod");
        assertThat(prefixed.get("prod").approvers()).containsExactly("sre-team");
        assertThat(defaults.get("dev").vhost()).as("the original is unchanged").isEqualTo("dev");
    }

    @Test
    void aVhostPrefixMustBeSimple() {
        assertThatThrownBy(() -> defaults.withVhostPrefix("Test/1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower-case letters and digits");
    }

    @Test
    void aVhostPrefixThatMakesANamespaceTooLongIsRefused() {
        String prefix = "p".repeat(50);

        assertThatThrownBy(() -> defaults.withVhostPrefix(prefix))
                .isInstanceOf(InvalidEnvironmentsException.class)
                .hasMessageContaining("namespace '" + prefix + "-knative-lambda-dev'")
                .hasMessageContaining("at most 63");
    }

    @Test
    void loadNamesTheFileInItsProblems(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("environments.yaml");
        Files.writeString(file, EnvironmentsValidationTests.VALID.replace("gate: manual", "gate: manuel"));

        assertThatThrownBy(() -> Environments.load(file))
                .isInstanceOf(InvalidEnvironmentsException.class)
                .hasMessageStartingWith("Invalid environments file " + file + ": 1 problem")
                .hasMessageContaining("unknown gate 'manuel'");
    }

    @Test
    void aMissingFileSaysSo(@TempDir Path dir) {
        assertThatThrownBy(() -> Environments.load(dir.resolve("nope.yaml")))
                .isInstanceOf(InvalidEnvironmentsException.class)
                .hasMessageContaining("the file does not exist");
    }

    @Test
    void theJarShipsTheProjectsEnvironmentsFile() throws IOException {
        try (InputStream in = Environments.class.getResourceAsStream(Environments.DEFAULT_RESOURCE)) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(Files.readString(Path.of("../../deploy/environments.yaml")));
        }
        assertThat(Environments.load(Path.of("../../deploy/environments.yaml")).all())
                .extracting(Environment::name).isEqualTo(List.of("dev", "staging", "prod"));
    }
}
