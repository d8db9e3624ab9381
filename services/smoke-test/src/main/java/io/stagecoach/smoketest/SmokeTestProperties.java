package io.stagecoach.smoketest;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The checks of this environment, per service, and how long they may keep trying.
 *
 * @param deadline       how long all checks of one deployment may take, retries included (each check still gets
 *                       at least one attempt)
 * @param initialBackoff the pause before a check's second attempt; doubled per attempt
 * @param maxBackoff     the longest pause between attempts
 * @param services       the checks per service name
 */
@ConfigurationProperties("stagecoach.smoke-test")
public record SmokeTestProperties(@DefaultValue("2m") Duration deadline, @DefaultValue("1s") Duration initialBackoff,
        @DefaultValue("10s") Duration maxBackoff, @DefaultValue Map<String, ServiceChecks> services) {

    public SmokeTestProperties {
        if (deadline.isNegative() || initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("stagecoach.smoke-test: deadline and backoffs cannot be negative");
        }
        services.forEach((service, checks) -> {
            long names = checks.checks().stream().map(Check::name).distinct().count();
            if (names != checks.checks().size()) {
                throw new IllegalArgumentException("stagecoach.smoke-test.services." + service
                        + ": two checks have the same name");
            }
        });
    }

    /** The longest timeout of any check: what the HTTP client allows for connecting. */
    public Duration longestTimeout() {
        return services.values().stream().flatMap(checks -> checks.checks().stream()).map(Check::timeout)
                .max(Duration::compareTo).orElse(Duration.ofSeconds(5));
    }

    /** The checks configured for {@code service}; empty when there are none. */
    public List<Check> checksFor(String service) {
        ServiceChecks checks = services.get(service);
        return checks == null ? List.of() : checks.checks();
    }

    public record ServiceChecks(@DefaultValue List<Check> checks) {
    }

    /**
     * One check.
     *
     * @param name           what the check is called in events, e.g. {@code health}
     * @param url            the URL to call; {@code {environment}}, {@code {namespace}}, {@code {service}},
     *                       {@code {version}} and {@code {flags}} (the flags' digest, empty without) are replaced
     * @param expectedStatus the HTTP status a passing answer has
     * @param jsonField      a field of the JSON answer (dotted path, e.g. {@code version} or {@code build.version})
     *                       that must equal the deployed version; null for none
     * @param timeout        how long one attempt waits for the answer
     * @param flagsField     a field of the JSON answer that must equal the digest of the flags the release carries
     *                       ({@code sha256:<hex>} of the flags file the service serves), for a release that carries
     *                       flags; null for none
     */
    public record Check(String name, String url, @DefaultValue("200") int expectedStatus, @Nullable String jsonField,
            @DefaultValue("5s") Duration timeout, @Nullable String flagsField) {

        public Check {
            if (name == null || name.isBlank() || !name.equals(name.strip())) {
                throw new IllegalArgumentException("a smoke check needs a name without surrounding blanks, was '"
                        + name + "'");
            }
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("smoke check '" + name + "' needs a url");
            }
            if (expectedStatus < 100 || expectedStatus > 599) {
                throw new IllegalArgumentException("smoke check '" + name + "': expected-status " + expectedStatus
                        + " is not an HTTP status");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("smoke check '" + name + "': timeout must be positive");
            }
        }
    }
}
