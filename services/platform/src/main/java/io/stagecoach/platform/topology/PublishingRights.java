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
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;

/**
 * Who may publish which routing keys into which environment's vhost: the source of the topic
 * permissions in the broker definitions, and of the producer checks consumers make.
 *
 * <p>A principal publishes into its own environment's vhost only. Events addressed to the next
 * environment ({@code promotion.requested.staging} published in dev) leave through the hand-off
 * queue and its shovel.
 */
public final class PublishingRights {

    private final Environments environments;

    private PublishingRights(Environments environments) {
        this.environments = environments;
    }

    public static PublishingRights of(Environments environments) {
        return new PublishingRights(environments);
    }

    /**
     * Whether {@code principal} has a user in {@code environment}: services and operators everywhere,
     * CI only where builds enter (the first environment), decision publishers only behind manual gates.
     */
    public boolean hasUserIn(Principal principal, String environment) {
        Environment env = environments.get(environment);
        if (principal.isService() || principal == Principal.OPERATOR) {
            return true;
        }
        if (principal == Principal.CI) {
            return environments.isFirst(environment);
        }
        if (environments.decisionPublishers().contains(principal.id())) {
            return env.isManual();
        }
        return false;
    }

    /** The principals with a user in {@code environment}, in {@link Principal} order. */
    public List<Principal> principalsIn(String environment) {
        return Arrays.stream(Principal.values()).filter(p -> hasUserIn(p, environment)).toList();
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
        Environment target = environments.get(environment);
        List<Environment> sources = new ArrayList<>();
        environments.previous(environment).ifPresent(sources::add);
        sources.add(target);
        Set<String> users = new LinkedHashSet<>();
        for (Environment source : sources) {
            for (Principal principal : principalsIn(source.name())) {
                if (grants(principal, source.name()).contains(new RoutingKey(type, environment))) {
                    users.add(principal.userIn(source.vhost()));
                }
            }
        }
        return users;
    }

    /** The routing keys {@code principal} may publish into {@code environment}'s vhost, by target environment, then type. */
    List<RoutingKey> grants(Principal principal, String environment) {
        if (!hasUserIn(principal, environment)) {
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
