package io.stagecoach.local;

import java.util.ArrayList;
import java.util.List;

import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.topology.PublishingRights;

/**
 * Every forged record the permission table allows, generated from the platform's {@link PublishingRights} (the
 * table the topic permissions are made from): for every principal with a user in an environment, every routing key
 * its topic permission admits there, every body type, and every environment the body can be addressed to so that a
 * stream keeps it. What the principal may legitimately publish is left out.
 */
final class ForgedRecordCases {

    private ForgedRecordCases() {
    }

    /** In path order, then {@link Principal}, routing key and {@link EventType} order. */
    static List<ForgedRecordCase> generate(Environments environments) {
        PublishingRights rights = PublishingRights.of(environments);
        List<ForgedRecordCase> cases = new ArrayList<>();
        for (Environment environment : environments.all()) {
            for (Principal principal : rights.principalsIn(environment.name())) {
                String user = principal.userIn(environment.vhost());
                for (String routingKey : rights.routingKeys(principal, environment.name())) {
                    for (String bodyEnvironment : bodyEnvironments(environment.name(), routingKey)) {
                        for (EventType type : EventType.values()) {
                            if (!isLegitimate(rights, user, routingKey, type, bodyEnvironment)) {
                                cases.add(new ForgedRecordCase(environment.name(), principal, routingKey, type,
                                        bodyEnvironment));
                            }
                        }
                    }
                }
            }
        }
        return List.copyOf(cases);
    }

    /**
     * Whether {@code user} publishing an event of {@code type} for {@code environment} under {@code routingKey} is
     * an event it may publish: the key is the type's key for the body's environment and the user is a producer
     * the platform expects for that type there.
     */
    static boolean isLegitimate(PublishingRights rights, String user, String routingKey, EventType type,
                                String environment) {
        return routingKey.equals(type.routingKey(environment))
                && rights.expectedPublishers(type, environment).contains(user);
    }

    /**
     * The environments whose ledgers a record under {@code routingKey} published in {@code environment} can reach:
     * the key's (the shovel carries a hand-off there) and the publisher's own, whose stream keeps every record.
     */
    private static List<String> bodyEnvironments(String environment, String routingKey) {
        String target = ForgedRecordCase.environmentOf(routingKey);
        return target.equals(environment) ? List.of(target) : List.of(target, environment);
    }
}
