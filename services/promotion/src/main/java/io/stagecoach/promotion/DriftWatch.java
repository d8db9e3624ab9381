package io.stagecoach.promotion;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stagecoach.deploy.DeployTarget;
import io.stagecoach.deploy.RunningRelease;
import io.stagecoach.deploy.TargetSettings;
import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.DriftCleared;
import io.stagecoach.events.DriftDetected;
import io.stagecoach.events.DriftDetected.Side;
import io.stagecoach.events.EventData;
import io.stagecoach.events.EventIds;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.EnvironmentLedger.Deployed;
import io.stagecoach.ledger.EnvironmentLedger.Drifting;
import io.stagecoach.support.Leadership;
import io.stagecoach.support.StagecoachIdentity;
import io.stagecoach.support.publish.EventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Compares, every {@code stagecoach.drift.interval} and for every service the environment's ledger recorded a
 * deployment of, three things: what the ledger recorded, what the deploy target declares (the GitOps overlay, the
 * Deployment's spec) and what is observed running (the pods' digests, or the workload's answer). A difference seen on
 * two checks in a row is announced as {@code drift.detected}; its end as {@code drift.cleared}. A service whose
 * promotion is under way here is left for the next check, so the comparison never catches a deployment halfway.
 * Only the replica that leads compares (ADR 22); the ids derive from what was seen, so a new leader announcing the
 * same drift again writes the same event. {@code stagecoach_drift{service}} is 1 while the ledger holds a drift.
 */
@Component
class DriftWatch extends Every {

    /** Gauge: 1 while the service's drift is open in the ledger, else 0. */
    static final String DRIFT_METER = "stagecoach.drift";

    private static final Logger log = LoggerFactory.getLogger(DriftWatch.class);
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private final EnvironmentLedger ledger;
    private final DeployTarget target;
    private final String targetName;
    private final Predicate<String> deciding;
    private final EventPublisher publisher;
    private final StagecoachIdentity identity;
    private final DriftProperties properties;
    private final BooleanSupplier leads;
    private final MeterRegistry meterRegistry;
    private final WorkloadProbe probe = new WorkloadProbe();
    /** Per service, the difference seen on the last check and not announced yet. */
    private final Map<String, String> pending = new ConcurrentHashMap<>();
    private final Set<String> gauged = ConcurrentHashMap.newKeySet();
    /** Whether the target could not be asked on the last check. */
    private volatile boolean unanswered;

    @Autowired
    DriftWatch(EnvironmentLedger ledger, DeployTarget target, TargetSettings targetSettings, PromotionHandler handler,
               EventPublisher publisher, StagecoachIdentity identity, DriftProperties properties, Leadership leadership,
               ObjectProvider<MeterRegistry> meterRegistry) {
        this(ledger, target, targetSettings.type() == TargetSettings.Type.GITOPS ? "the GitOps overlay"
                : "the Deployment's spec", handler::deciding, publisher, identity, properties, leadership::isLeader,
                meterRegistry.getIfUnique(SimpleMeterRegistry::new));
    }

    /**
     * @param targetName what the target's declaration is called in the differences
     * @param deciding   whether a promotion of the service is under way here
     * @param leads      whether this replica compares
     */
    DriftWatch(EnvironmentLedger ledger, DeployTarget target, String targetName, Predicate<String> deciding,
               EventPublisher publisher, StagecoachIdentity identity, DriftProperties properties, BooleanSupplier leads,
               MeterRegistry meterRegistry) {
        super("drift-watch");
        this.ledger = ledger;
        this.target = target;
        this.targetName = targetName;
        this.deciding = deciding;
        this.publisher = publisher;
        this.identity = identity;
        this.properties = properties;
        this.leads = leads;
        this.meterRegistry = meterRegistry;
    }

    /** Compares every service once; returns how many events it published. */
    int check() {
        String environment = identity.environmentName();
        Map<String, Deployed> recorded = new java.util.TreeMap<>();
        for (String service : ledger.services()) {
            gauge(service);
            Optional<Deployed> deployed = ledger.running(service);
            if (deployed.isEmpty() || deciding.test(service)) {
                // a promotion under way may have changed the target before its record: a sighting now would not count
                pending.remove(service);
            } else {
                recorded.put(service, deployed.get());
            }
        }
        if (recorded.isEmpty()) {
            return 0;
        }
        Map<String, Optional<RunningRelease>> declared;
        try {
            // one question for every service (one fetch of a GitOps remote)
            declared = target.declared(environment, recorded.keySet());
        } catch (RuntimeException e) {
            // the target could not be asked (Git remote or API server away): no answer is no drift; said once
            pending.clear();
            if (!unanswered) {
                unanswered = true;
                log.warn("could not compare what runs in {} with its ledger (trying again every {}): {}", environment,
                        properties.interval(), e.toString());
            }
            return 0;
        }
        if (unanswered) {
            unanswered = false;
            log.info("comparing what runs in {} with its ledger again", environment);
        }
        int published = 0;
        for (Map.Entry<String, Deployed> entry : recorded.entrySet()) {
            String service = entry.getKey();
            try {
                published += check(service, entry.getValue(), declared.getOrDefault(service, Optional.empty()));
            } catch (RuntimeException e) {
                pending.remove(service);
                log.warn("could not compare {} in {} with its ledger: {}", service, environment, e.toString());
            }
        }
        return published;
    }

    private int check(String service, Deployed deployed, Optional<RunningRelease> declared) {
        String environment = identity.environmentName();
        Side recorded = recorded(deployed);
        Side desired = declared.map(r -> side(r, targetName + " at " + r.revision())).orElse(null);
        Side running = observed(environment, service).orElse(null);
        List<String> differences = DriftComparison.differences(recorded, desired, running, targetName);
        Optional<Drifting> open = ledger.drift(service);
        if (differences.isEmpty()) {
            pending.remove(service);
            if (open.isEmpty()) {
                return 0;
            }
            String id = EventIds.derive("drift.cleared", open.get().eventId());
            log.info("{} in {} runs what the ledger recorded again ({}): drift {} cleared", service, environment,
                    recorded.describe(), open.get().eventId());
            return publish(new DriftCleared(service, environment, recorded, open.get().eventId()), service,
                    open.get().eventId(), id);
        }
        // what differs, not where it was read: another service's commit moves the overlay's revision, not this drift
        String seen = String.join(" | ", deployed.eventId(), names(desired), names(running));
        String id = EventIds.derive("drift.detected", environment, service, deployed.eventId(), names(desired),
                names(running));
        if (open.isPresent() && open.get().eventId().equals(id)) {
            pending.remove(service);
            return 0;
        }
        if (!seen.equals(pending.put(service, seen))) {
            // seen once: a deployment by another service (a rollback) may be between its change and its record
            return 0;
        }
        pending.remove(service);
        log.warn("{} in {} does not run what the ledger recorded: {}", service, environment,
                String.join("; ", differences));
        return publish(new DriftDetected(service, environment, recorded, desired, running, differences), service,
                deployed.eventId(), id);
    }

    private Optional<Side> observed(String environment, String service) {
        Optional<RunningRelease> pods = target.observed(environment, service);
        if (pods.isPresent()) {
            return pods.map(r -> side(r, "the pods: " + r.revision()));
        }
        DriftProperties.Workload workload = properties.workload(service);
        return workload == null ? Optional.empty()
                : probe.ask(workload, environment, identity.environment().namespace(), service);
    }

    private int publish(EventData data, String service, String causationId, String id) {
        if (ledger.seen(id)) {
            return 0;
        }
        String environment = identity.environmentName();
        publisher.publish(CloudEvent.of(data, "/stagecoach/" + environment + "/promotion", environment,
                EventIds.derive("drift", environment, service), causationId, id));
        return 1;
    }

    private void gauge(String service) {
        if (gauged.add(service)) {
            Gauge.builder(DRIFT_METER, ledger, l -> l.drift(service).isPresent() ? 1 : 0)
                    .description("1 while the service does not run what the ledger recorded (drift.detected), else 0")
                    .tag("service", service)
                    .register(meterRegistry);
        }
    }

    /** The release a side names, without where it was read. */
    private static String names(Side side) {
        return side == null ? "none" : side.version() + "@" + side.digest();
    }

    private static Side recorded(Deployed deployed) {
        return new Side(deployed.release().version(), deployed.release().digest(), "ledger: "
                + (deployed.rollback() ? "rollback" : "deployment") + " " + deployed.eventId());
    }

    /** A side as the target reported it; a digest that is not one (a hand edit) is left out, its source says so. */
    private static Side side(RunningRelease release, String source) {
        String digest = release.digest();
        if (digest != null && !DIGEST.matcher(digest).matches()) {
            return new Side(release.version(), null, source + " (digest '" + digest + "' is not one)");
        }
        return new Side(release.version(), digest, source);
    }

    @Override
    Duration interval() {
        return properties.interval();
    }

    @Override
    boolean enabled() {
        return properties.enabled();
    }

    @Override
    void run() {
        // every replica exports the gauge from its own ledger; only the leader compares
        ledger.services().forEach(this::gauge);
        if (!leads.getAsBoolean()) {
            pending.clear();
        }
        whenLeading(leads, this::check, log, "compare what runs in " + identity.environmentName()
                + " with its ledger");
    }
}
