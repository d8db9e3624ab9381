package io.stagecoach.ledger;

import io.stagecoach.events.EventCodec;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Whoever can write a service's snapshot file, but does not hold its key, cannot make it believe anything. */
class LedgerSnapshotFileTests {

    static final Environments ENVIRONMENTS = Environments.loadDefault();
    static final Provenance PROVENANCE = Provenance.of(ENVIRONMENTS);
    /** The worst case: every user of the broker was given the same password. */
    static final String SHARED_PASSWORD = "one-password-for-everyone";

    @TempDir
    Path directory;

    static LedgerSnapshot snapshotOf(String environment) {
        return new EnvironmentLedger(environment, PROVENANCE).snapshot();
    }

    static SnapshotSeal sealOf(Environment environment, Principal principal, String password) {
        return SnapshotSeal.derive(password, environment.vhost(), principal.userIn(environment.vhost()));
    }

    @Test
    void aSnapshotIsReadBackWithTheSealItWasWrittenWithAndByNoOtherCredentialOfTheTopology() throws Exception {
        Environment prod = ENVIRONMENTS.get("prod");
        Path path = directory.resolve("prod.snapshot");
        LedgerSnapshot snapshot = snapshotOf("prod");
        new LedgerSnapshotFile(path, sealOf(prod, Principal.PROMOTION, SHARED_PASSWORD)).write(snapshot);

        assertThat(new LedgerSnapshotFile(path, sealOf(prod, Principal.PROMOTION, SHARED_PASSWORD)).read())
                .contains(snapshot);
        // every user of every environment, even with the same password, and the right user with another password
        List<SnapshotSeal> others = new ArrayList<>();
        for (Environment environment : ENVIRONMENTS.all()) {
            for (Principal principal : Principal.values()) {
                if (environment != prod || principal != Principal.PROMOTION) {
                    others.add(sealOf(environment, principal, SHARED_PASSWORD));
                }
            }
        }
        others.add(sealOf(prod, Principal.PROMOTION, SHARED_PASSWORD + "-rotated"));
        assertThat(others).hasSize(ENVIRONMENTS.all().size() * Principal.values().length);
        for (SnapshotSeal other : others) {
            LedgerSnapshotFile file = new LedgerSnapshotFile(path, other);
            assertThat(file.read()).as("read with %s", other).isEmpty();
            assertThat(file.refusals()).as("refused by %s", other).isEqualTo(1);
        }
    }

    @Test
    void aSnapshotChangedAfterItWasSealedIsRefused() throws Exception {
        SnapshotSeal seal = SnapshotSeal.random("prod's promotion service");
        Path path = directory.resolve("prod.snapshot");
        LedgerSnapshotFile file = new LedgerSnapshotFile(path, seal);
        file.write(snapshotOf("prod"));
        byte[] sealed = Files.readAllBytes(path);

        // another snapshot put under the first one's seal
        Path other = directory.resolve("other.snapshot");
        new LedgerSnapshotFile(other, seal).write(snapshotOf("staging"));
        byte[] forged = Files.readAllBytes(other);
        int header = LedgerSnapshotFile.MAGIC.length + SnapshotSeal.LENGTH;
        System.arraycopy(sealed, LedgerSnapshotFile.MAGIC.length, forged, LedgerSnapshotFile.MAGIC.length,
                SnapshotSeal.LENGTH);
        Files.write(path, forged);
        assertThat(file.read()).isEmpty();

        // one bit of the content flipped
        byte[] flipped = sealed.clone();
        flipped[header + (flipped.length - header) / 2] ^= 1;
        Files.write(path, flipped);
        assertThat(file.read()).isEmpty();

        // cut short
        Files.write(path, Arrays.copyOf(sealed, sealed.length - 1));
        assertThat(file.read()).isEmpty();
        Files.write(path, Arrays.copyOf(sealed, header - 1));
        assertThat(file.read()).isEmpty();
        assertThat(file.refusals()).isEqualTo(4);

        Files.write(path, sealed);
        assertThat(file.read()).contains(snapshotOf("prod"));
        assertThat(file.refusals()).isEqualTo(4);
    }

    @Test
    void aSnapshotWithoutASealIsRefused() throws Exception {
        // what a version that did not seal wrote: the gzipped JSON alone
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            EventCodec.mapper().writeValue(out, snapshotOf("dev"));
        }
        Path path = directory.resolve("dev.snapshot");
        Files.write(path, bytes.toByteArray());
        LedgerSnapshotFile file = new LedgerSnapshotFile(path, SnapshotSeal.random("dev's promotion service"));

        assertThat(file.read()).isEmpty();
        assertThat(file.refusals()).isEqualTo(1);
        // no file is no refusal: a first start
        Files.delete(path);
        assertThat(file.read()).isEmpty();
        assertThat(file.refusals()).isEqualTo(1);
    }

    @Test
    void noSealIsMadeFromAnEmptySecretAndTheKeyIsNeverShown() {
        assertThatThrownBy(() -> SnapshotSeal.derive("", "stagecoach-prod", "stagecoach-prod-promotion"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stagecoach-prod-promotion")
                .hasMessageContaining("stagecoach.ledger.snapshot-key");
        assertThatThrownBy(() -> SnapshotSeal.derive(null, "stagecoach-prod", "stagecoach-prod-promotion"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SnapshotSeal.derive("s3cret-password", "stagecoach-prod", "stagecoach-prod-promotion"))
                .hasToString("the snapshot seal of stagecoach-prod-promotion on stagecoach-prod")
                .asString().doesNotContain("s3cret");
    }
}
