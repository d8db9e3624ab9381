package io.stagecoach.cli;

import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@RealBroker
class ProvisionAndLintTests {

    /** The repository this module is part of (set by the build). */
    static final Path REPOSITORY = Path.of(System.getProperty("stagecoach.repository", "../..")).toAbsolutePath().normalize();

    @TempDir
    Path workingDirectory;

    @Test
    void provisioningTwiceChangesNothingTheSecondTimeAndTheBrokerMatchesThePlan(TestBroker broker) {
        Cli cli = Cli.against(broker, workingDirectory);

        Cli.Result first = cli.run("provision", "--local-only-passwords");
        Cli.Result second = cli.run("provision", "--local-only-passwords");
        Cli.Result check = cli.run("provision", "--check");

        assertThat(first.status()).as(first.toString()).isZero();
        assertThat(first.out()).contains("Provisioning dev -> staging -> prod", "The broker matches the plan.");
        assertThat(second.status()).as(second.toString()).isZero();
        assertThat(second.out()).contains("shovel stagecoach-handoff-to-staging unchanged")
                .doesNotContain("new)");
        assertThat(first.out() + second.out()).as("local-only passwords are set without a line per user")
                .doesNotContain("password set");
        assertThat(check.status()).isZero();
        assertThat(check.out()).contains("Checking", "The broker matches the plan.");
        assertThat(check.err()).as("a check creates no user").doesNotContain("Warning");
        for (Cli.Result result : java.util.List.of(first, check)) {
            assertThat(result.out()).contains("Queues per environment:")
                    .containsPattern("  dev \\(vhost [a-z0-9-]+\\) +19 quorum \\+ 1 stream")
                    .containsPattern("  staging \\(vhost [a-z0-9-]+\\) +19 quorum \\+ 1 stream")
                    .containsPattern("  prod \\(vhost [a-z0-9-]+\\) +23 quorum \\+ 1 stream")
                    .containsPattern("  in all +61 quorum \\+ 3 streams")
                    .containsPattern("The broker holds \\d+ quorum queues in all its vhosts");
        }
    }

    @Test
    void aBrokerThatDiffersFromThePlanExitsOneNamingTheDifference(TestBroker broker) {
        Cli cli = Cli.against(broker, workingDirectory).with("STAGECOACH_VHOST_PREFIX", broker.name("drift"));
        assertThat(cli.run("provision", "--local-only-passwords").status()).isZero();
        broker.management().delete("/api/queues/" + ManagementApi.encode(broker.name("drift") + "-staging") + "/"
                + ManagementApi.encode("rollback.smoketest-failed"));

        Cli.Result check = cli.run("provision", "--check");

        assertThat(check.status()).as(check.toString()).isEqualTo(1);
        assertThat(check.err()).contains("differs from the plan", "queue rollback.smoketest-failed: missing");
    }

    @Test
    void provisionReadsTheEnvironmentsFileItIsGiven(TestBroker broker) throws Exception {
        Path file = workingDirectory.resolve("two-stages.yaml");
        Files.writeString(file, """
                services: [knative-lambda-builder]
                teams:
                  sre-team: [alice]
                decision-publishers: [chatops]
                environments:
                  - name: qa
                    vhost: qa
                    gate: auto
                    namespace: knative-lambda-qa
                    audit-retention: 1d
                  - name: live
                    vhost: live
                    gate: manual
                    approvers: [sre-team]
                    namespace: knative-lambda-live
                    audit-retention: 1d
                """);
        Cli cli = Cli.against(broker, workingDirectory).with("STAGECOACH_VHOST_PREFIX", broker.name("file"));

        Cli.Result result = cli.run("provision", "--local-only-passwords", "--environments", "two-stages.yaml");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).contains("qa -> live")
                .as("build-completed only where builds enter, approval only behind the manual gate")
                .containsPattern("  qa \\(vhost [a-z0-9-]+\\) +19 quorum \\+ 1 stream")
                .containsPattern("  live \\(vhost [a-z0-9-]+\\) +23 quorum \\+ 1 stream");
        assertThat(broker.management().get("/api/vhosts/" + ManagementApi.encode(broker.name("file") + "-live")))
                .isPresent();
    }

    @Test
    void aBrokerThatRefusesTheAdministratorExitsThree(TestBroker broker) {
        Cli cli = Cli.against(broker, workingDirectory).with("STAGECOACH_MANAGEMENT_PASSWORD", "wrong");

        Cli.Result result = cli.run("provision", "--local-only-passwords");

        assertThat(result.status()).as(result.toString()).isEqualTo(3);
        assertThat(result.err()).contains("management API refused");
    }

    @Test
    void upOnABrokerThatWasNotProvisionedExitsThreeBeforeStartingAnything(TestBroker broker) {
        Cli cli = Cli.against(broker, REPOSITORY).with(LocalOptions.REPOSITORY_VARIABLE, REPOSITORY.toString())
                .with("STAGECOACH_VHOST_PREFIX", broker.name("never"));

        Cli.Result result = cli.run("up", "--home", workingDirectory.toString(), "--no-build");

        assertThat(result.status()).as(result.toString()).isEqualTo(3);
        assertThat(result.err()).contains("refused user " + broker.name("never") + "-dev-operator",
                "stagecoach provision");
        assertThat(workingDirectory.resolve("run")).doesNotExist();
    }

    @Test
    void theShippedDeployFilesPassTheLinter() {
        Cli.Result result = new Cli(Map.of(), REPOSITORY).run("lint");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.out()).contains("stagecoach-lint: 0 error(s)", "environments.yaml");
    }

    @Test
    void theSharedEverythingFixtureFailsTheLinter() {
        Path fixture = REPOSITORY.resolve("tools/lint/src/test/resources/fixtures/shared-everything");

        Cli.Result result = new Cli(Map.of(), workingDirectory).run("lint", fixture.toString());

        assertThat(result.status()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).contains(": error: ").containsPattern("stagecoach-lint: [1-9]\\d* error\\(s\\)");
    }

    @Test
    void aRepositoryWithOverlaysAtItsRootAndProdCalledPrdIsLinted() {
        Path fixtures = REPOSITORY.resolve("tools/lint/src/test/resources/fixtures");

        Cli.Result mistakes = new Cli(Map.of(), workingDirectory).run("lint", fixtures.resolve("seed-layout-mistakes").toString());
        Cli.Result fixed = new Cli(Map.of(), workingDirectory).run("lint", fixtures.resolve("seed-layout").toString());

        assertThat(mistakes.status()).as(mistakes.toString()).isEqualTo(1);
        assertThat(mistakes.out()).contains("checked overlays/prd/kustomization.yaml as prod: folder \"prd\", an alias of prod",
                "overlays/prd/kustomization.yaml: error: developers may change prod", "stagecoach-lint: 8 error(s)");
        assertThat(fixed.status()).as(fixed.toString()).isZero();
        assertThat(fixed.out()).contains("stagecoach-lint: 0 error(s), 0 warning(s) in environments.yaml, 3 overlay(s), "
                + "3 Helm values file(s); environments dev, staging, prod (from environments.yaml)");
    }

    @Test
    void aFolderWithoutDeployFilesExitsTwoSayingWhereItLooked() {
        Cli.Result result = new Cli(Map.of(), workingDirectory).run("lint", workingDirectory.toString());

        assertThat(result.status()).as(result.toString()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("stagecoach-lint: nothing to check in " + workingDirectory,
                "kustomization.yaml", "values*.yaml", "environments.yaml");
    }
}
