package io.stagecoach.promotion;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stagecoach.events.PromotionFrozen;
import io.stagecoach.ledger.EnvironmentLedger;
import io.stagecoach.ledger.EnvironmentLedger.Parked;
import io.stagecoach.ledger.Freeze;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.support.Leadership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Decides, once the environment's freeze ended (the windows of its schedule, and its operator's stop of the line), the
 * requests parked during it (ADR 38). Every
 * {@code stagecoach.promotion.freeze-check}, on the replica that leads, each request the ledger holds as parked and
 * that no outcome ended is decided again, as it arrived and with the user that published it: the newest of a service
 * first, so the older ones find a newer release running and are blocked as older. A request parked again (a freeze
 * that began meanwhile) waits for that one. {@code stagecoach_promotions_parked} counts what waits, and
 * {@code stagecoach_freeze_active} says whether the environment is frozen, on every replica.
 */
@Component
class FreezeWatch extends Every {

    static final String PARKED_METER = "stagecoach.promotions.parked";
    static final String FROZEN_METER = "stagecoach.freeze.active";

    private static final Logger log = LoggerFactory.getLogger(FreezeWatch.class);

    private final EnvironmentLedger ledger;
    private final Environment environment;
    private final Resumer resumer;
    private final Duration interval;
    private final BooleanSupplier leads;
    private final Clock clock;
    /** Parked requests whose decision published nothing (the release ran already): not decided again here. */
    private final Set<String> settled = ConcurrentHashMap.newKeySet();

    /** Decides one parked request; empty when it was handled already. */
    interface Resumer {
        Optional<PromotionDecision> resume(PromotionFrozen.Parked parked) throws Exception;
    }

    @Autowired
    FreezeWatch(EnvironmentLedger ledger, Environment environment, PromotionHandler handler,
                PromotionProperties properties, Leadership leadership, ObjectProvider<MeterRegistry> meterRegistry) {
        this(ledger, environment, handler::resume, properties.freezeCheck(), leadership::isLeader, Clock.systemUTC(),
                meterRegistry.getIfUnique(SimpleMeterRegistry::new));
    }

    FreezeWatch(EnvironmentLedger ledger, Environment environment, Resumer resumer, Duration interval,
                BooleanSupplier leads, Clock clock, MeterRegistry meterRegistry) {
        super("freeze-watch");
        this.ledger = ledger;
        this.environment = environment;
        this.resumer = resumer;
        this.interval = interval;
        this.leads = leads;
        this.clock = clock;
        Gauge.builder(PARKED_METER, this, w -> w.waiting().size())
                .description("Promotion requests parked while the environment is frozen, waiting for its end")
                .register(meterRegistry);
        Gauge.builder(FROZEN_METER, this, w -> w.frozen() ? 1 : 0)
                .description("1 while a window of the environment's freeze schedule or a stop of the line holds, else 0")
                .register(meterRegistry);
    }

    @Override
    Duration interval() {
        return interval;
    }

    /** The parked requests no outcome ended, the newest of each service first. */
    List<Parked> waiting() {
        return ledger.parked().stream().filter(p -> !settled.contains(p.requestId()))
                .sorted(Comparator.comparing((Parked p) -> p.frozen().release().service())
                        .thenComparing(p -> p.frozen().parked().time(), Comparator.reverseOrder()))
                .toList();
    }

    /** Decides what waits if the freeze ended; returns how many requests it decided. */
    int check() {
        if (frozen()) {
            return 0;
        }
        int decided = 0;
        for (Parked parked : waiting()) {
            PromotionFrozen frozen = parked.frozen();
            try {
                Optional<PromotionDecision> decision = resumer.resume(frozen.parked());
                decided++;
                log.info("{} {} parked since {} in {}: {}", frozen.release().service(), frozen.release().version(),
                        parked.at(), environment.name(), decision.map(FreezeWatch::describe).orElse("handled already"));
                if (decision.isEmpty() || decision.get().events().isEmpty()) {
                    settled.add(parked.requestId());
                }
            } catch (Exception e) {
                // the target away, the broker away: the request stays parked and is tried again on the next check
                log.warn("could not decide {} {} parked in {} (next try in {}): {}", frozen.release().service(),
                        frozen.release().version(), environment.name(), interval, e.toString());
            }
        }
        return decided;
    }

    /** Whether the schedule or the operator's stop of the line holds now. */
    boolean frozen() {
        return Freeze.at(environment.freeze(), ledger.lineStop(), clock.instant()).isPresent();
    }

    private static String describe(PromotionDecision decision) {
        return decision.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    void run() {
        whenLeading(leads, this::check, log, "decide the requests parked in " + environment.name());
    }
}
