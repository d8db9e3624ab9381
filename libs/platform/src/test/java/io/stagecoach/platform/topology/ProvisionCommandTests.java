package io.stagecoach.platform.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RealBroker
class ProvisionCommandTests {

    static TestBroker broker;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void provisionsTheDefaultEnvironmentsReportingEachAndThenChecksThem() {
        Map<String, String> env = brokerVariables();

        int provisioned = run(env, "--vhost-prefix", broker.name("cmd"));

        assertThat(provisioned).as(err.toString()).isEqualTo(ProvisionCommand.MATCHES);
        assertThat(out.toString()).contains("Provisioning dev -> staging -> prod")
                .contains("dev (vhost " + broker.name("cmd") + "-dev): 6 users")
                .contains("staging (vhost " + broker.name("cmd") + "-staging): 4 users")
                .contains("prod (vhost " + broker.name("cmd") + "-prod): 6 users")
                .contains("The broker matches the plan.");
        assertThat(err.toString()).contains("Warning: 16 of the users get the local-only default password",
                "STAGECOACH_PASSWORD_" + broker.prefix().toUpperCase(java.util.Locale.ROOT) + "_CMD_DEV_BUILD_COMPLETED");
        assertQueueCounts(out.toString());

        assertThat(run(env, "--vhost-prefix", broker.name("cmd"), "--check")).isEqualTo(ProvisionCommand.MATCHES);
        assertQueueCounts(out.toString());
        assertThat(run(env, "--vhost-prefix", broker.name("cmd-other"), "--check")).isEqualTo(ProvisionCommand.DIFFERS);
        assertThat(err.toString()).contains("The broker differs from the plan", broker.name("cmd-other") + "-dev: vhost: missing");
    }

    /** The report's queue counts: per environment, in all, and on the whole broker. */
    private void assertQueueCounts(String output) {
        String prefix = broker.name("cmd");
        assertThat(output).contains("Queues per environment:")
                .containsPattern("\\n  dev \\(vhost " + prefix + "-dev\\) +17 quorum \\+ 1 stream\\R")
                .containsPattern("\\n  staging \\(vhost " + prefix + "-staging\\) +17 quorum \\+ 1 stream\\R")
                .containsPattern("\\n  prod \\(vhost " + prefix + "-prod\\) +20 quorum \\+ 1 stream\\R")
                .containsPattern("\\n  in all +54 quorum \\+ 3 streams\\R")
                .containsPattern("The broker holds \\d+ quorum queues in all its vhosts, about \\d+ file handles "
                        + "\\(open-file limit \\d+\\)\\.");
    }

    @Test
    void anUnreachableBrokerSaysSoAndWhatToTry() {
        int status = run(Map.of(), "--management-url", "http://127.0.0.1:1");

        assertThat(status).isEqualTo(ProvisionCommand.BROKER);
        assertThat(err.toString()).contains("Cannot reach the RabbitMQ management API at http://127.0.0.1:1")
                .contains("rabbitmq-server -detached", "STAGECOACH_MANAGEMENT_URL");
    }

    @Test
    void aWrongPasswordSaysWhichCredentialsToCheck() {
        Map<String, String> env = brokerVariables();
        env.put("STAGECOACH_MANAGEMENT_PASSWORD", "not-the-password");

        assertThat(run(env)).isEqualTo(ProvisionCommand.BROKER);
        assertThat(err.toString()).contains("answered 401", "refused user '" + broker.adminUser() + "'",
                "STAGECOACH_MANAGEMENT_PASSWORD");
    }

    @Test
    void anInvalidEnvironmentsFileIsRefusedBeforeTouchingTheBroker(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("environments.yaml");
        Files.writeString(file, "environments: []\n");

        assertThat(run(Map.of("STAGECOACH_MANAGEMENT_URL", "http://127.0.0.1:1"), "--environments", file.toString()))
                .isEqualTo(ProvisionCommand.USAGE);
        assertThat(err.toString()).contains("Invalid environments file " + file, "field 'environments' is empty");
    }

    @Test
    void aManagementUrlThatIsNoUrlIsRefused() {
        assertThat(run(Map.of("STAGECOACH_MANAGEMENT_URL", "127.0.0.1:15672"))).isEqualTo(ProvisionCommand.USAGE);
        assertThat(err.toString()).contains("Invalid management URL 127.0.0.1:15672", "http://127.0.0.1:15672");
    }

    @Test
    void unknownOptionsPrintTheUsage() {
        assertThat(run(Map.of(), "--vhost", "x")).isEqualTo(ProvisionCommand.USAGE);
        assertThat(err.toString()).contains("Unknown options: '--vhost', 'x'", "Possible solutions: --vhost-prefix");
        assertThat(run(Map.of(), "--environments")).isEqualTo(ProvisionCommand.USAGE);
        assertThat(err.toString()).contains("Missing required parameter for option '--environments' (FILE)",
                "Usage: provision");
        assertThat(run(Map.of(), "stray")).isEqualTo(ProvisionCommand.USAGE);
        assertThat(err.toString()).contains("Unmatched argument at index 0: 'stray'");
    }

    @Test
    void helpListsTheOptionsAndTheExitStatuses() {
        assertThat(run(Map.of(), "--help")).isEqualTo(ProvisionCommand.MATCHES);
        assertThat(out.toString()).startsWith("Usage: provision")
                .contains("--management-url", "--vhost-prefix", "--check", "STAGECOACH_PASSWORD_<USER>", "Exit status:");
    }

    private Map<String, String> brokerVariables() {
        Map<String, String> env = new HashMap<>();
        env.put("STAGECOACH_MANAGEMENT_URL", broker.managementUrl());
        env.put("STAGECOACH_MANAGEMENT_USER", broker.adminUser());
        env.put("STAGECOACH_MANAGEMENT_PASSWORD", broker.adminPassword());
        return env;
    }

    private int run(Map<String, String> env, String... args) {
        out.reset();
        err.reset();
        return ProvisionCommand.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
