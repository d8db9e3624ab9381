package io.stagecoach.support;

import io.stagecoach.events.Principal;
import io.stagecoach.platform.environments.Environment;

/**
 * Who this process is: the environment it serves, the service it runs as and its RabbitMQ user in that
 * environment's vhost (the {@code user_id} of everything it publishes).
 */
public record StagecoachIdentity(Environment environment, Principal service, String user) {

    public static StagecoachIdentity of(Environment environment, Principal service) {
        return new StagecoachIdentity(environment, service, service.userIn(environment.vhost()));
    }

    public String environmentName() {
        return environment.name();
    }

    public String vhost() {
        return environment.vhost();
    }
}
