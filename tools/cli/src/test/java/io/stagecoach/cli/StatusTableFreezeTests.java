package io.stagecoach.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Release;
import io.stagecoach.events.Verification;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import org.junit.jupiter.api.Test;

/**
 * The FROZEN column: until when the environment is frozen and by which windows, and what is parked there; the soak
 * left under VERIFIED HERE, and a release's flags under RUNNING.
 */
class StatusTableFreezeTests {

    static final String SERVICE = "knative-lambda-builder";
    static final Instant SATURDAY = Instant.parse("2026-12-05T11:00:00Z");

    final Environments environments = Environments.parse(defaults().replace("    namespace: knative-lambda-staging\n",
            "    namespace: knative-lambda-staging\n    freeze:\n      time-zone: Europe/Berlin\n"
                    + "      weekly: [\"Fri 16:00 - Mon 08:00\"]\n"), "environments.yaml");
    final Environment staging = environments.get("staging");
    final EnvironmentLedger ledger = new EnvironmentLedger("staging", Provenance.of(environments));

    @Test
    void aFrozenEnvironmentSaysUntilWhenByWhichWindowAndWhatIsParked() {
        assertThat(frozen(SATURDAY)).isEqualTo("until 2026-12-07 07:00:00Z (weekly Fri 16:00 - Mon 08:00 "
                + "(Europe/Berlin))");

        park("1.5.0");
        park("1.6.0");

        assertThat(frozen(SATURDAY)).isEqualTo("until 2026-12-07 07:00:00Z (weekly Fri 16:00 - Mon 08:00 "
                + "(Europe/Berlin)), parked: 1.5.0, 1.6.0");
        assertThat(frozen(Instant.parse("2026-12-07T07:00:05Z"))).isEqualTo("parked: 1.5.0, 1.6.0 (the freeze ended: "
                + "deciding them)");
        assertThat(StatusTable.row(SERVICE, environments.get("dev"), new EnvironmentLedger("dev",
                Provenance.of(environments)), SATURDAY)).last().isEqualTo("-");
    }

    @Test
    void aVerifiedReleaseThatSoaksSaysHowLongItHasLeft() {
        Environments soaking = Environments.parse(defaults().replace("    namespace: knative-lambda-dev\n",
                "    namespace: knative-lambda-dev\n    soak: 30m\n"), "environments.yaml");
        EnvironmentLedger dev = new EnvironmentLedger("dev", Provenance.of(soaking));
        Release release = new Release(SERVICE, "1.5.0", "ghcr.io/acme/knative-lambda-builder", "sha256:" + "a".repeat(64),
                "b".repeat(40), "jane");
        Instant deployed = Instant.parse("2026-12-09T10:00:00Z");
        apply(dev, new io.stagecoach.events.DeploymentCompleted(release, "dev", "gitops", "r1", null, false), deployed,
                "dev-promotion");
        apply(dev, new io.stagecoach.events.SmokeTestPassed(release, "dev", List.of()), deployed.plusSeconds(60),
                "dev-smoke-test");

        assertThat(StatusTable.row(SERVICE, soaking.get("dev"), dev, deployed.plusSeconds(120)).get(4))
                .isEqualTo("yes, soaks 28m more");
        assertThat(StatusTable.row(SERVICE, soaking.get("dev"), dev, deployed.plusSeconds(1_800)).get(4))
                .isEqualTo("yes");
    }

    @Test
    void aReleaseThatCarriesFlagsShowsTheirDigestBesideItsVersion() {
        EnvironmentLedger dev = new EnvironmentLedger("dev", Provenance.of(environments));
        io.stagecoach.events.Flags flags = io.stagecoach.events.Flags.of("{\"flags\": {}}\n");
        Release release = new Release(SERVICE, "1.5.1", "ghcr.io/acme/knative-lambda-builder", "sha256:" + "a".repeat(64),
                "b".repeat(40), "jane", flags);
        apply(dev, new io.stagecoach.events.DeploymentCompleted(release, "dev", "gitops", "r1", null, false),
                SATURDAY, "dev-promotion");

        assertThat(StatusTable.row(SERVICE, environments.get("dev"), dev, SATURDAY).get(1))
                .isEqualTo("1.5.1 flags " + flags.digest().substring(7, 19));
    }

    private static void apply(EnvironmentLedger ledger, io.stagecoach.events.EventData data, Instant at,
                              String publisher) {
        String id = EventIds.derive("status soak", publisher);
        CloudEvent<?> event = CloudEvent.of(data, "/test", ledger.environment(), id, id, id).withTime(at);
        assertThat(ledger.apply(new AuditRecord(event, event.routingKey(), publisher, 0))).isEmpty();
    }

    private String frozen(Instant now) {
        List<String> row = StatusTable.row(SERVICE, staging, ledger, now);
        assertThat(StatusTable.HEADER.get(row.size() - 1)).isEqualTo("FROZEN");
        return row.get(row.size() - 1);
    }

    private void park(String version) {
        Release release = new Release(SERVICE, version, "ghcr.io/acme/knative-lambda-builder", "sha256:" + "a".repeat(64),
                "b".repeat(40), "jane");
        String requestId = EventIds.derive("status test", version);
        var request = PromotionRequested.verified(release, "staging", new Verification("dev", requestId));
        var frozen = new PromotionFrozen(release, "staging", Instant.parse("2026-12-07T07:00:00Z"),
                List.of("weekly Fri 16:00 - Mon 08:00 (Europe/Berlin)"), "frozen",
                new PromotionFrozen.Parked(requestId, "/stagecoach/dev/promotion", SATURDAY, requestId, null,
                        "dev-promotion", request));
        CloudEvent<PromotionFrozen> event = CloudEvent.of(frozen, "/stagecoach/staging/promotion", "staging",
                requestId, requestId, EventIds.derive("parked", version));
        assertThat(ledger.apply(new AuditRecord(event, "promotion.frozen.staging", "staging-promotion", 0))).isEmpty();
    }

    private static String defaults() {
        try (var in = Environments.class.getResourceAsStream(Environments.DEFAULT_RESOURCE)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
