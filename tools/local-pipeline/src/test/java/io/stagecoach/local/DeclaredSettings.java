package io.stagecoach.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.stagecoach.deploy.TargetSettings;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.credentials.Credentials;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.type.filter.AnnotationTypeFilter;

/**
 * What a Stagecoach service reads from its environment variables: the properties Spring Boot declares (its
 * {@code META-INF/spring-configuration-metadata.json}), the properties of Stagecoach's own
 * {@code @ConfigurationProperties} records (service-support's and the service's), {@code stagecoach.target.*} where
 * the service deploys, bound through Spring's relaxed names for environment variables; and the few variables read
 * without Spring. Properties service-support derives and overwrites count as read by nothing.
 */
final class DeclaredSettings {

    /**
     * Spring Boot declares them, service-support overwrites them from the environment and service (ADR 30). The vhost
     * is not among them: service-support refuses one that is not the environment's.
     */
    static final Map<String, String> DERIVED = Map.of(
            "spring.rabbitmq.username", "the user is <vhost>-<service>",
            "spring.rabbitmq.password", "the password is $STAGECOACH_SECRETS_DIR/<user> or STAGECOACH_PASSWORD_<USER>");

    /** Read without Spring. */
    static final Set<String> PLAIN_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", Credentials.SECRETS_DIR_VARIABLE);

    private static final Map<String, String> PACKAGES = Map.of(
            "build-completed", "io.stagecoach.buildcompleted",
            "promotion", "io.stagecoach.promotion",
            "smoke-test", "io.stagecoach.smoketest",
            "rollback", "io.stagecoach.rollback",
            "approval", "io.stagecoach.approval");

    /** The services with deploy-support, which binds {@code stagecoach.target} (StagecoachTargetAutoConfiguration). */
    static final Set<String> DEPLOYING = Set.of("promotion", "rollback");

    private final Set<String> exact;
    private final Set<String> prefixes;

    private DeclaredSettings(Set<String> exact, Set<String> prefixes) {
        this.exact = exact;
        this.prefixes = prefixes;
    }

    static DeclaredSettings of(String service) {
        if (!PACKAGES.containsKey(service)) {
            throw new IllegalArgumentException("no Stagecoach service " + service);
        }
        Set<String> exact = new TreeSet<>();
        Set<String> prefixes = new TreeSet<>();
        bootMetadata(exact, prefixes);
        for (String pkg : List.of("io.stagecoach.support", PACKAGES.get(service))) {
            for (Class<?> type : configurationProperties(pkg)) {
                ConfigurationProperties annotation = type.getAnnotation(ConfigurationProperties.class);
                String prefix = annotation.value().isEmpty() ? annotation.prefix() : annotation.value();
                flatten(prefix, ResolvableType.forClass(type), exact, prefixes, new LinkedHashSet<>());
            }
        }
        if (DEPLOYING.contains(service)) {
            flatten("stagecoach.target", ResolvableType.forClass(TargetSettings.class), exact, prefixes,
                    new LinkedHashSet<>());
        }
        exact.removeAll(DERIVED.keySet());
        return new DeclaredSettings(Collections.unmodifiableSet(exact), Collections.unmodifiableSet(prefixes));
    }

    /**
     * The property an environment variable sets, if the service reads one by that name (as Spring binds environment
     * variables: {@link SystemEnvironmentPropertySource}); or the variable itself when it is read without Spring.
     */
    Optional<String> readerOf(String variable) {
        if (PLAIN_VARIABLES.contains(variable) || variable.startsWith(Credentials.PASSWORD_VARIABLE_PREFIX)) {
            return Optional.of(variable);
        }
        ConfigurationPropertySource source = ConfigurationPropertySource.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(variable, "x")));
        for (String property : exact) {
            if (ConfigurationPropertyName.isValid(property)
                    && source.getConfigurationProperty(ConfigurationPropertyName.of(property)) != null) {
                return Optional.of(property);
            }
        }
        for (String prefix : prefixes) {
            if (ConfigurationPropertyName.isValid(prefix) && source.containsDescendantOf(
                    ConfigurationPropertyName.of(prefix)) == ConfigurationPropertyState.PRESENT) {
                return Optional.of(prefix + ".*");
            }
        }
        return Optional.empty();
    }

    /** Whether {@code variable} sets {@code property} (Spring's binding of environment variables). */
    static boolean sets(String variable, String property) {
        ConfigurationPropertySource source = ConfigurationPropertySource.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(variable, "x")));
        return source.getConfigurationProperty(ConfigurationPropertyName.of(property)) != null;
    }

    private static void bootMetadata(Set<String> exact, Set<String> prefixes) {
        ObjectMapper mapper = new ObjectMapper();
        try {
            List<URL> files = Collections.list(DeclaredSettings.class.getClassLoader()
                    .getResources("META-INF/spring-configuration-metadata.json"));
            if (files.isEmpty()) {
                throw new IllegalStateException("no Spring Boot configuration metadata on the class path");
            }
            for (URL file : files) {
                try (InputStream in = file.openStream()) {
                    for (JsonNode property : mapper.readTree(in).path("properties").values()) {
                        String name = property.path("name").asString("");
                        String type = property.path("type").asString("");
                        if (type.startsWith("java.util.Map<")) {
                            prefixes.add(name);
                        } else if (type.startsWith("java.util.List<")) {
                            // a list is set whole, comma-separated (SPRING_RABBITMQ_ADDRESSES), or item by item
                            exact.add(name);
                            prefixes.add(name);
                        } else {
                            exact.add(name);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Class<?>> configurationProperties(String pkg) {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class, false));
        List<Class<?>> types = scanner.findCandidateComponents(pkg).stream().map(BeanDefinition::getBeanClassName)
                .map(DeclaredSettings::load).toList();
        if (types.isEmpty() && pkg.equals("io.stagecoach.support")) {
            throw new IllegalStateException("no @ConfigurationProperties found in " + pkg);
        }
        return types;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, DeclaredSettings.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void flatten(String name, ResolvableType type, Set<String> exact, Set<String> prefixes,
            Set<Class<?>> seen) {
        Class<?> raw = type.resolve(Object.class);
        if (Map.class.isAssignableFrom(raw) || Collection.class.isAssignableFrom(raw) || raw.isArray()) {
            if (!Map.class.isAssignableFrom(raw)) {
                exact.add(name);
            }
            prefixes.add(name);
            return;
        }
        if (raw.isRecord() && raw.getName().startsWith("io.stagecoach.") && seen.add(raw)) {
            for (RecordComponent component : raw.getRecordComponents()) {
                flatten(name + "." + kebab(component.getName()),
                        ResolvableType.forType(component.getGenericType(), type), exact, prefixes, seen);
            }
            seen.remove(raw);
            return;
        }
        if (raw.isPrimitive() || raw.isEnum() || raw == String.class || Number.class.isAssignableFrom(raw)
                || raw == Boolean.class || raw == Duration.class || raw == Path.class || raw.getName().startsWith("java.")
                || !raw.getName().startsWith("io.stagecoach.")) {
            exact.add(name);
            return;
        }
        throw new IllegalStateException("cannot list the properties of " + raw.getName() + " (" + name + ")");
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** The services Stagecoach ships. */
    static Set<String> services() {
        Set<String> services = new LinkedHashSet<>();
        for (Principal principal : Principal.values()) {
            if (principal.isService()) {
                services.add(principal.id());
            }
        }
        return services;
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("exact", exact.size());
        shown.put("prefixes", prefixes);
        return shown.toString();
    }
}
