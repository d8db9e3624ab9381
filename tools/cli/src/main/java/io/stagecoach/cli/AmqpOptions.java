package io.stagecoach.cli;

import picocli.CommandLine.Option;

/** Where RabbitMQ is and, optionally, who to be there instead of the conventional user. */
final class AmqpOptions {

    static final String URI_VARIABLE = "STAGECOACH_AMQP_URI";
    static final String USER_VARIABLE = "STAGECOACH_USER";
    static final String PASSWORD_VARIABLE = "STAGECOACH_PASSWORD";
    static final String DEFAULT_URI = "amqp://127.0.0.1:5672";

    @Option(names = "--amqp-uri", paramLabel = "URI[,URI...]",
            description = "RabbitMQ to talk to; for a cluster every node's URI, comma-separated, tried in order "
                    + "(env " + URI_VARIABLE + "; default " + DEFAULT_URI + ")")
    String uri;

    @Option(names = "--user", paramLabel = "USER",
            description = "RabbitMQ user for this command (env " + USER_VARIABLE + "; default the conventional "
                    + "<vhost>-<role> user, e.g. dev-ci)")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD",
            description = "its password (env " + PASSWORD_VARIABLE + "; default STAGECOACH_PASSWORD_<USER>, "
                    + "$STAGECOACH_SECRETS_DIR/<user>, else the local-only <user>-local-only)")
    String password;

    Broker broker(CliContext context) {
        return new Broker(context.setting(uri, URI_VARIABLE, DEFAULT_URI), context.setting(user, USER_VARIABLE, null),
                context.setting(password, PASSWORD_VARIABLE, null), context.env());
    }
}
