package io.stagecoach.promotion;

import static io.stagecoach.promotion.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.EventIds;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.events.PromotionRequested;
import io.stagecoach.events.Verification;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.platform.environments.Environment;
import org.junit.jupiter.api.Test;

/** The leader decides what was parked once the freeze ended, the newest of a service first, and only then. */
class FreezeWatchTests {

    static final Environment STAGING = FreezePolicyTests.FROZEN.get("staging");

    final EnvironmentLedger ledger = new EnvironmentLedger("staging", Provenance.of(FreezePolicyTests.FROZEN));
    final List<String> resumed = new ArrayList<>();
    final AtomicReference<Instant> now = new AtomicReference<>(FreezePolicyTests.SATURDAY);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    boolean leads = true;
    long offset;
    Optional<PromotionDecision> answer = Optional.of(new PromotionDecision.Nothing("runs already"));

    final FreezeWatch watch = new FreezeWatch(ledger, STAGING, parked -> {
        resumed.add(parked.request().release().version());
        return answer;
    }, Duration.ofSeconds(5), () -> leads, new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }, registry);

    @Test
    void waitsWhileFrozenThenDecidesTheNewestOfAServiceFirst() {
        String older = park("1.5.0", "2026-12-05T10:00:00Z");
        park("1.6.0", "2026-12-05T10:30:00Z");
        assertThat(registry.get(FreezeWatch.PARKED_METER).gauge().value()).isEqualTo(2);

        assertThat(watch.check()).as("while frozen").isZero();
        assertThat(resumed).isEmpty();

        now.set(FreezePolicyTests.MONDAY_0800_BERLIN);
        assertThat(watch.check()).isEqualTo(2);
        assertThat(resumed).containsExactly("1.6.0", "1.5.0");

        // decisions that published nothing are not decided again; an outcome of the request ends its wait
        assertThat(watch.check()).isZero();
        assertThat(registry.get(FreezeWatch.PARKED_METER).gauge().value()).isZero();
        assertThat(ledger.parked()).hasSize(2);
        fold(CloudEvent.of(new io.stagecoach.events.DeploymentCompleted(release("1.5.0"), "staging", "gitops", "r1",
                null, false), "/stagecoach/staging/promotion", "staging", uuid("run"), older, uuid("completed")),
                "staging-promotion");
        assertThat(ledger.parked()).hasSize(1);
    }

    @Test
    void aReplicaThatDoesNotLeadDecidesNothingAndAFailureIsTriedAgain() {
        park("1.5.0", "2026-12-05T10:00:00Z");
        now.set(FreezePolicyTests.WEDNESDAY);
        leads = false;
        watch.run();
        assertThat(resumed).isEmpty();

        leads = true;
        FreezeWatch failing = new FreezeWatch(ledger, STAGING, parked -> {
            resumed.add("failed " + parked.request().release().version());
            throw new IllegalStateException("the target is away");
        }, Duration.ofSeconds(5), () -> true, Clock.fixed(FreezePolicyTests.WEDNESDAY, ZoneOffset.UTC),
                new SimpleMeterRegistry());
        failing.check();
        failing.check();
        assertThat(resumed).containsExactly("failed 1.5.0", "failed 1.5.0");
    }

    private String park(String version, String at) {
        String requestId = uuid("request " + version);
        var request = PromotionRequested.verified(release(version), "staging", new Verification("dev", uuid("pass")));
        var frozen = new PromotionFrozen(release(version), "staging", FreezePolicyTests.MONDAY_0800_BERLIN,
                List.of("weekly"), "frozen", new PromotionFrozen.Parked(requestId, "/stagecoach/dev/promotion",
                Instant.parse(at), uuid("run"), uuid("pass"), "dev-promotion", request));
        fold(CloudEvent.of(frozen, "/stagecoach/staging/promotion", "staging", uuid("run"), requestId,
                uuid("frozen " + version)), "staging-promotion");
        return requestId;
    }

    private void fold(CloudEvent<?> event, String publisher) {
        assertThat(ledger.apply(new AuditRecord(event, event.eventType().routingKey("staging"), publisher, offset++)))
                .isEmpty();
    }

    private static String uuid(String name) {
        return EventIds.derive("freeze watch test", name);
    }
}
