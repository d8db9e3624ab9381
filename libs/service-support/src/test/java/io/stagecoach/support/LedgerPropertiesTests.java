package io.stagecoach.support;

import io.stagecoach.support.StagecoachLedgerAutoConfiguration.LedgerProperties;
import com.rabbitmq.client.ConnectionFactory;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.LedgerSnapshotFile;
import io.stagecoach.ledger.SnapshotSeal;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The ledger's settings as a deployment gives them: the Kubernetes manifests set the snapshot file by variable. */
class LedgerPropertiesTests {

    static final Provenance PROVENANCE = Provenance.of(Environments.loadDefault());

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

    @Test
    void theSnapshotIsSealedWithTheServicesBrokerPasswordOrItsOwnKeyAndNeverWithoutASecret(@TempDir Path directory)
            throws Exception {
        ConnectionFactory broker = new ConnectionFactory();
        broker.setVirtualHost("stagecoach-prod");
        broker.setUsername("stagecoach-prod-promotion");
        broker.setPassword("the-promotion-services-password");
        Path path = directory.resolve("ledger.snapshot");
        new LedgerSnapshotFile(path, SnapshotSeal.derive("the-promotion-services-password", "stagecoach-prod",
                "stagecoach-prod-promotion")).write(new EnvironmentLedger("prod", PROVENANCE).snapshot());

        SnapshotSeal fromPassword = StagecoachLedgerAutoConfiguration.snapshotSeal(bind(Map.of()), broker).orElseThrow();
        assertThat(new LedgerSnapshotFile(path, fromPassword).read()).isPresent();
        // a key of its own replaces the password: the snapshot sealed with the password is then refused once
        SnapshotSeal ownKey = StagecoachLedgerAutoConfiguration.snapshotSeal(
                bind(Map.of("STAGECOACH_LEDGER_SNAPSHOTKEY", "a-key-of-its-own")), broker).orElseThrow();
        assertThat(new LedgerSnapshotFile(path, ownKey).read()).isEmpty();
        // another user of the same vhost with the same password does not open it
        broker.setUsername("stagecoach-prod-chatops");
        SnapshotSeal chatops = StagecoachLedgerAutoConfiguration.snapshotSeal(bind(Map.of()), broker).orElseThrow();
        assertThat(new LedgerSnapshotFile(path, chatops).read()).isEmpty();
        // no secret, no snapshot
        broker.setPassword("");
        assertThat(StagecoachLedgerAutoConfiguration.snapshotSeal(bind(Map.of()), broker)).isEmpty();
    }
}
