package io.stagecoach.platform.credentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the password of a RabbitMQ user comes from: never the repository, never a log line.
 * In order: the environment variable {@code STAGECOACH_PASSWORD_<USER>} ({@code dev-promotion} ->
 * {@code STAGECOACH_PASSWORD_DEV_PROMOTION}), the file {@code $STAGECOACH_SECRETS_DIR/<user>} (a mounted
 * Kubernetes secret), else the local-only default {@code <user>-local-only}, with a warning.
 */
public final class Credentials {

    public static final String PASSWORD_VARIABLE_PREFIX = "STAGECOACH_PASSWORD_";
    public static final String SECRETS_DIR_VARIABLE = "STAGECOACH_SECRETS_DIR";
    public static final String LOCAL_ONLY_SUFFIX = "-local-only";

    private static final Logger log = LoggerFactory.getLogger(Credentials.class);
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Credentials SYSTEM = new Credentials(System::getenv);

    private final Function<String, String> environment;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private Credentials(Function<String, String> environment) {
        this.environment = environment;
    }

    /** Passwords from this process's environment. */
    public static Credentials fromEnvironment() {
        return SYSTEM;
    }

    /** Passwords from the given variables instead of the process's (tests, or a CLI given explicit values). */
    public static Credentials fromVariables(Map<String, String> variables) {
        Map<String, String> copy = Map.copyOf(variables);
        return new Credentials(copy::get);
    }

    /** The password of {@code user} from this process's environment. */
    public static String passwordFor(String user) {
        return SYSTEM.password(user);
    }

    /** The environment variable that holds {@code user}'s password. */
    public static String variableFor(String user) {
        return PASSWORD_VARIABLE_PREFIX + checked(user).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** Whether {@code user}'s password comes from a variable or a secret file rather than the local-only default. */
    public boolean hasConfiguredPassword(String user) {
        if (environment.apply(variableFor(user)) != null) {
            return true;
        }
        return secretsDirectory().map(dir -> Files.isRegularFile(dir.resolve(user))).orElse(false);
    }

    /** {@code $STAGECOACH_SECRETS_DIR}, when set. */
    public Optional<Path> secretsDirectory() {
        String secretsDir = environment.apply(SECRETS_DIR_VARIABLE);
        return secretsDir == null || secretsDir.isBlank() ? Optional.empty() : Optional.of(Path.of(secretsDir));
    }

    /** The password configured for {@code user} (its variable, else its secret file), if any. */
    public Optional<String> configured(String user) {
        String variable = variableFor(user);
        String fromVariable = environment.apply(variable);
        if (fromVariable != null) {
            if (fromVariable.isEmpty()) {
                throw new IllegalStateException(variable + " is set but empty; set the password of " + user
                        + " or unset the variable");
            }
            return Optional.of(fromVariable);
        }
        return secretsDirectory().map(dir -> dir.resolve(user)).filter(Files::isRegularFile)
                .map(file -> readSecret(file, user));
    }

    /** Where {@code user}'s configured password comes from, for messages (never the password). */
    public String source(String user) {
        if (environment.apply(variableFor(user)) != null) {
            return variableFor(user);
        }
        return secretsDirectory().map(dir -> dir.resolve(user).toString())
                .orElse("$" + SECRETS_DIR_VARIABLE + "/" + user);
    }

    /**
     * The password of {@code user} to log in with: the configured one, else {@code <user>-local-only}, which only a
     * broker on this machine provisioned with local-only passwords has ({@link PasswordPolicy}); a login with it
     * anywhere else is refused.
     */
    public String password(String user) {
        Optional<String> configured = configured(user);
        if (configured.isPresent()) {
            return configured.get();
        }
        if (warned.add(user)) {
            log.warn("No password configured for RabbitMQ user {} (neither {} nor {}): using the local-only default. "
                            + "Never run like this outside a developer machine.", user, variableFor(user), source(user));
        }
        return user + LOCAL_ONLY_SUFFIX;
    }

    private static String readSecret(Path file, String user) {
        try {
            // secrets written with `echo` end in a newline that is no part of the password
            String secret = Files.readString(file, StandardCharsets.UTF_8).replaceFirst("\\R+\\z", "");
            if (secret.isEmpty()) {
                throw new IllegalStateException("Secret file " + file + " of user " + user
                        + " is empty; write the password into it or remove the file");
            }
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the secret file " + file + " of user " + user, e);
        }
    }

    private static String checked(String user) {
        Objects.requireNonNull(user, "user");
        if (!USER.matcher(user).matches()) {
            // the name becomes a file name under the secrets directory: no separators, no '..'
            throw new IllegalArgumentException("Invalid RabbitMQ user name '" + user
                    + "': use letters, digits, '.', '_' or '-'");
        }
        return user;
    }
}
