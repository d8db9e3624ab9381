package io.stagecoach.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import com.rabbitmq.client.Connection;
import io.stagecoach.testing.ManagementApi;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Provisioning a broker that is not on this machine, as an operator would: reached by a non-loopback address of this
 * machine, as an administrator of its own (the broker's {@code guest} may log in from loopback only). No guessable
 * password is ever set, an existing password is never changed unless rotation is asked for, one user at a time,
 * and a generated password is kept where the services read it before the broker is given it.
 */
@RealBroker
class ProvisionPasswordsTests {

    @TempDir
    Path workingDirectory;

    private TestBroker broker;
    private Cli remote;
    private Path secrets;

    @BeforeEach
    void anAdministratorOnAnAddressOtherThanLoopback(TestBroker given) {
        broker = given;
        String admin = broker.name("admin-" + System.nanoTime());
        String password = "admin-" + System.nanoTime();
        broker.management().put("/api/users/" + ManagementApi.encode(admin),
                Map.of("password", password, "tags", "administrator"));
        secrets = workingDirectory.resolve("secrets");
        remote = Cli.against(broker, workingDirectory)
                .with("STAGECOACH_MANAGEMENT_URL", elsewhere(broker.managementUrl()))
                .with("STAGECOACH_MANAGEMENT_USER", admin)
                .with("STAGECOACH_MANAGEMENT_PASSWORD", password)
                .with("STAGECOACH_VHOST_PREFIX", broker.name("p" + System.nanoTime() % 100_000));
    }

    @Test
    void everyNewUserGetsAStrongGeneratedPasswordKeptOwnerOnlyWhereTheServicesReadIt() throws Exception {
        Cli.Result result = remote.with("STAGECOACH_SECRETS_DIR", secrets.toString()).run("provision");

        assertThat(result.status()).as(result.toString()).isZero();
        Map<String, String> hashes = hashes();
        assertThat(hashes).hasSize(19);
        for (String user : hashes.keySet()) {
            Path file = secrets.resolve(user);
            assertThat(file).as("the password of " + user + " is kept before the broker has it").isRegularFile();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            String kept = Files.readString(file).strip();
            assertThat(kept).as("256 random bits, URL-safe base64").matches("[A-Za-z0-9_-]{43}")
                    .doesNotContain(user);
            assertThat(result.out()).contains("user " + user + ": password set (generated, kept in " + file + ")")
                    .doesNotContain(kept);
            assertLogsIn(user, kept);
        }
        assertThat(hashes.keySet().stream().map(this::kept).distinct()).hasSize(19);
    }

    @Test
    void oneVariableSetChangesNoPasswordAndRotationChangesOnlyTheUserNamed() throws Exception {
        Cli withSecrets = remote.with("STAGECOACH_SECRETS_DIR", secrets.toString());
        assertThat(withSecrets.run("provision").status()).isZero();
        Map<String, String> before = hashes();
        String chatops = remote.prefix() + "-prod-chatops";

        // the old rotation recipe: one variable, provision again
        Cli oneVariable = withSecrets.with("STAGECOACH_PASSWORD_" + remote.prefix().toUpperCase().replace('-', '_')
                + "_PROD_CHATOPS", "a-new-chatops-password");
        Cli.Result again = oneVariable.run("provision");

        assertThat(hashes()).as("no password changed, prod-chatops's included").isEqualTo(before);
        assertThat(again.status()).as("the variable is not what the broker has: say so").isEqualTo(1);
        assertThat(again.err()).contains("user " + chatops + ": its password on the broker is not the one in "
                + "STAGECOACH_PASSWORD_", "stagecoach provision --rotate " + chatops + " sets it");

        Cli.Result rotated = oneVariable.run("provision", "--rotate", chatops);

        assertThat(rotated.status()).as(rotated.toString()).isZero();
        Map<String, String> after = hashes();
        assertThat(changed(before, after)).containsExactly(chatops);
        assertLogsIn(chatops, "a-new-chatops-password");

        // rotating a user with nothing configured but its secret file: a new generated one replaces the file
        String ci = remote.prefix() + "-dev-ci";
        String old = kept(ci);
        Cli.Result generated = withSecrets.run("provision", "--rotate", ci);

        assertThat(generated.status()).as(generated.toString()).isZero();
        assertThat(changed(after, hashes())).containsExactly(ci);
        assertThat(kept(ci)).isNotEqualTo(old).matches("[A-Za-z0-9_-]{43}");
        assertLogsIn(ci, kept(ci));
    }

    @Test
    void withNowhereToKeepAGeneratedPasswordNothingIsCreated() {
        Cli.Result result = remote.run("provision");

        assertThat(result.status()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).contains("19 users need passwords", "nowhere to keep a generated one",
                "STAGECOACH_SECRETS_DIR", "--secret-manifests FILE", "nothing was changed");
        assertThat(hashes()).isEmpty();
        assertThat(broker.management().get("/api/vhosts/" + ManagementApi.encode(remote.prefix() + "-dev")))
                .isEmpty();
    }

    @Test
    void localOnlyPasswordsAreRefusedForABrokerElsewhere() {
        Cli.Result result = remote.with("STAGECOACH_SECRETS_DIR", secrets.toString())
                .run("provision", "--local-only-passwords");

        assertThat(result.status()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).contains("only for a broker on this machine", "is not a loopback address",
                "nothing was changed");
        assertThat(hashes()).isEmpty();
    }

    @Test
    void generatedPasswordsCanBeKubernetesSecretsInTheNamespacesTheDeploymentsReadThem() throws Exception {
        Cli.Result result = remote.run("provision", "--secret-manifests", "secrets.yaml");

        assertThat(result.status()).as(result.toString()).isZero();
        Path file = workingDirectory.resolve("secrets.yaml");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        List<Map<String, Object>> manifests = loadAll(file);
        assertThat(manifests).hasSize(19);
        Map<String, Object> chatops = manifests.stream()
                .filter(m -> ((Map<?, ?>) m.get("metadata")).get("name").equals("stagecoach-chatops-rabbitmq")
                        && ((Map<?, ?>) m.get("metadata")).get("namespace").toString().endsWith("knative-lambda-prod"))
                .findFirst().orElseThrow(() -> new AssertionError("no Secret for chatops in " + manifests));
        Map<?, ?> data = (Map<?, ?>) chatops.get("stringData");
        assertThat(data.get("username")).isEqualTo(remote.prefix() + "-prod-chatops");
        assertLogsIn((String) data.get("username"), (String) data.get("password"));
    }

    @Test
    void onThisMachineTheDemoFlagGivesNewUsersTheLocalOnlyPasswordAndLeavesExistingOnesAlone() {
        Cli local = Cli.against(broker, workingDirectory).with("STAGECOACH_VHOST_PREFIX", remote.prefix());
        assertThat(local.run("provision", "--local-only-passwords").status()).isZero();
        Map<String, String> before = hashes();

        Cli.Result again = local.with("STAGECOACH_SECRETS_DIR", secrets.toString()).run("provision");

        assertThat(again.status()).as(again.toString()).isZero();
        assertThat(hashes()).isEqualTo(before);
        assertLogsIn(remote.prefix() + "-dev-ci", remote.prefix() + "-dev-ci-local-only");
    }

    private static List<Map<String, Object>> loadAll(Path file) throws IOException {
        try (MappingIterator<Map<String, Object>> documents = new YAMLMapper().readerFor(Map.class)
                .readValues(Files.readString(file))) {
            return documents.readAll().stream().filter(Objects::nonNull).toList();
        }
    }

    private String kept(String user) {
        try {
            return Files.readString(secrets.resolve(user)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The password hash the broker keeps per user of this test's pipeline. */
    private Map<String, String> hashes() {
        JsonNode users = broker.management().get("/api/users").orElseThrow();
        return StreamSupport.stream(users.spliterator(), false)
                .filter(u -> u.path("name").asString().startsWith(remote.prefix() + "-"))
                .collect(Collectors.toMap(u -> u.path("name").asString(), u -> u.path("password_hash").asString(),
                        (a, b) -> a, TreeMap::new));
    }

    private static List<String> changed(Map<String, String> before, Map<String, String> after) {
        return after.keySet().stream().filter(user -> !after.get(user).equals(before.get(user))).toList();
    }

    private void assertLogsIn(String user, String password) {
        String rest = user.substring(remote.prefix().length() + 1);
        String vhost = remote.prefix() + "-" + rest.substring(0, rest.indexOf('-'));
        assertThatCode(() -> {
            try (Connection connection = broker.connectionFactory(vhost, user, password).newConnection()) {
                assertThat(connection.isOpen()).isTrue();
            }
        }).as(user + " logs in with the password it was given").doesNotThrowAnyException();
    }

    /** {@code url} with its host replaced by an address of this machine that is not loopback. */
    private static String elsewhere(String url) {
        URI uri = URI.create(url);
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return uri.getScheme() + "://" + address.getHostAddress() + ":" + uri.getPort();
                    }
                }
            }
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("This machine has no IPv4 address other than loopback: the test needs one to "
                + "reach the broker as from elsewhere");
    }
}
