package io.stagecoach.platform.environments;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The promotion path: environments in order, the teams that approve, who may publish approval
 * decisions and the services being promoted. Always valid: every way of building one checks it.
 */
public final class Environments {

    /** Classpath location of the default file (a copy of {@code deploy/environments.yaml}). */
    public static final String DEFAULT_RESOURCE = "/io/stagecoach/platform/environments.yaml";

    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private final String source;
    private final List<Environment> environments;
    private final Map<String, List<String>> teams;
    private final List<String> decisionPublishers;
    private final List<String> services;

    Environments(String source, List<Environment> environments, Map<String, List<String>> teams,
                 List<String> decisionPublishers, List<String> services) {
        this.source = source;
        this.environments = List.copyOf(environments);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        teams.forEach((team, people) -> copy.put(team, List.copyOf(people)));
        this.teams = java.util.Collections.unmodifiableMap(copy);
        this.decisionPublishers = List.copyOf(decisionPublishers);
        this.services = List.copyOf(services);
    }

    /** Reads and validates an environments file. */
    public static Environments load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (NoSuchFileException e) {
            throw InvalidEnvironmentsException.of(file.toString(), List.of(new InvalidEnvironmentsException.Problem(0,
                    "the file does not exist", "pass the path of an environments file, or leave it out to use "
                            + "the default (dev -> staging -> prod)")));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read environments file " + file, e);
        }
    }

    /** The default path shipped in this jar: {@code deploy/environments.yaml} of the project. */
    public static Environments loadDefault() {
        try (InputStream in = Environments.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The default environments file " + DEFAULT_RESOURCE
                        + " is missing from the classpath; the platform jar was built without deploy/environments.yaml");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + DEFAULT_RESOURCE, e);
        }
    }

    /** Parses and validates YAML text; {@code source} names it in error messages. */
    public static Environments parse(String yaml, String source) {
        return new EnvironmentsParser(source).parse(yaml);
    }

    /** Where these environments were read from. */
    public String source() {
        return source;
    }

    /** Every environment, in promotion order. */
    public List<Environment> all() {
        return environments;
    }

    /** The environment CI builds enter. */
    public Environment first() {
        return environments.get(0);
    }

    /** The environment after {@code name}, empty for the last one. */
    public Optional<Environment> next(String name) {
        int index = indexOf(name);
        return index + 1 < environments.size() ? Optional.of(environments.get(index + 1)) : Optional.empty();
    }

    /** The environment before {@code name}, empty for the first one. */
    public Optional<Environment> previous(String name) {
        int index = indexOf(name);
        return index > 0 ? Optional.of(environments.get(index - 1)) : Optional.empty();
    }

    /** The environment named {@code name}; an unknown name is an error that lists the known ones. */
    public Environment get(String name) {
        return environments.get(indexOf(name));
    }

    public Optional<Environment> find(String name) {
        return environments.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    public boolean isFirst(String name) {
        return indexOf(name) == 0;
    }

    /** Approver teams and their members. */
    public Map<String, List<String>> teams() {
        return teams;
    }

    /** The people who may approve a release into {@code environment}: the members of its approver teams. */
    public Set<String> approvingPeople(String environment) {
        return get(environment).approvers().stream()
                .flatMap(team -> teams.getOrDefault(team, List.of()).stream())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Principals (by id, e.g. {@code chatops}) whose {@code approval.decided} events the approval service accepts. */
    public List<String> decisionPublishers() {
        return decisionPublishers;
    }

    /** The services whose releases are promoted. */
    public List<String> services() {
        return services;
    }

    /**
     * A copy whose vhosts and namespaces are {@code <prefix>-<name>}, so that tests (or a second
     * pipeline on the same broker) work in their own vhosts; names and routing keys stay the same.
     */
    public Environments withVhostPrefix(String prefix) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("Vhost prefix '" + prefix
                    + "' must be lower-case letters and digits, optionally joined by '-' (e.g. t1a2b3c)");
        }
        Environments prefixed = new Environments(source + " (vhosts prefixed with " + prefix + "-)",
                environments.stream().map(e -> e.withPrefix(prefix)).toList(), teams, decisionPublishers, services);
        List<String> problems = EnvironmentsParser.namesProblems(prefixed);
        if (!problems.isEmpty()) {
            throw new InvalidEnvironmentsException(prefixed.source, problems);
        }
        return prefixed;
    }

    private int indexOf(String name) {
        for (int i = 0; i < environments.size(); i++) {
            if (environments.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("Unknown environment '" + name + "'; " + source + " defines "
                + environments.stream().map(Environment::name).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return environments.stream().map(Environment::name).collect(Collectors.joining(" -> "))
                + " (" + source + ")";
    }
}
