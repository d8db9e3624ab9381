package io.stagecoach.support;

import io.stagecoach.support.StagecoachLedgerAutoConfiguration.LedgerProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The ledger's settings as a deployment gives them: the Kubernetes manifests set the snapshot file by variable. */
class LedgerPropertiesTests {

    static LedgerProperties bind(Map<String, Object> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        variables));
        return Binder.get(environment).bindOrCreate("stagecoach.ledger", LedgerProperties.class);
    }

    @Test
    void theSnapshotFileComesFromTheVariableTheManifestsSet() {
        LedgerProperties properties = bind(Map.of("STAGECOACH_LEDGER_SNAPSHOTFILE",
                "/var/cache/stagecoach/ledger.snapshot"));

        assertThat(properties.snapshotFile()).isEqualTo(Path.of("/var/cache/stagecoach/ledger.snapshot"));
        assertThat(properties.snapshotEvery()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void withoutASnapshotFileEveryStartReplaysTheWholeStream() {
        assertThat(bind(Map.of()).snapshotFile()).isNull();
    }
}
