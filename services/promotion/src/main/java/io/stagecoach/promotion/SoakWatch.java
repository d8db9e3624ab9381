package io.stagecoach.promotion;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import io.stagecoach.events.CloudEvent;
import io.stagecoach.events.SmokeTestPassed;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.EnvironmentLedger.Pass;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.support.Leadership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Hands off, once it soaked, a release verified in an environment that asks for a soak (ADR 39). Every
 * {@code stagecoach.promotion.soak-check}, on the replica that leads, the last smoke pass of each service the ledger
 * kept is decided again while its release still runs here: the hand-off policy moves it on once it has run the
 * environment's {@code soak} here without an alert for its service, and says {@code Soaking} until then. Nothing runs
 * where the environment asks for no soak.
 */
@Component
class SoakWatch extends Every {

    private static final Logger log = LoggerFactory.getLogger(SoakWatch.class);

    private final EnvironmentLedger ledger;
    private final Environment environment;
    private final Resumer resumer;
    private final Duration interval;
    private final BooleanSupplier leads;
    /** Passes decided to something other than a soak: not decided again here. */
    private final Set<String> settled = ConcurrentHashMap.newKeySet();

    /** Decides one kept pass; empty when it was handed off already. */
    interface Resumer {
        Optional<HandoffDecision> resume(CloudEvent<SmokeTestPassed> passed) throws Exception;
    }

    @Autowired
    SoakWatch(EnvironmentLedger ledger, Environment environment, PromotionHandler handler,
              PromotionProperties properties, Leadership leadership) {
        this(ledger, environment, handler::resumeHandOff, properties.soakCheck(), leadership::isLeader);
    }

    SoakWatch(EnvironmentLedger ledger, Environment environment, Resumer resumer, Duration interval,
              BooleanSupplier leads) {
        super("soak-watch");
        this.ledger = ledger;
        this.environment = environment;
        this.resumer = resumer;
        this.interval = interval;
        this.leads = leads;
    }

    @Override
    Duration interval() {
        return interval;
    }

    @Override
    boolean enabled() {
        return !environment.soak().isZero();
    }

    /** Decides the kept passes of releases that still run here; returns how many were handed off or stopped. */
    int check() {
        int moved = 0;
        for (String service : ledger.services()) {
            Optional<Pass> pass = ledger.lastPass(service);
            boolean runs = pass.isPresent() && ledger.running(service)
                    .filter(d -> d.release().sameBuildAs(pass.get().passed().release())).isPresent();
            if (!runs || settled.contains(pass.get().eventId())) {
                continue;
            }
            try {
                Optional<HandoffDecision> decision = resumer.resume(pass.get().event());
                if (decision.isEmpty() || !(decision.get() instanceof HandoffDecision.Soaking)) {
                    settled.add(pass.get().eventId());
                    moved += decision.isPresent() ? 1 : 0;
                }
            } catch (Exception e) {
                log.warn("could not hand off {} from {} after its soak (next try in {}): {}", service,
                        environment.name(), interval, e.toString());
            }
        }
        return moved;
    }

    @Override
    void run() {
        whenLeading(leads, this::check, log, "look at what soaks in " + environment.name());
    }
}
