package io.stagecoach.platform.credentials;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which password provisioning sets for which user, decided before anything on the broker changes.
 *
 * <ul>
 *   <li>A user the broker already has keeps its password. Provisioning only sets the plan's tags, by the hash the
 *       broker keeps; setting one user's variable and provisioning again changes nobody else.</li>
 *   <li>{@link #rotating(String) Rotation} is asked for one user at a time: that user gets its configured password
 *       ({@code STAGECOACH_PASSWORD_<USER>} or {@code $STAGECOACH_SECRETS_DIR/<user>}) if that is not the broker's
 *       already, else a new generated one.</li>
 *   <li>A new user gets its configured password; else, only where {@link #allowingLocalOnly() allowed} (a broker on
 *       this machine, for the demo and {@code up}), {@code <user>-local-only}; else a generated one, kept by
 *       {@link GeneratedSecrets} before the broker is given it. With nowhere to keep it, provisioning refuses.</li>
 * </ul>
 */
public final class PasswordPolicy {

    private final Credentials credentials;
    private final boolean localOnly;
    private final Optional<String> rotate;
    private final Optional<GeneratedSecrets> generated;
    private final Supplier<String> generator;

    private PasswordPolicy(Credentials credentials, boolean localOnly, Optional<String> rotate,
            Optional<GeneratedSecrets> generated, Supplier<String> generator) {
        this.credentials = credentials;
        this.localOnly = localOnly;
        this.rotate = rotate;
        this.generated = generated;
        this.generator = generator;
    }

    /** Configured passwords from {@code credentials}; generated ones into its secrets directory, if it has one. */
    public static PasswordPolicy of(Credentials credentials) {
        return new PasswordPolicy(credentials, false, Optional.empty(),
                credentials.secretsDirectory().map(GeneratedSecrets::directory), GeneratedSecrets::generate);
    }

    /** New users without a configured password get {@code <user>-local-only}: only for a broker on this machine. */
    public PasswordPolicy allowingLocalOnly() {
        return new PasswordPolicy(credentials, true, rotate, generated, generator);
    }

    /** Sets {@code user}'s password anew (its configured one if that changed, else a generated one). */
    public PasswordPolicy rotating(String user) {
        return new PasswordPolicy(credentials, localOnly, Optional.of(user), generated, generator);
    }

    /** Keeps generated passwords in {@code secrets} instead of the secrets directory. */
    public PasswordPolicy keepingGeneratedIn(GeneratedSecrets secrets) {
        return new PasswordPolicy(credentials, localOnly, rotate, Optional.of(secrets), generator);
    }

    public boolean localOnly() {
        return localOnly;
    }

    public Optional<String> rotate() {
        return rotate;
    }

    public Credentials credentials() {
        return credentials;
    }

    /** A user as the broker has it. */
    public record Existing(String passwordHash, String hashingAlgorithm) {
    }

    /** A password to set, and where it came from (for the report; never the password itself). */
    public record NewPassword(String password, String source) {
        @Override
        public String toString() {
            return "NewPassword[" + source + "]";
        }
    }

    /**
     * What to set: {@code toSet} (user to password; everyone else keeps theirs), what to keep first ({@code generated}:
     * generated passwords and rotated ones, saved before the broker is given any of it), and why provisioning must
     * not start ({@code refusals}).
     */
    public record Plan(Map<String, NewPassword> toSet, Map<String, String> generated, List<String> refusals) {

        public boolean sets(String user) {
            return toSet.containsKey(user);
        }
    }

    /** Decides for the {@code users} of the plan, given those the broker has. */
    public Plan plan(Collection<String> users, Map<String, Existing> existing) {
        Map<String, NewPassword> toSet = new LinkedHashMap<>();
        Map<String, String> toGenerate = new LinkedHashMap<>();
        List<String> refusals = new ArrayList<>();
        rotate.filter(user -> !users.contains(user)).ifPresent(user -> refusals.add("--rotate " + user
                + ": no such user in the plan; the plan's users are " + String.join(", ", users)));
        for (String user : users) {
            Optional<String> configured = credentials.configured(user);
            Existing current = existing.get(user);
            if (current != null && !rotate.filter(user::equals).isPresent()) {
                continue;
            }
            if (current != null) {
                boolean changed = configured.isPresent() && !PasswordHashes.matches(current.passwordHash(),
                        current.hashingAlgorithm(), configured.get()).orElse(false);
                if (changed && generated.isPresent()) {
                    // the services may read the secret file: it must not keep the old password
                    toGenerate.put(user, configured.get());
                    toSet.put(user, new NewPassword(configured.get(), credentials.source(user) + ", kept in "
                            + generated.get().where(user)));
                } else if (changed) {
                    toSet.put(user, new NewPassword(configured.get(), credentials.source(user)));
                } else {
                    toGenerate.put(user, generator.get());
                }
            } else if (configured.isPresent()) {
                toSet.put(user, new NewPassword(configured.get(), credentials.source(user)));
            } else if (localOnly) {
                toSet.put(user, new NewPassword(user + Credentials.LOCAL_ONLY_SUFFIX, "the local-only default"));
            } else {
                toGenerate.put(user, generator.get());
            }
        }
        if (!toGenerate.isEmpty() && generated.isEmpty()) {
            String first = toGenerate.keySet().iterator().next();
            refusals.add(toGenerate.size() + " user" + (toGenerate.size() == 1 ? " needs a password" : "s need passwords")
                    + " (" + String.join(", ", toGenerate.keySet()) + ") and there is nowhere to keep a generated one: "
                    + "set " + Credentials.SECRETS_DIR_VARIABLE + " to a directory the services read (provision writes "
                    + "each there, mode 0600), or pass --secret-manifests FILE for Kubernetes Secrets, or set "
                    + Credentials.variableFor(first) + " and the others yourself");
        }
        generated.ifPresent(secrets -> toGenerate.forEach((user, password) -> toSet.putIfAbsent(user,
                new NewPassword(password, "generated, kept in " + secrets.where(user)))));
        return new Plan(toSet, toGenerate, refusals);
    }

    /** Keeps the plan's generated passwords where the services read them; before any is set. */
    public void keep(Plan plan) {
        if (!plan.generated().isEmpty()) {
            generated.orElseThrow().save(plan.generated());
        }
    }
}
