package io.stagecoach.platform.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CredentialsTests {

    @TempDir
    Path secrets;

    @ParameterizedTest
    @CsvSource({
            "dev-promotion,          STAGECOACH_PASSWORD_DEV_PROMOTION",
            "staging-smoke-test,     STAGECOACH_PASSWORD_STAGING_SMOKE_TEST",
            "t1a2b3c-prod-chatops,   STAGECOACH_PASSWORD_T1A2B3C_PROD_CHATOPS",
            "eu.prod-ci,             STAGECOACH_PASSWORD_EU_PROD_CI"})
    void namesTheVariableAfterTheUser(String user, String variable) {
        assertThat(Credentials.variableFor(user)).isEqualTo(variable);
    }

    @Test
    void theVariableWinsOverTheSecretsFile() throws IOException {
        Files.writeString(secrets.resolve("dev-promotion"), "from-file");
        Credentials credentials = Credentials.fromVariables(Map.of(
                "STAGECOACH_PASSWORD_DEV_PROMOTION", "from-variable",
                "STAGECOACH_SECRETS_DIR", secrets.toString()));

        assertThat(credentials.password("dev-promotion")).isEqualTo("from-variable");
    }

    @Test
    void readsTheSecretsFileWithoutItsTrailingNewline() throws IOException {
        Files.writeString(secrets.resolve("prod-approval"), "s3cret with spaces \n");
        Credentials credentials = Credentials.fromVariables(Map.of("STAGECOACH_SECRETS_DIR", secrets.toString()));

        assertThat(credentials.password("prod-approval")).isEqualTo("s3cret with spaces ");
    }

    @Test
    void tellsWhetherAPasswordIsConfigured() throws IOException {
        Files.writeString(secrets.resolve("prod-ci"), "from-file");
        Credentials credentials = Credentials.fromVariables(Map.of("STAGECOACH_PASSWORD_DEV_CI", "x",
                "STAGECOACH_SECRETS_DIR", secrets.toString()));

        assertThat(credentials.hasConfiguredPassword("dev-ci")).isTrue();
        assertThat(credentials.hasConfiguredPassword("prod-ci")).isTrue();
        assertThat(credentials.hasConfiguredPassword("staging-ci")).isFalse();
    }

    @Test
    void fallsBackToTheLocalOnlyDefault() {
        Credentials credentials = Credentials.fromVariables(Map.of("STAGECOACH_SECRETS_DIR", secrets.toString()));

        assertThat(credentials.password("dev-ci")).isEqualTo("dev-ci-local-only");
        assertThat(Credentials.fromVariables(Map.of()).password("prod-operator")).isEqualTo("prod-operator-local-only");
    }

    @Test
    void warnsOncePerUserWhereToPutThePasswordAndNeverLogsIt() {
        Logger logger = (Logger) LoggerFactory.getLogger(Credentials.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            Credentials credentials = Credentials.fromVariables(Map.of());
            credentials.password("staging-rollback");
            credentials.password("staging-rollback");

            assertThat(logged.list).hasSize(1);
            assertThat(logged.list.get(0).getLevel()).isEqualTo(Level.WARN);
            assertThat(logged.list.get(0).getFormattedMessage())
                    .contains("STAGECOACH_PASSWORD_STAGING_ROLLBACK", "$STAGECOACH_SECRETS_DIR/staging-rollback")
                    .doesNotContain("staging-rollback-local-only");
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void refusesAnEmptyVariableRatherThanFallingBack() {
        Credentials credentials = Credentials.fromVariables(Map.of("STAGECOACH_PASSWORD_DEV_CI", ""));

        assertThatThrownBy(() -> credentials.password("dev-ci"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STAGECOACH_PASSWORD_DEV_CI is set but empty");
    }

    @Test
    void refusesAnEmptySecretsFile() throws IOException {
        Files.writeString(secrets.resolve("dev-ci"), "\n");
        Credentials credentials = Credentials.fromVariables(Map.of("STAGECOACH_SECRETS_DIR", secrets.toString()));

        assertThatThrownBy(() -> credentials.password("dev-ci"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is empty")
                .hasMessageNotContaining("\n");
    }

    @Test
    void refusesUserNamesThatCouldLeaveTheSecretsDirectory() {
        Credentials credentials = Credentials.fromVariables(Map.of("STAGECOACH_SECRETS_DIR", secrets.toString()));

        assertThatThrownBy(() -> credentials.password("../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> credentials.password(".hidden")).isInstanceOf(IllegalArgumentException.class);
    }
}
