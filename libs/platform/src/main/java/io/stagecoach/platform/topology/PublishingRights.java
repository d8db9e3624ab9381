package io.stagecoach.platform.topology;

import static io.stagecoach.events.EventType.APPROVAL_DECIDED;
import static io.stagecoach.events.EventType.APPROVAL_EXPIRED;
import static io.stagecoach.events.EventType.APPROVAL_GRANTED;
import static io.stagecoach.events.EventType.APPROVAL_OPENED;
import static io.stagecoach.events.EventType.APPROVAL_REFUSED;
import static io.stagecoach.events.EventType.APPROVAL_REJECTED;
import static io.stagecoach.events.EventType.APPROVAL_REQUESTED;
import static io.stagecoach.events.EventType.BUILD_COMPLETED;
import static io.stagecoach.events.EventType.PROMOTION_REQUESTED;
import static io.stagecoach.events.EventType.RELEASE_WITHDRAWN;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;

/**
 * Who runs where and who may publish which routing keys into which environment's vhost: the source of the users,
 * inboxes and topic permissions in the broker definitions, of the producer checks consumers make, and of which
 * services a pipeline starts.
 *
 * <p>A principal publishes into its own environment's vhost only. Events addressed to the next
 * environment ({@code promotion.requested.staging} published in dev) leave through the hand-off
 * queue and its shovel.
 *
 * <p>People and tools run by rule: operators and viewers everywhere, CI where builds enter (the first environment), decision
 * publishers behind manual gates. A service runs where it has an inbox, and it has an inbox for a type it consumes
 * where some principal may publish that type into the environment: one running there, or one running in the
 * environment before that hands it off. Services feed each other (CI feeds build-completed, which feeds promotion,
 * which feeds smoke-test...), so who runs where is the least set that satisfies this, grown from the people and
 * tools. With the default path: build-completed in dev only, approval in prod only, the others everywhere.
 */
public final class PublishingRights {

    private final Environments environments;
    /** Environment name -> the principals that run there. */
    private final Map<String, Set<Principal>> running;

    private PublishingRights(Environments environments) {
        this.environments = environments;
        this.running = whoRunsWhere();
    }

    public static PublishingRights of(Environments environments) {
        return new PublishingRights(environments);
    }

    /**
     * Whether {@code principal} runs in {@code environment}, and so has a user there (and, for a service, at least
     * one inbox): services where something they consume may be published, operators everywhere, CI only where
     * builds enter (the first environment), decision publishers only behind manual gates.
     */
    public boolean runsIn(Principal principal, String environment) {
        environments.get(environment);
        return running.get(environment).contains(principal);
    }

    /** The names of the environments {@code principal} runs in, in promotion order. */
    public List<String> environmentsOf(Principal principal) {
        return environments.all().stream().map(Environment::name).filter(env -> running.get(env).contains(principal))
                .toList();
    }

    /** The principals with a user in {@code environment}, in {@link Principal} order. */
    public List<Principal> principalsIn(String environment) {
        environments.get(environment);
        return Arrays.stream(Principal.values()).filter(p -> running.get(environment).contains(p)).toList();
    }

    /**
     * The event types {@code service} has an inbox for in {@code environment}, in {@link Principal#consumes()} order:
     * those it consumes that someone may publish into that environment. Empty where it does not run.
     */
    public List<EventType> inboxes(Principal service, String environment) {
        if (!runsIn(service, environment)) {
            return List.of();
        }
        return service.consumes().stream().filter(type -> !publishers(type, environment, running).isEmpty()).toList();
    }

    /** Routing keys {@code principal} may publish into {@code environment}'s vhost, e.g. {@code promotion.requested.staging}. */
    public List<String> routingKeys(Principal principal, String environment) {
        return grants(principal, environment).stream().map(RoutingKey::toString).toList();
    }

    /**
     * The RabbitMQ users whose events with the routing key {@code type.routingKey(environment)} may
     * legitimately arrive in {@code environment}'s vhost: what a consumer compares a message's
     * broker-validated {@code user_id} with.
     *
     * <p>The hand-off shovel keeps {@code user_id}, so an event that crossed from the previous
     * environment carries that environment's user: {@code promotion.requested.staging} comes from
     * {@code dev-promotion}, not from a staging user. Build events are the exception to user_id checks:
     * CI tools cannot set it, so for {@code build.completed} only the CI user's topic permission
     * vouches for the producer.
     */
    public Set<String> expectedPublishers(EventType type, String environment) {
        environments.get(environment);
        return publishers(type, environment, running);
    }

    /**
     * The users that may publish {@code type} into {@code environment}, given who runs where: principals running
     * there, and those running in the environment before whose events of that type are handed off to it.
     */
    private Set<String> publishers(EventType type, String environment, Map<String, Set<Principal>> runningNow) {
        List<Environment> sources = new ArrayList<>();
        environments.previous(environment).ifPresent(sources::add);
        sources.add(environments.get(environment));
        Set<String> users = new LinkedHashSet<>();
        for (Environment source : sources) {
            for (Principal principal : Principal.values()) {
                if (runningNow.get(source.name()).contains(principal) && principal.produces().contains(type)
                        && target(principal, type, source, environments.next(source.name()))
                                .filter(t -> t.name().equals(environment)).isPresent()) {
                    users.add(principal.userIn(source.vhost()));
                }
            }
        }
        return users;
    }

    /** People and tools by rule; then every service that something running may feed, until nothing changes. */
    private Map<String, Set<Principal>> whoRunsWhere() {
        Map<String, Set<Principal>> runs = new LinkedHashMap<>();
        for (Environment env : environments.all()) {
            Set<Principal> here = EnumSet.noneOf(Principal.class);
            for (Principal principal : Principal.values()) {
                if (!principal.isService() && runsByRule(principal, env)) {
                    here.add(principal);
                }
            }
            runs.put(env.name(), here);
        }
        boolean grown = true;
        while (grown) {
            grown = false;
            for (Environment env : environments.all()) {
                for (Principal service : Principal.values()) {
                    if (service.isService() && !runs.get(env.name()).contains(service) && service.consumes().stream()
                            .anyMatch(type -> !publishers(type, env.name(), runs).isEmpty())) {
                        runs.get(env.name()).add(service);
                        grown = true;
                    }
                }
            }
        }
        runs.replaceAll((env, principals) -> Collections.unmodifiableSet(principals));
        return Collections.unmodifiableMap(runs);
    }

    private boolean runsByRule(Principal principal, Environment env) {
        if (principal == Principal.OPERATOR || principal == Principal.VIEWER) {
            return true;
        }
        if (principal == Principal.CI) {
            return environments.isFirst(env.name());
        }
        if (environments.decisionPublishers().contains(principal.id())) {
            return env.isManual();
        }
        return false;
    }

    /** The routing keys {@code principal} may publish into {@code environment}'s vhost, by target environment, then type. */
    List<RoutingKey> grants(Principal principal, String environment) {
        if (!runsIn(principal, environment)) {
            return List.of();
        }
        Environment here = environments.get(environment);
        Optional<Environment> next = environments.next(environment);
        List<RoutingKey> keys = new ArrayList<>();
        for (EventType type : principal.produces()) {
            target(principal, type, here, next).ifPresent(env -> keys.add(new RoutingKey(type, env.name())));
        }
        keys.sort(Comparator.comparing((RoutingKey k) -> environments.all().indexOf(environments.get(k.environment())))
                .thenComparing(k -> k.type().ordinal()));
        return keys;
    }

    /** Into which environment (this one or the next) a principal in {@code here} publishes {@code type}, if at all. */
    private Optional<Environment> target(Principal principal, EventType type, Environment here, Optional<Environment> next) {
        boolean first = environments.isFirst(here.name());
        if (principal == Principal.BUILD_COMPLETED && !first) {
            // builds enter the first environment only: the build-completed service publishes nothing elsewhere
            return Optional.empty();
        }
        if (type == BUILD_COMPLETED) {
            return first ? Optional.of(here) : Optional.empty();
        }
        if (type == PROMOTION_REQUESTED) {
            return switch (principal) {
                case BUILD_COMPLETED -> first ? Optional.of(here) : Optional.empty();
                // a verified release moves on by itself only into an auto environment
                case PROMOTION -> next.filter(n -> !n.isManual());
                // the approval service lives behind the manual gate it opens
                case APPROVAL -> here.isManual() ? Optional.of(here) : Optional.empty();
                default -> Optional.of(here);
            };
        }
        if (type == APPROVAL_REQUESTED) {
            return next.filter(Environment::isManual);
        }
        if (type == RELEASE_WITHDRAWN) {
            // a hand-off like the others: it takes back what this environment's verification let into the next
            return next;
        }
        if (type == APPROVAL_OPENED || type == APPROVAL_DECIDED || type == APPROVAL_GRANTED || type == APPROVAL_REJECTED
                || type == APPROVAL_REFUSED || type == APPROVAL_EXPIRED) {
            return here.isManual() ? Optional.of(here) : Optional.empty();
        }
        return Optional.of(here);
    }
}
