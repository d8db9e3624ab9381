package io.stagecoach.promotion;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stagecoach.deploy.DeployResult;
import io.stagecoach.deploy.DeployTarget;
import io.stagecoach.deploy.Deployment;
import io.stagecoach.deploy.RunningRelease;
import io.stagecoach.deploy.TransientTargetException;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DeploymentCompleted;
import io.stagecoach.events.DriftCleared;
import io.stagecoach.events.DriftDetected;
import io.stagecoach.events.Principal;
import io.stagecoach.events.Release;
import io.stagecoach.ledger.AuditRecord;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.Provenance;
import io.stagecoach.support.StagecoachIdentity;
import io.stagecoach.support.publish.EventPublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The comparison of one environment, with a ledger fed as the audit stream would feed it (every published event comes
 * back to it) and a target whose declaration and pods the test sets.
 */
class DriftWatchTests {

    static final String SERVICE = "knative-lambda-builder";
    static final String DIGEST_1 = "sha256:" + "1".repeat(64);
    static final String DIGEST_2 = "sha256:" + "2".repeat(64);
    static final Environments ENVIRONMENTS = Environments.loadDefault();

    final EnvironmentLedger ledger = new EnvironmentLedger("staging", Provenance.of(ENVIRONMENTS));
    final FakeTarget target = new FakeTarget();
    final List<CloudEvent<?>> published = new ArrayList<>();
    final Set<String> deciding = ConcurrentHashMap.newKeySet();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    long offset;
    HttpServer workload;
    volatile String workloadVersion = "1.4.1";

    DriftWatch watch(Map<String, DriftProperties.Workload> workloads) {
        EventPublisher publisher = event -> {
            published.add(event);
            ledger.apply(new AuditRecord(event, event.eventType().routingKey("staging"), "staging-promotion",
                    offset++));
        };
        return new DriftWatch(ledger, target, "the GitOps overlay", deciding::contains, publisher,
                StagecoachIdentity.of(ENVIRONMENTS.get("staging"), Principal.PROMOTION),
                new DriftProperties(true, Duration.ofSeconds(5), workloads), () -> true, meters);
    }

    @BeforeEach
    void deployed() {
        Release release = new Release(SERVICE, "1.4.1", "ghcr.io/acme/" + SERVICE, DIGEST_1, "a".repeat(40), "jane");
        CloudEvent<?> completed = CloudEvent.of(new DeploymentCompleted(release, "staging", "gitops", "c1", null,
                false), "/stagecoach/staging/promotion", "staging", "run-1", "cause-1",
                io.stagecoach.events.EventIds.derive("deployed", "1.4.1"));
        ledger.apply(new AuditRecord(completed, "deployment.completed.staging", "staging-promotion", offset++));
        target.declared = new RunningRelease("1.4.1", "ghcr.io/acme/" + SERVICE, DIGEST_1, "c1");
    }

    @AfterEach
    void stopWorkload() {
        if (workload != null) {
            workload.stop(0);
        }
    }

    @Test
    void sidesThatAgreeAnnounceNothing() {
        DriftWatch watch = watch(Map.of());

        assertThat(watch.check() + watch.check()).isZero();
        assertThat(published).isEmpty();
        assertThat(gauge()).isZero();
    }

    @Test
    void aHandEditOfTheOverlayIsAnnouncedOnItsSecondSightingAndItsEndClearsIt() {
        DriftWatch watch = watch(Map.of());
        target.declared = new RunningRelease("9.9.9", "ghcr.io/acme/" + SERVICE, DIGEST_2, "c2");

        assertThat(watch.check()).as("seen once: perhaps a deployment between its change and its record").isZero();
        assertThat(watch.check()).isEqualTo(1);
        DriftDetected detected = (DriftDetected) published.get(0).data();
        assertThat(detected.recorded().version()).isEqualTo("1.4.1");
        assertThat(detected.desired().version()).isEqualTo("9.9.9");
        assertThat(detected.desired().source()).isEqualTo("the GitOps overlay at c2");
        assertThat(detected.differences()).singleElement().asString()
                .startsWith("the GitOps overlay declares 9.9.9 (sha256:222222222222…), the ledger recorded 1.4.1");
        assertThat(ledger.drift(SERVICE)).isPresent();
        assertThat(gauge()).isEqualTo(1);

        assertThat(watch.check()).as("the same drift is announced once").isZero();
        target.declared = new RunningRelease("9.9.9", "ghcr.io/acme/" + SERVICE, DIGEST_2, "c2-other-service");
        assertThat(watch.check()).as("another service's commit moved the overlay's revision, not this drift")
                .isZero();

        target.declared = new RunningRelease("1.4.1", "ghcr.io/acme/" + SERVICE, DIGEST_1, "c3");
        assertThat(watch.check()).isEqualTo(1);
        DriftCleared cleared = (DriftCleared) published.get(1).data();
        assertThat(cleared.detectedId()).isEqualTo(published.get(0).id());
        assertThat(ledger.drift(SERVICE)).isEmpty();
        assertThat(gauge()).isZero();
        assertThat(watch.check()).isZero();
    }

    @Test
    void aTagEditedBesideAnUnchangedDigestIsDrift() {
        DriftWatch watch = watch(Map.of());
        target.declared = new RunningRelease("1.4.2", "ghcr.io/acme/" + SERVICE, DIGEST_1, "c2");

        watch.check();
        assertThat(watch.check()).isEqualTo(1);
    }

    @Test
    void aServiceWhosePromotionIsUnderWayIsLeftForTheNextCheck() {
        DriftWatch watch = watch(Map.of());
        target.declared = new RunningRelease("1.4.2", "ghcr.io/acme/" + SERVICE, DIGEST_2, "c2");
        deciding.add(SERVICE);

        assertThat(watch.check() + watch.check() + watch.check()).isZero();
        deciding.remove(SERVICE);
        assertThat(watch.check()).as("a sighting before the promotion does not count").isZero();
    }

    @Test
    void podsOnAnotherDigestThanRecordedAreDrift() {
        DriftWatch watch = watch(Map.of());
        target.observed = new RunningRelease(null, "ghcr.io/acme/" + SERVICE, DIGEST_2, "1 of 3 pods");

        watch.check();
        assertThat(watch.check()).isEqualTo(1);
        DriftDetected detected = (DriftDetected) published.get(0).data();
        assertThat(detected.running().digest()).isEqualTo(DIGEST_2);
        assertThat(detected.differences()).singleElement().asString()
                .startsWith("what runs (the pods: 1 of 3 pods) is sha256:222222222222…");
    }

    @Test
    void aWorkloadAnsweringAnotherVersionIsDriftAndOneThatDoesNotAnswerIsNot() throws IOException {
        workload = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        workload.createContext("/health", exchange -> {
            byte[] body = ("{\"status\":\"UP\",\"build\":{\"version\":\"" + workloadVersion + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        workload.start();
        String url = "http://127.0.0.1:" + workload.getAddress().getPort() + "/health?env={environment}&s={service}";
        DriftWatch watch = watch(Map.of(SERVICE, new DriftProperties.Workload(url, "build.version",
                Duration.ofSeconds(2))));

        assertThat(watch.check() + watch.check()).isZero();

        workloadVersion = "1.3.0";
        watch.check();
        assertThat(watch.check()).isEqualTo(1);
        DriftDetected detected = (DriftDetected) published.get(0).data();
        assertThat(detected.running().version()).isEqualTo("1.3.0");
        assertThat(detected.running().source()).isEqualTo("workload http://127.0.0.1:"
                + workload.getAddress().getPort() + "/health?env=staging&s=" + SERVICE);

        workload.stop(0);
        workload = null;
        assertThat(watch.check()).as("no answer is no difference: the drift ends").isEqualTo(1);
        assertThat(published.get(1).data()).isInstanceOf(DriftCleared.class);
    }

    @Test
    void aTargetThatCannotBeAskedAnnouncesNothing() {
        DriftWatch watch = watch(Map.of());
        target.failing = true;

        assertThat(watch.check() + watch.check()).isZero();
        assertThat(published).isEmpty();
    }

    @Test
    void aTargetThatDeclaresNothingForADeployedServiceIsDrift() {
        DriftWatch watch = watch(Map.of());
        target.declared = null;

        watch.check();
        assertThat(watch.check()).isEqualTo(1);
        assertThat(((DriftDetected) published.get(0).data()).differences()).singleElement().asString()
                .startsWith("the GitOps overlay declares nothing, the ledger recorded 1.4.1");
    }

    private double gauge() {
        return meters.get(DriftWatch.DRIFT_METER).tag("service", SERVICE).gauge().value();
    }

    static final class FakeTarget implements DeployTarget {

        volatile RunningRelease declared;
        volatile RunningRelease observed;
        volatile boolean failing;

        @Override
        public DeployResult deploy(Deployment deployment) {
            throw new UnsupportedOperationException("the comparison never deploys");
        }

        @Override
        public Optional<RunningRelease> running(String environment, String service) {
            if (failing) {
                throw new TransientTargetException("cannot fetch from the GitOps remote: connection refused");
            }
            return Optional.ofNullable(declared);
        }

        @Override
        public Optional<RunningRelease> observed(String environment, String service) {
            return Optional.ofNullable(observed);
        }
    }
}
