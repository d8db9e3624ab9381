package io.stagecoach.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.credentials.Credentials;
import io.stagecoach.platform.environments.Environment;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.concurrent.TimeoutException;

/**
 * Connections to the environments' vhosts as the conventional user of a role ({@code <vhost>-ci},
 * {@code <vhost>-operator}, ...) or the one given, and the translation of every way a connection fails into
 * a message that says what to try.
 */
final class Broker {

    static final int CONNECT_TIMEOUT_MS = 5_000;

    private final String userOverride;
    private final String passwordOverride;
    private final Credentials credentials;
    private final Map<String, String> variables;
    private final List<Address> nodes;
    private final boolean tls;

    /**
     * @param uris one AMQP URI, or every node of a cluster as comma-separated URIs
     *             ({@code amqp://rabbit-0:5672,amqp://rabbit-1:5672}), tried in this order
     */
    Broker(String uris, String userOverride, String passwordOverride, Map<String, String> variables) {
        this.userOverride = userOverride;
        this.passwordOverride = passwordOverride;
        this.credentials = Credentials.fromVariables(variables);
        this.variables = Map.copyOf(variables);
        List<Address> parsed = new ArrayList<>();
        String scheme = null;
        String[] entries = uris.split(",", -1);
        for (String entry : entries) {
            String uri = entry.strip();
            if (uri.isEmpty()) {
                throw invalidUris(uris, "an address is empty (a doubled or trailing comma?)");
            }
            URI one = parseUri(uris, uri, entries.length > 1);
            String itsScheme = one.getScheme().toLowerCase(Locale.ROOT);
            if (scheme != null && !scheme.equals(itsScheme)) {
                throw invalidUris(uris, "'" + uri + "' is " + itsScheme + " while the first address is " + scheme
                        + "; every node must be reached the same way");
            }
            scheme = itsScheme;
            boolean secure = itsScheme.equals("amqps");
            parsed.add(new Address(one.getHost(), one.getPort() > 0 ? one.getPort() : secure ? 5671 : 5672));
        }
        this.nodes = List.copyOf(parsed);
        this.tls = "amqps".equals(scheme);
    }

    private static URI parseUri(String uris, String uri, boolean aList) {
        String which = aList ? "'" + uri + "' " : "it ";
        if (!uri.contains("://")) {
            throw invalidUris(uris, which + "has no scheme: write amqp://" + uri);
        }
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw invalidUris(uris, "'" + uri + "' is not a URI (" + e.getMessage() + ")");
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("amqp") && !scheme.equals("amqps")) {
            throw invalidUris(uris, (aList ? "'" + uri + "': " : "") + "the scheme must be amqp or amqps");
        }
        if (parsed.getHost() == null) {
            throw invalidUris(uris, which + "names no host");
        }
        return parsed;
    }

    private static CliException invalidUris(String uris, String why) {
        return CliException.usage("Invalid AMQP URI '" + uris + "' (--amqp-uri or " + AmqpOptions.URI_VARIABLE
                + "): " + why + "; use amqp://host:port, e.g. " + AmqpOptions.DEFAULT_URI
                + ", or for a cluster every node's, comma-separated: amqp://rabbit-0:5672,amqp://rabbit-1:5672");
    }

    /** The first node's host: the one tried first. */
    String host() {
        return nodes.get(0).getHost();
    }

    /** The first node's port. */
    int port() {
        return nodes.get(0).getPort();
    }

    boolean tls() {
        return tls;
    }

    /** Every node, in the order connections try them. */
    List<Address> nodes() {
        return nodes;
    }

    /** {@code amqp://host:port}, comma-separated for several nodes (the form {@code --amqp-uri} takes), never with credentials. */
    String address() {
        return nodes.stream().map(node -> (tls ? "amqps" : "amqp") + "://" + node.getHost() + ":" + node.getPort())
                .collect(Collectors.joining(","));
    }

    /** The user a role has in an environment: the one given, else {@code <vhost>-<role>}. */
    String userFor(Environment environment, Principal role) {
        return userOverride != null ? userOverride : role.userIn(environment.vhost());
    }

    ConnectionFactory factory(Environment environment, Principal role) {
        String user = userFor(environment, role);
        return factory(environment.vhost(), user, passwordOverride != null ? passwordOverride
                : credentials.password(user));
    }

    /** A factory whose connections go to the first node that answers, in {@code vhost}, as the user given. */
    ConnectionFactory factory(String vhost, String user, String password) {
        ConnectionFactory factory = new NodesConnectionFactory(nodes);
        if (tls) {
            try {
                factory.useSslProtocol();
            } catch (java.security.GeneralSecurityException e) {
                throw CliException.usage("Cannot use TLS for " + address() + ": " + e.getMessage());
            }
        }
        factory.setVirtualHost(vhost);
        factory.setUsername(user);
        factory.setPassword(password);
        factory.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        factory.setHandshakeTimeout(CONNECT_TIMEOUT_MS);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    /** A connection to the environment's vhost as the role's user, or a {@link CliException} saying why not. */
    Connection connect(Environment environment, Principal role) {
        try {
            return factory(environment, role).newConnection("stagecoach-cli");
        } catch (IOException | TimeoutException | RuntimeException e) {
            if (e instanceof CliException cli) {
                throw cli;
            }
            throw explain(e, environment, userFor(environment, role));
        }
    }

    /** What went wrong talking to the broker, for people: exit 3 with what to try. */
    CliException explain(Exception e, Environment environment, String user) {
        Throwable root = rootCause(e);
        if (root instanceof ConnectException || root instanceof UnknownHostException
                || root instanceof NoRouteToHostException || root instanceof SocketTimeoutException) {
            return CliException.broker("cannot reach RabbitMQ at " + address() + ": " + describe(root)
                    + " — is it running? try `rabbitmq-server -detached` or set " + AmqpOptions.URI_VARIABLE, e);
        }
        if (root instanceof AuthenticationFailureException || e instanceof AuthenticationFailureException) {
            return CliException.broker("RabbitMQ at " + address() + " refused user " + user
                    + ": wrong user name or password (ACCESS_REFUSED) — provision the broker (`stagecoach provision`, on "
                    + "this machine `stagecoach provision --local-only-passwords`), or give the password in "
                    + Credentials.variableFor(user) + ", $" + Credentials.SECRETS_DIR_VARIABLE + "/" + user + " or "
                    + AmqpOptions.PASSWORD_VARIABLE, e);
        }
        ShutdownSignalException signal = find(e, ShutdownSignalException.class);
        if (signal != null && signal.getReason() instanceof AMQP.Connection.Close close) {
            if (close.getReplyCode() == 530) {
                return CliException.broker("RabbitMQ at " + address() + " refused user " + user + " on vhost "
                        + environment.vhost() + " (530 NOT_ALLOWED): the vhost does not exist or the user may not use it"
                        + " — run `stagecoach provision`", e);
            }
            return CliException.broker("RabbitMQ at " + address() + " closed the connection of " + user + " on vhost "
                    + environment.vhost() + ": " + close.getReplyCode() + " " + close.getReplyText(), e);
        }
        if (signal != null && signal.getReason() instanceof AMQP.Channel.Close close) {
            return channelClosed(close, environment, user, e);
        }
        if (root instanceof TimeoutException) {
            return CliException.broker("RabbitMQ at " + address() + " accepted the connection but did not finish the "
                    + "handshake within " + CONNECT_TIMEOUT_MS / 1000 + " s: " + handshakeDiagnosis()
                    .orElse("its management API did not say why — is it starting up, or is that port something "
                            + "else?"), e);
        }
        return CliException.broker("cannot talk to RabbitMQ at " + address() + " as " + user + ": " + describe(root)
                + " — is it running? try `rabbitmq-server -detached` or set " + AmqpOptions.URI_VARIABLE, e);
    }

    /** Asks the management API (the configured one, or port 15672 of the broker's host) why handshakes hang. */
    private java.util.Optional<String> handshakeDiagnosis() {
        try {
            String url = variables.getOrDefault(ManagementOptions.URL_VARIABLE, "http://" + host() + ":15672");
            return HandshakeDiagnosis.ask(new io.stagecoach.platform.topology.ManagementClient(url,
                    variables.getOrDefault(ManagementOptions.USER_VARIABLE, "guest"),
                    variables.getOrDefault(ManagementOptions.PASSWORD_VARIABLE, "guest")));
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    CliException channelClosed(AMQP.Channel.Close close, Environment environment, String user, Exception cause) {
        String what = close.getReplyCode() + " " + close.getReplyText();
        String hint = switch (close.getReplyCode()) {
            case 403 -> " — user " + user + " may not do this in vhost " + environment.vhost()
                    + "; check the role (each command uses the user of its role) or run `stagecoach provision`";
            case 404 -> " — the vhost " + environment.vhost() + " lacks it; run `stagecoach provision`";
            default -> "";
        };
        return CliException.broker("RabbitMQ at " + address() + " refused: " + what + hint, cause);
    }

    static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
