package io.stagecoach.cli;

import io.stagecoach.platform.topology.ManagementClient;
import picocli.CommandLine.Option;

/** The RabbitMQ management HTTP API and its administrator, for provisioning. */
final class ManagementOptions {

    static final String URL_VARIABLE = "STAGECOACH_MANAGEMENT_URL";
    static final String USER_VARIABLE = "STAGECOACH_MANAGEMENT_USER";
    static final String PASSWORD_VARIABLE = "STAGECOACH_MANAGEMENT_PASSWORD";
    static final String DEFAULT_URL = "http://127.0.0.1:15672";

    @Option(names = "--management-url", paramLabel = "URL",
            description = "RabbitMQ management API (env " + URL_VARIABLE + "; default " + DEFAULT_URL + ")")
    String url;

    @Option(names = "--management-user", paramLabel = "USER",
            description = "an administrator (env " + USER_VARIABLE + "; default guest)")
    String user;

    @Option(names = "--management-password", paramLabel = "PASSWORD",
            description = "its password (env " + PASSWORD_VARIABLE + "; default guest)")
    String password;

    String url(CliContext context) {
        return context.setting(url, URL_VARIABLE, DEFAULT_URL);
    }

    String user(CliContext context) {
        return context.setting(user, USER_VARIABLE, "guest");
    }

    String password(CliContext context) {
        return context.setting(password, PASSWORD_VARIABLE, "guest");
    }

    /** Runs a call to the management API, and says as the CLI does when it is unreachable or refuses. */
    static <T> T call(java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (io.stagecoach.platform.topology.BrokerUnreachableException e) {
            throw CliException.broker(e.getMessage(), e);
        } catch (io.stagecoach.platform.topology.ManagementApiException e) {
            throw CliException.broker("RabbitMQ's management API refused: " + e.getMessage(), e);
        }
    }

    ManagementClient client(CliContext context) {
        try {
            return new ManagementClient(url(context), user(context), password(context));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("Invalid management URL '" + url(context) + "' (--management-url or "
                    + URL_VARIABLE + "): " + e.getMessage() + "; use e.g. " + DEFAULT_URL);
        }
    }
}
