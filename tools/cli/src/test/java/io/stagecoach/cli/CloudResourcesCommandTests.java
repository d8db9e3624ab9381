package io.stagecoach.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code stagecoach cloud-resources}: writes what environments.yaml names, says when the files drifted from it. */
class CloudResourcesCommandTests {

    static final String ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    static final Path SHIPPED = Path.of("../../deploy/environments.yaml").toAbsolutePath().normalize();

    @Test
    void writesEachEnvironmentsFilesChecksThemAndSaysWhatIsMissing(@TempDir Path dir) throws Exception {
        Cli cli = new Cli(Map.of(), dir);

        Cli.Result written = cli.run("cloud-resources", "--environments", SHIPPED.toString(), "--oidc-provider", ISSUER);
        Cli.Result clean = cli.run("cloud-resources", "--environments", SHIPPED.toString(), "--oidc-provider", ISSUER,
                "--check");
        Path role = dir.resolve("deploy/k8s/cloud/prod/role.yaml");
        Files.writeString(role, Files.readString(role).replace("knative-lambda-artifacts-prod", "shared-artifacts"));
        Cli.Result drifted = cli.run("cloud-resources", "--environments", SHIPPED.toString(), "--oidc-provider", ISSUER,
                "--check");
        Path partial = dir.resolve("environments.yaml");
        Files.writeString(partial, Files.readString(SHIPPED).replace("    image-retention: 90d\n", ""));
        Cli.Result missing = cli.run("cloud-resources", "--environments", partial.toString(), "--oidc-provider", ISSUER);

        assertThat(written.status()).as(written.toString()).isZero();
        assertThat(written.out()).contains("Generated 12 file(s) for dev, staging, prod under " + dir.resolve(
                "deploy/k8s/cloud"));
        assertThat(dir.resolve("deploy/k8s/cloud/prod/role.yaml")).exists();
        assertThat(Files.readString(dir.resolve("deploy/k8s/cloud/dev/repository.yaml")))
                .isEqualTo(Files.readString(SHIPPED.resolveSibling("k8s/cloud/dev/repository.yaml")));
        assertThat(clean.status()).as(clean.toString()).isZero();
        assertThat(drifted.status()).isEqualTo(1);
        assertThat(drifted.out()).contains("differs: " + role, "1 file(s) differ");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("prod names no image-retention (e.g. 30d) in environments.yaml");
    }
}
