package io.stagecoach.local;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.logging.LogFile;
import org.springframework.boot.logging.LoggingInitializationContext;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Configures Spring Boot's logging once for the JVM, before anything logs. The service contexts start without Spring
 * Boot's logging listener ({@code LocalPipeline}), so none of them initialises, reconfigures or cleans up the logging
 * of the others while they start, log and stop.
 */
final class LocalLogging {

    private LocalLogging() {
    }

    /** @param logFile where to log (the console then shows errors only), or null for the console only */
    static synchronized void initialize(@Nullable Path logFile) {
        Map<String, Object> properties = new LinkedHashMap<>();
        // one JVM, many applications: a single application name in every line would mislead
        properties.put("logging.include-application-name", false);
        if (logFile != null) {
            properties.put(LogFile.FILE_NAME_PROPERTY, logFile.toAbsolutePath().toString());
            properties.put("logging.threshold.console", "ERROR");
        }
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("stagecoach-local-logging", properties));
        LoggingSystem system = LoggingSystem.get(LocalLogging.class.getClassLoader());
        system.beforeInitialize();
        system.initialize(new LoggingInitializationContext(environment), null, LogFile.get(environment));
    }
}
