package io.stagecoach.support.inbound;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.stagecoach.events.EventType;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.PublishingRights;

/**
 * Who may have published an event of a type into an environment: the RabbitMQ users (the broker-validated
 * {@code user_id}) a consumer accepts. The rules are the platform's {@link PublishingRights}, the same that
 * generate the broker's topic permissions, so what the broker lets a user publish and what a consumer accepts
 * from it cannot drift apart. With the default path that means:
 * <ul>
 * <li>events a service emits about its own environment come from that service's user in the same vhost;</li>
 * <li>{@code build.completed} only from CI, and only into the first environment;</li>
 * <li>{@code promotion.requested} into the first environment from build-completed; into a later {@code auto}
 * environment from the previous environment's promotion service (through the shovel, which keeps
 * {@code user_id}); into a {@code manual} environment from its approval service; into any environment from its
 * rollback service (re-deploying the last verified release);</li>
 * <li>{@code approval.requested} only into a {@code manual} environment, from the previous environment's
 * promotion service;</li>
 * <li>{@code release.withdrawn} into any environment but the first, from the previous environment's rollback
 * service (through the shovel) and nobody else;</li>
 * <li>approvals exist only behind a {@code manual} gate: {@code approval.decided} from the decision publishers
 * of the environments file (e.g. the chat bot), its outcomes from the environment's approval service.</li>
 * </ul>
 */
public final class ExpectedPublishers {

    private final Map<String, Map<EventType, Set<String>>> byEnvironment = new HashMap<>();

    public ExpectedPublishers(Environments environments) {
        PublishingRights rights = PublishingRights.of(environments);
        for (Environment environment : environments.all()) {
            Map<EventType, Set<String>> byType = new EnumMap<>(EventType.class);
            for (EventType type : EventType.values()) {
                byType.put(type, Collections.unmodifiableSet(
                        new TreeSet<>(rights.expectedPublishers(type, environment.name()))));
            }
            byEnvironment.put(environment.name(), byType);
        }
    }

    /** Whether {@code user} may have published an event of {@code type} into {@code environment}. */
    public boolean isExpected(EventType type, Environment environment, String user) {
        return user != null && publishersOf(type, environment).contains(user);
    }

    /** The users that may publish {@code type} into {@code environment}, sorted; empty if nobody may. */
    public Set<String> publishersOf(EventType type, Environment environment) {
        Map<EventType, Set<String>> byType = byEnvironment.get(environment.name());
        if (byType == null) {
            throw new IllegalArgumentException("Unknown environment '" + environment.name() + "'; known: "
                    + byEnvironment.keySet());
        }
        return byType.get(type);
    }
}
