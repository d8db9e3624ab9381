package io.stagecoach.support.inbound;

import java.util.Set;
import java.util.TreeSet;

import io.stagecoach.events.EventType;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.environments.Gate;

/**
 * Who may have published an event of a type into an environment: the RabbitMQ users (the broker-validated
 * {@code user_id}) a consumer accepts. Derived from {@link Principal#produces()} and the environment path:
 * <ul>
 * <li>events a service emits about its own environment come from that service's user in the same vhost;</li>
 * <li>{@code build.completed} only from CI, and only into the first environment;</li>
 * <li>{@code promotion.requested} into the first environment from build-completed; into a later {@code auto}
 * environment from the previous environment's promotion service (through the shovel, which keeps
 * {@code user_id}); into a {@code manual} environment from its approval service; into any environment from its
 * rollback service (re-deploying the last verified release);</li>
 * <li>{@code approval.requested} only into a {@code manual} environment, from the previous environment's
 * promotion service;</li>
 * <li>{@code approval.decided} from the decision publishers of the environments file (e.g. the chat bot).</li>
 * </ul>
 */
public final class ExpectedPublishers {

    private final Environments environments;

    public ExpectedPublishers(Environments environments) {
        this.environments = environments;
    }

    /** Whether {@code user} may have published an event of {@code type} into {@code environment}. */
    public boolean isExpected(EventType type, Environment environment, String user) {
        return user != null && publishersOf(type, environment).contains(user);
    }

    /** The users that may publish {@code type} into {@code environment}, sorted; empty if nobody may. */
    public Set<String> publishersOf(EventType type, Environment environment) {
        Set<String> users = new TreeSet<>();
        String vhost = environment.vhost();
        boolean first = environments.isFirst(environment.name());
        Environment previous = environments.previous(environment.name()).orElse(null);
        switch (type) {
            case BUILD_COMPLETED -> {
                if (first) {
                    users.add(Principal.CI.userIn(vhost));
                }
            }
            case PROMOTION_REQUESTED -> {
                if (first) {
                    users.add(Principal.BUILD_COMPLETED.userIn(vhost));
                }
                else if (environment.gate() == Gate.AUTO) {
                    users.add(Principal.PROMOTION.userIn(previous.vhost()));
                }
                if (environment.gate() == Gate.MANUAL) {
                    users.add(Principal.APPROVAL.userIn(vhost));
                }
                users.add(Principal.ROLLBACK.userIn(vhost));
            }
            case APPROVAL_REQUESTED -> {
                if (!first && environment.gate() == Gate.MANUAL) {
                    users.add(Principal.PROMOTION.userIn(previous.vhost()));
                }
            }
            case APPROVAL_DECIDED -> environments.decisionPublishers().forEach(id -> users.add(vhost + "-" + id));
            default -> {
                for (Principal principal : Principal.values()) {
                    if (principal.produces().contains(type)) {
                        users.add(principal.userIn(vhost));
                    }
                }
            }
        }
        return users;
    }
}
