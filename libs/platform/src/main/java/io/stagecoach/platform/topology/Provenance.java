package io.stagecoach.platform.topology;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;

/**
 * The one rule for what counts: whether a message in an environment's vhost — an inbox delivery or a record of its
 * audit stream — is what it claims to be. Topic permissions limit routing keys, not bodies, and the audit stream
 * keeps everything routed in the vhost, so a credential may put any body under a key it may use. A message counts
 * only when
 * <ul>
 * <li>its routing key is its type's key for the environment it is addressed to;</li>
 * <li>it is addressed to this environment, or is a hand-off to the next one published here;</li>
 * <li>its broker-validated {@code user_id} is a producer allowed for that type there, by the same
 * {@link PublishingRights} that generate the topic permissions (hand-off types are judged as they arrive through the
 * shovel, which keeps {@code user_id}: {@code promotion.requested.staging} from {@code dev-promotion});</li>
 * <li>or, for {@code build.completed} only, it has no {@code user_id} and arrived where builds enter: CI tools cannot
 * set it, and only the CI user's topic permission admits the key.</li>
 * </ul>
 * Anything else stays in the audit (it happened) but changes no state and is never acted on.
 */
public final class Provenance {

    /** Why a message does not count: a short tag for metrics and a sentence for people. */
    public record Refusal(String reason, String message) {
    }

    private final Environments environments;
    /** vhost environment -> addressed environment -> type -> users whose events count. */
    private final Map<String, Map<String, Map<EventType, Set<String>>>> producers = new HashMap<>();

    private Provenance(Environments environments) {
        this.environments = environments;
        PublishingRights rights = PublishingRights.of(environments);
        for (Environment here : environments.all()) {
            Map<String, Map<EventType, Set<String>>> byAddressee = new HashMap<>();
            byAddressee.put(here.name(), table(rights, here, null));
            environments.next(here.name())
                    .ifPresent(next -> byAddressee.put(next.name(), table(rights, next, here)));
            producers.put(here.name(), byAddressee);
        }
    }

    public static Provenance of(Environments environments) {
        return new Provenance(environments);
    }

    /**
     * Who may publish {@code type} addressed to {@code addressee}; with {@code publishedIn} set, only its users
     * (a hand-off as it leaves that vhost).
     */
    private static Map<EventType, Set<String>> table(PublishingRights rights, Environment addressee,
            Environment publishedIn) {
        Map<EventType, Set<String>> byType = new EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) {
            Set<String> users = new LinkedHashSet<>(rights.expectedPublishers(type, addressee.name()));
            if (publishedIn != null) {
                users.removeIf(user -> !isUserOf(user, publishedIn));
            }
            byType.put(type, Collections.unmodifiableSet(users));
        }
        return byType;
    }

    private static boolean isUserOf(String user, Environment environment) {
        for (Principal principal : Principal.values()) {
            if (principal.userIn(environment.vhost()).equals(user)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Judges a message found in {@code vhostEnvironment}'s vhost.
     *
     * @param type         the type its body claims
     * @param addressee    the environment its body claims ({@code environment} of the event)
     * @param routingKey   the key it was published with, null where the broker did not say (then not judged)
     * @param publisher    its broker-validated {@code user_id}, null or empty when it had none
     * @return empty when it counts, otherwise why not
     */
    public Optional<Refusal> judge(String vhostEnvironment, EventType type, String addressee, String routingKey,
            String publisher) {
        Map<String, Map<EventType, Set<String>>> byAddressee = producers.get(vhostEnvironment);
        if (byAddressee == null) {
            throw new IllegalArgumentException("Unknown environment '" + vhostEnvironment + "'; known: "
                    + producers.keySet());
        }
        Map<EventType, Set<String>> byType = byAddressee.get(addressee);
        if (byType == null) {
            return Optional.of(new Refusal("wrong-environment", "a " + type.eventName() + " addressed to environment '"
                    + addressee + "' has no business in the vhost of '" + vhostEnvironment + "'"));
        }
        String expectedKey = type.routingKey(addressee);
        if (routingKey != null && !routingKey.equals(expectedKey)) {
            return Optional.of(new Refusal("wrong-routing-key", "a " + type.eventName() + " arrived with routing key '"
                    + routingKey + "', expected '" + expectedKey + "'"));
        }
        Set<String> allowed = byType.get(type);
        if (publisher == null || publisher.isEmpty()) {
            if (type == EventType.BUILD_COMPLETED && !allowed.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Refusal("missing-user-id", "a " + type.eventName()
                    + " has no user_id: its publisher is unknown"));
        }
        if (!allowed.contains(publisher)) {
            return Optional.of(new Refusal("unexpected-publisher", "a " + type.eventName() + " for '" + addressee
                    + "' published by '" + publisher + "', expected one of " + allowed));
        }
        return Optional.empty();
    }

    /** The users whose events of {@code type} addressed to {@code environment} count there; empty if nobody's. */
    public Set<String> publishersOf(EventType type, String environment) {
        Map<String, Map<EventType, Set<String>>> byAddressee = producers.get(environment);
        if (byAddressee == null) {
            throw new IllegalArgumentException("Unknown environment '" + environment + "'; known: "
                    + producers.keySet());
        }
        return byAddressee.get(environment).get(type);
    }

    public Environments environments() {
        return environments;
    }
}
