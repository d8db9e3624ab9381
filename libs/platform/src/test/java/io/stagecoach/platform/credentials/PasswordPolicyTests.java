package io.stagecoach.platform.credentials;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordPolicyTests {

    private static final List<String> USERS = List.of("dev-ci", "prod-chatops", "prod-promotion");
    private static final byte[] SALT = {1, 2, 3, 4};

    @TempDir
    Path secrets;

    @Test
    void aUserTheBrokerHasKeepsItsPasswordEvenWithAVariableSet() {
        PasswordPolicy policy = PasswordPolicy.of(Credentials.fromVariables(Map.of(
                "STAGECOACH_PASSWORD_PROD_CHATOPS", "new", "STAGECOACH_SECRETS_DIR", secrets.toString())));

        PasswordPolicy.Plan plan = policy.plan(USERS, existing("dev-ci", "prod-chatops", "prod-promotion"));

        assertThat(plan.toSet()).isEmpty();
        assertThat(plan.refusals()).isEmpty();
    }

    @Test
    void aNewUserWithoutAConfiguredPasswordIsRefusedWithNowhereToKeepOneAndNeverGivenAGuessableOne() {
        PasswordPolicy.Plan plan = PasswordPolicy.of(Credentials.fromVariables(Map.of(
                "STAGECOACH_PASSWORD_DEV_CI", "from-a-vault"))).plan(USERS, Map.of());

        assertThat(plan.refusals()).singleElement().asString().contains("2 users need passwords (prod-chatops, "
                + "prod-promotion)", "STAGECOACH_SECRETS_DIR", "--secret-manifests FILE");
        assertThat(plan.toSet().values()).extracting(PasswordPolicy.NewPassword::password)
                .containsExactly("from-a-vault");
    }

    @Test
    void generatedPasswordsAreLongRandomAndDistinct() {
        PasswordPolicy.Plan plan = PasswordPolicy.of(Credentials.fromVariables(Map.of(
                "STAGECOACH_SECRETS_DIR", secrets.toString()))).plan(USERS, Map.of());

        assertThat(plan.generated()).containsOnlyKeys(USERS);
        assertThat(plan.generated().values()).doesNotHaveDuplicates()
                .allSatisfy(p -> assertThat(p).matches("[A-Za-z0-9_-]{43}"));
    }

    @Test
    void localOnlyIsOnlyForNewUsersWhenAsked() {
        PasswordPolicy policy = PasswordPolicy.of(Credentials.fromVariables(Map.of())).allowingLocalOnly();

        PasswordPolicy.Plan plan = policy.plan(USERS, existing("prod-chatops"));

        assertThat(plan.toSet()).containsOnlyKeys("dev-ci", "prod-promotion");
        assertThat(plan.toSet().get("dev-ci").password()).isEqualTo("dev-ci-local-only");
    }

    @Test
    void rotationIsOneNamedUserOfThePlan() {
        Credentials credentials = Credentials.fromVariables(Map.of("STAGECOACH_SECRETS_DIR", secrets.toString()));

        PasswordPolicy.Plan rotated = PasswordPolicy.of(credentials).rotating("prod-chatops")
                .plan(USERS, existing(USERS.toArray(String[]::new)));
        PasswordPolicy.Plan unknown = PasswordPolicy.of(credentials).rotating("prod-ci")
                .plan(USERS, existing(USERS.toArray(String[]::new)));

        assertThat(rotated.toSet()).containsOnlyKeys("prod-chatops");
        assertThat(rotated.generated()).containsOnlyKeys("prod-chatops");
        assertThat(unknown.refusals()).singleElement().asString().contains("--rotate prod-ci: no such user");
    }

    @Test
    void aRotationToTheConfiguredPasswordHappensOnlyWhenTheBrokerHasAnother() {
        Credentials credentials = Credentials.fromVariables(Map.of("STAGECOACH_PASSWORD_PROD_CHATOPS", "same"));
        Map<String, PasswordPolicy.Existing> broker = existing(USERS.toArray(String[]::new));
        broker.put("prod-chatops", new PasswordPolicy.Existing(PasswordHashes.sha256(SALT, "same"),
                "rabbit_password_hashing_sha256"));

        PasswordPolicy.Plan plan = PasswordPolicy.of(credentials).rotating("prod-chatops").plan(USERS, broker);

        assertThat(plan.refusals()).as("unchanged: a new one must be generated, and there is nowhere to keep it")
                .singleElement().asString().contains("1 user needs a password (prod-chatops)");
    }

    @Test
    void hashesAreCheckedTheWayRabbitMqKeepsThem() {
        String hash = PasswordHashes.sha256(SALT, "secret");

        assertThat(PasswordHashes.matches(hash, "rabbit_password_hashing_sha256", "secret")).contains(true);
        assertThat(PasswordHashes.matches(hash, "rabbit_password_hashing_sha256", "Secret")).contains(false);
        assertThat(PasswordHashes.matches("", "rabbit_password_hashing_sha256", "secret")).isEmpty();
        assertThat(PasswordHashes.matches(hash, "some_other_backend", "secret")).isEmpty();
    }

    private static Map<String, PasswordPolicy.Existing> existing(String... users) {
        Map<String, PasswordPolicy.Existing> existing = new HashMap<>();
        for (String user : users) {
            existing.put(user, new PasswordPolicy.Existing(PasswordHashes.sha256(SALT, user + "-old"),
                    "rabbit_password_hashing_sha256"));
        }
        return existing;
    }
}
