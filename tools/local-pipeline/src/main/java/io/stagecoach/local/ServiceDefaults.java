package io.stagecoach.local;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.UrlResource;

/**
 * A service's own {@code application.yaml}. Every service jar has one at the same path, so on a shared classpath
 * Spring Boot would give every context the first one found; this finds the one inside the jar (or classes
 * directory) of the service's application class.
 */
final class ServiceDefaults {

    static final String FILE = "application.yaml";

    private ServiceDefaults() {
    }

    /** The flattened properties of the {@code application.yaml} next to {@code application}. */
    static Map<String, Object> of(Class<?> application) {
        URL file = locate(application);
        try {
            List<PropertySource<?>> documents = new YamlPropertySourceLoader().load(file.toString(),
                    new UrlResource(file));
            Map<String, Object> properties = new LinkedHashMap<>();
            for (PropertySource<?> document : documents) {
                if (document instanceof EnumerablePropertySource<?> enumerable) {
                    for (String name : enumerable.getPropertyNames()) {
                        Object value = enumerable.getProperty(name);
                        properties.putIfAbsent(name, value instanceof OriginTrackedValue tracked
                                ? tracked.getValue() : value);
                    }
                }
            }
            return properties;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static URL locate(Class<?> application) {
        String home = application.getProtectionDomain().getCodeSource().getLocation().toString();
        try {
            for (URL candidate : Collections.list(application.getClassLoader().getResources(FILE))) {
                if (isInside(candidate.toString(), home)) {
                    return candidate;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot look for " + FILE + " of " + application.getName(), e);
        }
        throw new IllegalStateException("no " + FILE + " next to " + application.getName() + " in " + home);
    }

    /** A resource in a classes directory, or in a jar (plain or nested in a Boot jar: {@code jar:<jar>!/...}). */
    static boolean isInside(String resource, String home) {
        String root = home.endsWith("!/") ? home.substring(0, home.length() - 2) : home;
        return resource.equals(root + (root.endsWith("/") ? "" : "/") + FILE)
                || resource.equals("jar:" + root + "!/" + FILE)
                || resource.equals(root + "!/" + FILE);
    }
}
